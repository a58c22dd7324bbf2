"""Real documents for tests/test_extract.py and bench/extract.py: Word, Excel, PDF and
OpenDocument files made by LibreOffice (headless, a private profile per folder, so runs
at once do not clash), and PDFs written by hand where a hostile one is wanted."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from hub.demo.files import assemble

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

PDF_LOCKED = (  # a PDF that opens with the password "secret"
    'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
    '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
)


class Office:
    """soffice --headless with a profile of its own under `folder`."""

    def __init__(self, folder: Path) -> None:
        if SOFFICE is None:
            raise RuntimeError("LibreOffice (soffice) is not installed")
        self.folder = folder
        self.profile = folder / "profile"
        self._soffice = SOFFICE

    def run(self, *arguments: str) -> None:
        command = [self._soffice, f"-env:UserInstallation={self.profile.as_uri()}", "--headless"]
        result = subprocess.run(
            [*command, *arguments], capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"soffice {arguments}: {result.stdout}{result.stderr}")

    def convert(self, sources: Iterable[Path], to: str, outdir: Path) -> None:
        """Every source converted to `to` (an extension, or extension:filter:options)."""
        self.run("--convert-to", to, "--outdir", str(outdir), *map(str, sources))


def _pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF of these objects (1 is the catalog), with a correct cross-reference table."""
    return assemble(list(objects))


def _stream(content: bytes, compressed: bytes | None = None) -> bytes:
    if compressed is None:
        return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    return (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed)
        + compressed
        + b"\nendstream"
    )


def pdf_pages(texts: Sequence[str]) -> bytes:
    """A PDF with one page per text (ASCII, Helvetica)."""
    count = len(texts)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(texts):
        content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("ascii")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(_stream(content))
    return _pdf(objects)


def _spaces(inflated: int) -> bytes:
    """A zlib stream of `inflated` spaces, made in a second: each megabyte is deflated
    once and its block repeated (a full flush makes each block stand alone), and the
    checksum is of the whole."""
    chunk = b" " * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = max(1, inflated // len(chunk))
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    return b"\x78\xda" + block * count + b"\x03\x00" + checksum.to_bytes(4, "big")


def pdf_bomb(inflated: int = 4 << 30) -> bytes:
    """A one-page PDF whose content stream (FlateDecode) inflates to `inflated` bytes of
    spaces: a few megabytes on the wire."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        _stream(b"", _spaces(inflated)),
    ]
    return _pdf(objects)

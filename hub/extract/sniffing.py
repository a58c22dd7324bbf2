"""Which document a file is, told by its bytes: `%PDF-`; a zip holding [Content_Types].xml
and word/ or xl/ parts, or an ODF mimetype; an OLE compound file holding a WordDocument or
Workbook/Book stream, or EncryptionInfo and EncryptedPackage (an encrypted DOCX/XLSX).
The name's extension and the content type only break ties (.wps and .et are Kingsoft's
names for Word and Excel binary files), or name what damaged bytes were meant to be."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import olefile

_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "doc": "doc",
    "xls": "xls",
    "wps": "wps",  # Kingsoft WPS Writer (a Word 97-2003 binary file)
    "et": "et",  # Kingsoft WPS Spreadsheets (a BIFF8 workbook)
    "odt": "odt",
    "ods": "ods",
}
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/kset": "et",
    "application/wps-office.et": "et",
    **_ODF,
}
_FAMILIES = {"zip": ("docx", "xlsx", "odt", "ods"), "ole": ("doc", "wps", "xls", "et")}


@dataclass(frozen=True)
class Sniffed:
    format: str | None  # None: not a document hub reads
    encrypted: bool = False  # an OLE wrapper around an encrypted DOCX/XLSX
    claimed: str | None = None  # what the name or content type says it is


def claimed(name: str, content_type: str) -> str | None:
    """What the name's extension, else the content type, says the file is."""
    path = name.split("?", 1)[0].split("#", 1)[0]
    extension = path.rsplit(".", 1)[-1].strip().lower() if "." in path else ""
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    return CONTENT_TYPES.get(content_type.split(";", 1)[0].strip().lower())


def _pick(options: tuple[str, ...], claim: str | None, default: str | None) -> str | None:
    return claim if claim in options else default


def _in_zip(data: bytes, claim: str | None) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            kind = infos.get("mimetype")
            if kind is not None and kind.file_size < 100 and kind.compress_size < 200:
                return _ODF.get(archive.read(kind).decode("ascii", "replace").strip())
    except Exception:  # zipfile on hostile bytes; damaged: reading it will say how
        return _pick(_FAMILIES["zip"], claim, None)
    if "[Content_Types].xml" not in infos:
        return None
    if any(name.startswith("word/") for name in infos):
        return "docx"
    if any(name.startswith("xl/") for name in infos):
        return "xlsx"
    return None  # a presentation (ppt/), or another OOXML package


def _in_ole(data: bytes, claim: str | None) -> Sniffed:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path) for path in ole.listdir()}
    except Exception:  # olefile on hostile bytes: any failure is theirs
        return Sniffed(_pick(_FAMILIES["ole"], claim, None), claimed=claim)
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        return Sniffed(_pick(("docx", "xlsx"), claim, "ooxml"), encrypted=True, claimed=claim)
    if "WordDocument" in streams:
        return Sniffed(_pick(("wps",), claim, "doc"), claimed=claim)
    if streams & {"Workbook", "Book"}:
        return Sniffed(_pick(("et",), claim, "xls"), claimed=claim)
    return Sniffed(None, claimed=claim)  # PowerPoint, Kingsoft .dps, Works, MSI ...


def sniffed(data: bytes, name: str = "", content_type: str = "") -> Sniffed:
    claim = claimed(name, content_type)
    if data.startswith(_ZIP):
        return Sniffed(_in_zip(data, claim), claimed=claim)
    if data.startswith(_OLE):
        return _in_ole(data, claim)
    if _PDF in data[:1024]:  # PDFium, like readers, allows bytes before the header
        return Sniffed("pdf", claimed=claim)
    return Sniffed(None, claimed=claim)


def signed(data: bytes) -> bool:
    """Whether the bytes begin with a document's signature (%PDF-, a zip's, an OLE
    file's): nothing before it that a browser could take for a page, as it could in a
    PDF that PDFium reads with bytes before its header."""
    return data.startswith((_PDF, _ZIP, _OLE))


def page(data: bytes, content_type: str = "") -> bool:
    """Whether the bytes are a web page (a login or error page served in a file's
    stead): HTML by its content type, or markup from the first byte but spaces."""
    if content_type.split(";", 1)[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def sniff(data: bytes, name: str = "", content_type: str = "") -> str | None:
    """The format of a document hub reads ("pdf", "docx", "xls", "wps", ...), or None."""
    return sniffed(data, name, content_type).format

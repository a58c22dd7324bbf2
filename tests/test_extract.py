"""Attachments' text: real Word, Excel, PDF, WPS and OpenDocument files made once per
session by LibreOffice (skipped without it, unless HUB_REQUIRE_OFFICE=1, as in CI), and
hostile or damaged files, each read in a capped worker process: each failure has its
kind and costs only its own file."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.errors import WorkError
from hub.extract import (
    MAX_CHARS,
    MAX_PAGES,
    MAX_UNPACKED,
    Extracted,
    ExtractError,
    extract,
    failure,
    sniff,
)
from hub.models import EXTRACT_KINDS
from hub.workers import Workers
from tests.documents import PDF_LOCKED, SOFFICE, Office, pdf_bomb, pdf_pages

NAMES = ["张三丰", "李明", "王小红", "欧阳建国"]
NOTICE = f"""<html><head><meta charset="utf-8"><title>公示</title></head><body>
<h1>关于2024年度县级先进个人评选结果的公示</h1>
<p>经县人民政府研究决定，现将拟表彰的先进个人名单予以公示，公示期为五个工作日。</p>
<table border="1"><tr><td>姓名</td><td>单位</td></tr>
{"".join(f"<tr><td>{n}</td><td>县水利局</td></tr>" for n in NAMES)}
</table>
<p>政策原文：坚持藏粮于地、藏粮于技，落实最严格的耕地保护制度，稳住粮食播种面积。</p>
</body></html>"""
SHEET = "序号,姓名,单位,得分\n" + "".join(
    f"{i},{n},县教育局,{90 + i}\n" for i, n in enumerate(NAMES, start=1)
)
MEMORY = 512 << 20  # each worker's memory cap in these tests


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """name → bytes of every real document of the tests, made once."""
    if SOFFICE is None:
        if os.environ.get("HUB_REQUIRE_OFFICE") == "1":
            pytest.fail("HUB_REQUIRE_OFFICE=1 and LibreOffice (soffice) is not installed")
        pytest.skip(
            "LibreOffice is not installed (apt-get install libreoffice-writer-nogui "
            "libreoffice-calc-nogui; CI sets HUB_REQUIRE_OFFICE=1)"
        )
    folder = tmp_path_factory.mktemp("office")
    office = Office(folder)
    html, csv = folder / "notice.html", folder / "sheet.csv"
    html.write_text(NOTICE, encoding="utf-8")
    csv.write_text(SHEET, encoding="utf-8")
    out = folder / "out"
    # HTML opens in Writer/Web, which needs its export filters named
    for to in ("docx:MS Word 2007 XML", "odt:writerweb8_writer"):
        office.convert([html], to, out)
    for to in ("pdf", "doc:MS Word 97"):
        office.convert([out / "notice.docx"], to, out)
    for to in ("xlsx", "xls:MS Excel 97", "ods"):
        # CSV:44,34,76 = comma, double quote, UTF-8
        office.run("--infilter=CSV:44,34,76", "--convert-to", to, "--outdir", str(out), str(csv))
    secret = folder / "secret"
    office.convert([out / "notice.docx"], PDF_LOCKED, secret)
    found = {path.name: path.read_bytes() for path in out.iterdir()}
    # Kingsoft's .wps and .et are Word 97-2003 and BIFF8 files: a .doc and an .xls saved
    # under those names is what WPS Office writes
    found["notice.wps"], found["sheet.et"] = found["notice.doc"], found["sheet.xls"]
    found |= {f"secret-{p.name}": p.read_bytes() for p in secret.iterdir()}
    found["secret-notice.docx"] = _encrypted_docx(found["notice.docx"])
    found["secret-notice.doc"] = _fib_flags(found["notice.doc"], 0x0100)  # fEncrypted
    return found


def _word_stream(doc: bytes) -> int:
    """Where the WordDocument stream starts: the sector that opens with wIdent 0xA5EC."""
    return next(at for at in range(512, len(doc), 512) if doc[at : at + 2] == b"\xec\xa5")


def _fib_flags(doc: bytes, flags: int) -> bytes:
    """The .doc with these bits set in its FIB's flags (LibreOffice 7.4 saves a password
    only through its API, which hangs headless here; Word sets fEncrypted when it encrypts)."""
    at = _word_stream(doc) + 10
    old = int.from_bytes(doc[at : at + 2], "little")
    return doc[:at] + (old | flags).to_bytes(2, "little") + doc[at + 2 :]


def _encrypted_docx(plain: bytes) -> bytes:
    # LibreOffice 7.4 saves a DOCX with a password unencrypted: msoffcrypto-tool writes
    # the OLE wrapper (EncryptionInfo, EncryptedPackage) Word writes
    from msoffcrypto.format.ooxml import OOXMLFile  # noqa: PLC0415 (a test tool)

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("secret", out)
    return out.getvalue()


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    with Workers(size=1, preload=["hub.extract"], memory=MEMORY) as running:
        yield running


def run(workers: Workers, data: bytes, name: str, limit: float = 60) -> Extracted | ExtractError:
    """A file as the pipeline reads it: in a capped child, any failure mapped to its kind."""
    try:
        return asyncio.run(workers.run(extract, data, name, limit=limit))
    except Exception as exc:
        return failure(exc)


@pytest.mark.parametrize(
    ("name", "format_"),
    [
        ("notice.docx", "docx"),
        ("notice.doc", "doc"),
        ("notice.wps", "wps"),
        ("notice.pdf", "pdf"),
        ("notice.odt", "odt"),
    ],
)
def test_a_document_reads_as_paragraphs_and_table_rows(
    documents: dict[str, bytes], workers: Workers, name: str, format_: str
) -> None:
    result = run(workers, documents[name], name)
    assert isinstance(result, Extracted), result
    assert (result.format, result.pages, result.notes) == (format_, 1, ())
    lines = result.text.splitlines()
    assert any("县级先进个人评选结果的公示" in line for line in lines)
    assert "藏粮于地、藏粮于技" in result.text
    # each name on its own row, beside its unit (a PDF's cells apart by a space)
    for person in NAMES:
        row = next(line for line in lines if person in line)
        assert row.split()[-1] == "县水利局", row
    if format_ != "pdf":
        assert f"{NAMES[0]}\t县水利局" in lines


@pytest.mark.parametrize(
    ("name", "format_"),
    [("sheet.xlsx", "xlsx"), ("sheet.xls", "xls"), ("sheet.et", "et"), ("sheet.ods", "ods")],
)
def test_a_workbook_reads_row_by_row_under_its_sheets_name(
    documents: dict[str, bytes], workers: Workers, name: str, format_: str
) -> None:
    result = run(workers, documents[name], name)
    assert isinstance(result, Extracted), result
    assert (result.format, result.pages) == (format_, 1)
    lines = result.text.splitlines()
    assert lines[0] == "sheet"  # the sheet's name, as LibreOffice names a CSV's sheet
    assert lines[1:6] == [
        "序号\t姓名\t单位\t得分",
        *(f"{i}\t{n}\t县教育局\t{90 + i}" for i, n in enumerate(NAMES, start=1)),
    ]


@pytest.mark.parametrize("name", ["secret-notice.pdf", "secret-notice.docx", "secret-notice.doc"])
def test_a_file_with_a_password_is_encrypted(
    documents: dict[str, bytes], workers: Workers, name: str
) -> None:
    result = run(workers, documents[name], name.removeprefix("secret-"))
    assert isinstance(result, ExtractError) and result.kind == "encrypted", result
    assert run(workers, documents["notice.docx"], "notice.docx").format == "docx"  # type: ignore[union-attr]


def test_the_bytes_tell_the_format_and_the_name_only_breaks_ties(
    documents: dict[str, bytes],
) -> None:
    assert sniff(documents["notice.docx"], "附件.pdf") == "docx"
    assert sniff(documents["notice.doc"]) == "doc"
    assert sniff(documents["notice.doc"], "附件1.WPS") == "wps"
    assert sniff(documents["sheet.xls"], "", "application/kset") == "et"
    assert sniff(documents["sheet.ods"], "x.xlsx") == "ods"
    assert sniff(documents["notice.pdf"][:500], "http://x.gov.cn/a.doc?id=1") == "pdf"
    assert sniff(documents["secret-notice.docx"], "附件.docx") == "docx"
    assert sniff(b"plain text", "readme.txt") is None
    assert sniff(documents["notice.docx"][:300], "附件.docx") == "docx"  # damaged: malformed
    assert sniff(documents["notice.docx"][:300]) is None


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_bomb(documents: dict[str, bytes]) -> bytes:
    """The real DOCX plus a member of zeros that inflates past MAX_UNPACKED."""
    with zipfile.ZipFile(io.BytesIO(documents["notice.docx"])) as real:
        members = {name: real.read(name) for name in real.namelist()}
    members["word/media/padding.bin"] = bytes(MAX_UNPACKED + 1)
    return _zip(members)


def _broken_fib(doc: bytes) -> bytes:
    """The WordDocument stream's wIdent (0xA5EC) overwritten: the FIB is not Word's."""
    at = _word_stream(doc)
    return doc[:at] + b"\x00\x00" + doc[at + 2 :]


def _hostile(documents: dict[str, bytes]) -> list[tuple[str, bytes, str]]:
    """(name, bytes, the kind it must fail with)."""
    pdf = documents["notice.pdf"]
    entities = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'
    return [
        ("bomb.pdf", pdf_bomb(4 << 30), "crashed"),  # PDFium aborts at the memory cap
        ("bomb.docx", _zip_bomb(documents), "too-large"),
        ("truncated.pdf", pdf[: len(pdf) // 3], "malformed"),
        ("random.pdf", os.urandom(20_000), "malformed"),
        ("not-a-zip.docx", "这不是压缩文件".encode() * 100, "malformed"),
        ("broken-fib.doc", _broken_fib(documents["notice.doc"]), "malformed"),
        (
            "dtd.docx",
            _zip({"[Content_Types].xml": entities, "word/document.xml": entities}),
            "malformed",
        ),
        ("cut.xlsx", documents["sheet.xlsx"][:-200], "malformed"),
        (
            "slides.pptx",
            _zip({"[Content_Types].xml": b"<Types/>", "ppt/a.xml": b"<a/>"}),
            "unsupported",
        ),
        ("noname", b"just some bytes", "unsupported"),
    ]


def test_each_hostile_file_costs_only_itself(documents: dict[str, bytes], workers: Workers) -> None:
    for name, data, kind in _hostile(documents):
        result = run(workers, data, name)
        assert isinstance(result, ExtractError), (name, result)
        assert result.kind == kind, (name, result)
        assert str(result), name
        # the next file, in the same set of workers, still reads
        after = run(workers, documents["notice.doc"], "notice.doc")
        assert isinstance(after, Extracted) and NAMES[0] in after.text, (name, after)


def test_a_long_pdf_is_read_to_the_caps_and_says_so(workers: Workers) -> None:
    result = run(workers, pdf_pages([f"page {i} " + "x" * 1500 for i in range(500)]), "a.pdf")
    assert isinstance(result, Extracted), result
    assert result.pages == 500
    assert result.notes == (f"the first {MAX_PAGES} of 500 pages", "text cut at 200,000 characters")
    assert len(result.text) <= MAX_CHARS and "page 120 " in result.text
    assert "page 199 " not in result.text  # past 200,000 characters


def test_a_scanned_pdf_without_text_is_empty_not_an_error(workers: Workers) -> None:
    result = run(workers, pdf_pages(["", ""]), "scan.pdf")
    assert isinstance(result, Extracted) and (result.text, result.pages) == ("", 2)


def test_a_call_over_its_time_is_over_time(documents: dict[str, bytes]) -> None:
    with Workers(size=1, preload=["hub.extract"], memory=MEMORY) as slow:
        # the bomb inflates for seconds before the cap stops it: 0.2 s is less
        result = run(slow, pdf_bomb(4 << 30), "bomb.pdf", limit=0.2)
        assert isinstance(result, ExtractError) and result.kind == "over-time", result


def test_failures_map_to_their_kinds() -> None:
    assert failure(MemoryError()).kind == "over-memory"
    assert failure(WorkError("took more than 1s", over_time=True)).kind == "over-time"
    assert failure(WorkError("the worker process died (killed by SIGSEGV)")).kind == "crashed"
    own = ExtractError("the PDF needs a password", "encrypted")
    assert failure(own) is own
    assert {"over-memory", "over-time", "crashed", "encrypted"} <= set(EXTRACT_KINDS)


def test_an_extract_error_keeps_its_kind_across_processes(workers: Workers) -> None:
    result = run(workers, b"%PDF-1.7 nothing more", "x.pdf")
    assert isinstance(result, ExtractError) and result.kind == "malformed"
    assert "PDFium" in str(result)


def test_the_soffice_helper_is_found_where_ci_installs_it() -> None:
    # (a guard for the skip above: CI installs LibreOffice, so its soffice must be found)
    if os.environ.get("HUB_REQUIRE_OFFICE") == "1":
        assert SOFFICE and shutil.which(Path(SOFFICE).name)

"""Attachments' bytes → text (PDF, DOCX/XLSX, DOC/XLS, Kingsoft WPS/ET, ODT/ODS), within
caps; no IO, no clock. Run it in a `hub.workers` child with a memory cap: a hostile file
must cost only itself. `failure` says what a worker's exception means for a file.

Kingsoft WPS Office: .wps (Writer) and .et (Spreadsheets) are read: they are Word 97-2003
and BIFF8 files under other names; WPS's own .docx/.xlsx are OOXML. Not read: .dps
presentations (nor .ppt/.pptx), templates (.wpt/.ett), and WPS's pre-2005 formats."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hub.errors import WorkError
from hub.extract import doc, odf, ooxml, pdf, sheets
from hub.extract.reading import (
    MAX_CHARS,
    MAX_PAGES,
    MAX_UNPACKED,
    Extracted,
    ExtractError,
    Full,
    Reading,
)
from hub.extract.sniffing import page, signed, sniff, sniffed
from hub.models import ExtractKind

__all__ = [
    "MAX_CHARS",
    "MAX_PAGES",
    "MAX_UNPACKED",
    "ExtractError",
    "ExtractKind",
    "Extracted",
    "extract",
    "failure",
    "page",
    "signed",
    "sniff",
]

log = logging.getLogger(__name__)

READERS: dict[str, Callable[[bytes, Reading], None]] = {
    "pdf": pdf.read,
    "docx": ooxml.read_docx,
    "xlsx": ooxml.read_xlsx,
    "odt": odf.read,
    "ods": odf.read,
    "doc": doc.read,
    "wps": doc.read,
    "xls": sheets.read,
    "et": sheets.read,
}


def extract(data: bytes, name: str = "", content_type: str = "") -> Extracted:
    """The text of a document; an ExtractError saying why not. `name` (a file name or
    address) and `content_type` only break ties: the bytes say what a file is."""
    found = sniffed(data, name, content_type)
    if found.encrypted:
        raise ExtractError("an encrypted Office file (a password to open)", "encrypted")
    if found.format is None:
        if found.claimed:
            raise ExtractError(f"its bytes are not those of a {found.claimed} file", "malformed")
        raise ExtractError("not a document hub reads (PDF, Word, Excel, WPS, ODF)", "unsupported")
    reading = Reading()
    try:
        READERS[found.format](data, reading)
    except Full:
        pass  # the text holds all it may: what is left is noted as cut
    except (ExtractError, MemoryError):
        raise
    except RecursionError as exc:
        raise ExtractError(f"its {found.format} nests too deeply", "malformed") from exc
    except Exception as exc:  # a library's failure on hostile bytes is theirs, not hub's
        log.debug("reading a %s file failed", found.format, exc_info=True)
        message = f"the {found.format} file cannot be read: {type(exc).__name__}: {exc}"
        raise ExtractError(message, "malformed") from exc
    return reading.result(found.format)


def failure(exc: BaseException) -> ExtractError:
    """What an exception out of `workers.run(extract, ...)` means for the file: its own
    ExtractError, a call over its time ("over-time"), over the child's memory cap
    ("over-memory"), or a child killed by native code or the kernel ("crashed")."""
    if isinstance(exc, ExtractError):
        return exc
    kind: ExtractKind = "crashed"
    if isinstance(exc, MemoryError):
        kind = "over-memory"
    elif isinstance(exc, WorkError) and exc.over_time:
        kind = "over-time"
    error = ExtractError(f"{kind}: {type(exc).__name__}: {exc}", kind)
    error.__cause__ = exc
    return error

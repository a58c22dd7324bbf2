"""PDF through PDFium (pypdfium2): the text of at most MAX_PAGES pages, each page and its
text page closed as soon as it is read. A scanned PDF has no text: that is empty text,
not an error (hub does no OCR)."""

from __future__ import annotations

import logging

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from hub.extract.reading import MAX_PAGES, ExtractError, Reading

log = logging.getLogger(__name__)


def _document(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractError("the PDF needs a password to open", "encrypted") from exc
        raise ExtractError(f"PDFium cannot open it: {exc}", "malformed") from exc


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return str(textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        page.close()


def read(data: bytes, reading: Reading) -> None:
    document = _document(data)
    try:
        count = len(document)
        reading.pages = count
        if count > MAX_PAGES:
            reading.note(f"the first {MAX_PAGES} of {count} pages")
        unread = 0
        for index in range(min(count, MAX_PAGES)):
            try:
                text = _page_text(document, index)
            except pdfium.PdfiumError as exc:  # one damaged page costs only itself
                log.debug("page %d: %s", index + 1, exc)
                unread += 1
                continue
            reading.add(text + "\n\n")
        if unread:
            reading.note(f"{unread} page(s) could not be read")
    finally:
        document.close()

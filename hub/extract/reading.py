"""What every reader of attachments shares: the result, the error and its kinds, the caps,
and the text as it is read (cut at MAX_CHARS, which stops the reader)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.errors import HubError
from hub.models import ExtractKind

MAX_CHARS = 200_000  # characters of text kept from one file: a 公示 list, a policy's text
MAX_PAGES = 200  # pages of a PDF read (and sheets of a workbook)
MAX_UNPACKED = 100 * 1024 * 1024  # bytes a DOCX/XLSX/ODF zip may unpack to, all members


@dataclass(frozen=True)
class Extracted:
    """The text of one attachment, and what was left out of it."""

    text: str  # plain text, paragraphs and rows on their own lines, cells apart by tabs
    format: str  # as sniffed: "pdf", "docx", "xlsx", "doc", "xls", "wps", "et", "odt", "ods"
    pages: int  # pages of a PDF, sheets of a workbook, 1 otherwise
    notes: tuple[str, ...] = ()  # what was left out: "the first 200 of 500 pages"


class ExtractError(HubError):
    """An attachment whose text could not be read; `kind` says why, in one stable word."""

    def __init__(self, message: str, kind: ExtractKind) -> None:
        super().__init__(message)
        self.kind: ExtractKind = kind

    def __reduce__(self) -> tuple[type[ExtractError], tuple[str, ExtractKind]]:
        # it crosses from a worker process: pickle must rebuild it with its kind
        return (type(self), (str(self), self.kind))


class Full(Exception):  # noqa: N818 (not an error: the text has all it may hold)
    """Raised by `Reading.add` once MAX_CHARS are held, to stop the reader early."""


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_LINE_ENDS = re.compile(r"[ \t\u3000]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Lines as a reader of the text expects them: no control characters, no spaces at a
    line's end, at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROLS.sub("", text)
    text = _LINE_ENDS.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


class Reading:
    """A reader's findings so far: text up to `limit` characters, pages, notes."""

    def __init__(self, limit: int = MAX_CHARS) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._limit = limit
        self.cut = False
        self.pages = 1
        self.notes: list[str] = []

    def add(self, text: str) -> None:
        room = self._limit - self._size
        if len(text) >= room:
            self._parts.append(text[:room])
            self._size = self._limit
            if len(text) > room:
                self.cut = True
                raise Full
            return
        self._parts.append(text)
        self._size += len(text)

    def note(self, what: str) -> None:
        self.notes.append(what)

    def result(self, format_: str) -> Extracted:
        notes = list(self.notes)
        if self.cut:
            notes.append(f"text cut at {self._limit:,} characters")
        return Extracted(tidy("".join(self._parts)), format_, self.pages, tuple(notes))

"""ODT and ODS (OpenDocument, as LibreOffice and WPS write them): content.xml's
paragraphs, headings, lists and tables; a spreadsheet's tables are its sheets, each
headed by its name. Annotations (comments) are left out."""

from __future__ import annotations

from hub.extract.markup import Flow, walk
from hub.extract.reading import MAX_PAGES, ExtractError, Reading
from hub.extract.zipped import member, open_zip

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (TABLE + "table-cell", TABLE + "covered-table-cell")


class _Content:
    def __init__(self, reading: Reading, sheets: bool) -> None:
        self.reading, self.sheets = reading, sheets
        self.flow = Flow(reading)
        self.skipped = 0  # inside an annotation
        self.tables = 0
        self.depth = 0  # of tables, to tell a sheet from a table in a cell
        self.repeat = 1
        self.paragraphs = 0  # text counts only inside a paragraph (not the layout between)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == OFFICE + "annotation":
            self.skipped += 1
        elif self.skipped:
            return
        elif name in (TEXT + "p", TEXT + "h"):
            self.paragraphs += 1
        elif name == TEXT + "tab":
            self.flow.add("\t")
        elif name == TEXT + "line-break":
            self.flow.add("\n")
        elif name == TEXT + "s":
            self.flow.add(" " * min(_count(attrs.get(TEXT + "c", "1")), 100))
        elif name == TABLE + "table":
            self._table(attrs)
        elif name in _CELLS:
            self.repeat = _count(attrs.get(TABLE + "number-columns-repeated", "1"))
            self.flow.cell_start()

    def _table(self, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.flow.table_start()
        if self.depth == 1:
            self.tables += 1
            if self.sheets and self.tables <= MAX_PAGES:
                self.reading.add(attrs.get(TABLE + "name", "") + "\n")

    def end(self, name: str) -> None:
        if name == OFFICE + "annotation":
            self.skipped -= 1
        elif self.skipped:
            return
        elif name in (TEXT + "p", TEXT + "h"):
            self.paragraphs -= 1
            self.flow.paragraph_end()
        elif name in _CELLS:
            self.flow.cell_end(self.repeat)
            self.repeat = 1
        elif name == TABLE + "table-row":
            self.flow.row_end()
        elif name == TABLE + "table":
            self.depth -= 1
            self.flow.table_end()
            if self.sheets and self.depth == 0:
                self.reading.add("\n")

    def text(self, data: str) -> None:
        if self.paragraphs and not self.skipped:
            self.flow.add(data)


def _count(value: str) -> int:
    return int(value) if value.isdigit() else 1


def read(data: bytes, reading: Reading) -> None:
    with open_zip(data) as archive:
        kind = (member(archive, "mimetype") or b"").decode("ascii", "replace")
        content = member(archive, "content.xml")
        if content is None:
            raise ExtractError("an OpenDocument file without content.xml", "malformed")
        sheets = kind.endswith(".spreadsheet")
        reader = _Content(reading, sheets)
        walk(content, reader.start, reader.end, reader.text, "content.xml")
        if sheets:
            reading.pages = reader.tables

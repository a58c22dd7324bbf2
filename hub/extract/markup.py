"""The XML parts of OOXML and ODF files, read safely, and the flow of their text into
lines: paragraphs on their own lines, a table's row on one line, its cells apart by tabs.

No part of either format has a DTD, so one that declares a DTD or an entity is refused
outright: no entity is ever expanded (billion laughs) nor fetched (external entities)."""

from __future__ import annotations

from collections.abc import Callable
from xml.parsers import expat

from hub.extract.reading import ExtractError, Reading

Start = Callable[[str, dict[str, str]], None]
End = Callable[[str], None]
Text = Callable[[str], None]


def _refuse(*_: object) -> None:
    raise ExtractError(
        "an XML part declares a DTD or an entity, which these formats never do", "malformed"
    )


def walk(data: bytes, start: Start, end: End, text: Text, part: str = "") -> None:
    """Parse `data`, calling back with each element's name (`namespace}local`), its
    attributes (named alike) and text. A handler's exception (`Full`) ends the walk."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ExtractError(
            f"the XML part {part or ''} is not well-formed: {exc}", "malformed"
        ) from exc


class Flow:
    """Text pieces into lines: a paragraph ends its line, except in a table's cell, where
    its paragraphs are joined by a space; a row's cells are joined by tabs. A table in a
    cell is read as that cell's text."""

    def __init__(self, reading: Reading) -> None:
        self._reading = reading
        self._tables = 0  # depth of tables: only the outermost one makes rows and cells
        self._row: list[str] = []
        self._cell: list[str] | None = None

    def add(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)
        else:
            self._reading.add(text)

    def paragraph_end(self) -> None:
        self.add(" " if self._cell is not None else "\n")

    def table_start(self) -> None:
        self._tables += 1

    def table_end(self) -> None:
        self._tables -= 1

    def cell_start(self) -> None:
        if self._tables <= 1:
            self._cell = []

    def cell_end(self, repeat: int = 1) -> None:
        if self._tables > 1 or self._cell is None:
            self.add(" ")
            return
        value = "".join(self._cell).replace("\n", " ").strip()
        self._cell = None
        # a repeated cell is written once per column (ODF), a run of empty ones as one
        self._row.extend([value] * (min(repeat, 64) if value else 1))

    def row_end(self) -> None:
        if self._tables > 1:
            return
        cells, self._row = self._row, []
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            self._reading.add("\t".join(cells) + "\n")

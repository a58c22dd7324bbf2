"""DOCX and XLSX (Office Open XML, as Word, Excel, WPS and LibreOffice write them): a
document's paragraphs, tabs and tables; a workbook's cells, row by row, sheet by sheet.
Only the main document of a DOCX is read: not its headers, footers, notes or comments."""

from __future__ import annotations

import posixpath
import zipfile

from hub.extract.markup import Flow, walk
from hub.extract.reading import MAX_PAGES, ExtractError, Reading
from hub.extract.zipped import member, open_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CT = "http://schemas.openxmlformats.org/package/2006/content-types}"
PR = "http://schemas.openxmlformats.org/package/2006/relationships}"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _part(archive: zipfile.ZipFile, name: str, required: bool = True) -> bytes:
    data = member(archive, name)
    if data is None:
        if required:
            raise ExtractError(f"the part {name} is missing", "malformed")
        return b""
    return data


def _main_part(archive: zipfile.ZipFile, kind: str, default: str) -> str:
    """The main part's name, as [Content_Types].xml declares it (`...main+xml`)."""
    found: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        content_type = attrs.get("ContentType", "")
        if name == CT + "Override" and kind in content_type and ".main+xml" in content_type:
            found.append(attrs.get("PartName", "").lstrip("/"))

    walk(_part(archive, "[Content_Types].xml"), start, lambda _: None, lambda _: None)
    return found[0] if found and found[0] else default


class _Word:
    """w:t text, w:tab, w:br; w:p ends a line; w:tbl, w:tr, w:tc make rows of cells. Field
    codes (w:instrText) and deleted text (w:delText) are not w:t, so they are left out; an
    mc:Fallback repeats its mc:Choice, so it is skipped."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.in_text = False
        self.fallback = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == MC + "Fallback":
            self.fallback += 1
        elif self.fallback:
            return
        elif name == W + "t":
            self.in_text = True
        elif name == W + "tab":
            self.flow.add("\t")
        elif name in (W + "br", W + "cr"):
            self.flow.add("\n")
        elif name == W + "tbl":
            self.flow.table_start()
        elif name == W + "tc":
            self.flow.cell_start()

    def end(self, name: str) -> None:
        if name == MC + "Fallback":
            self.fallback -= 1
        elif self.fallback:
            return
        elif name == W + "t":
            self.in_text = False
        elif name == W + "p":
            self.flow.paragraph_end()
        elif name == W + "tc":
            self.flow.cell_end()
        elif name == W + "tr":
            self.flow.row_end()
        elif name == W + "tbl":
            self.flow.table_end()

    def text(self, data: str) -> None:
        if self.in_text and not self.fallback:
            self.flow.add(data)


def read_docx(data: bytes, reading: Reading) -> None:
    with open_zip(data) as archive:
        document = _main_part(archive, "wordprocessingml", "word/document.xml")
        word = _Word(Flow(reading))
        walk(_part(archive, document), word.start, word.end, word.text, document)


def _strings(data: bytes) -> list[str]:
    """The shared strings: each <si>'s <t> text, less phonetic runs (<rPh>)."""
    strings: list[str] = []
    current: list[str] = []
    state = {"t": False, "rph": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == S + "t":
            state["t"] = True
        elif name == S + "rPh":
            state["rph"] += 1

    def end(name: str) -> None:
        if name == S + "t":
            state["t"] = False
        elif name == S + "rPh":
            state["rph"] -= 1
        elif name == S + "si":
            strings.append("".join(current))
            current.clear()

    def text(value: str) -> None:
        if state["t"] and not state["rph"]:
            current.append(value)

    walk(data, start, end, text, "sharedStrings")
    return strings


def _number(value: str) -> str:
    """A stored number as a person would type it: 12, not 12.0."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value


class _Sheet:
    """A worksheet's cells: shared strings (t="s"), inline strings, numbers, booleans,
    formulas' cached values (not the formulas), row by row."""

    def __init__(self, flow: Flow, strings: list[str]) -> None:
        self.flow, self.strings = flow, strings
        self.kind = ""
        self.value: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == S + "c":
            self.kind = attrs.get("t", "n")
            self.flow.cell_start()
        elif name in (S + "v", S + "t"):
            self.value = []

    def end(self, name: str) -> None:
        if name in (S + "v", S + "t") and self.value is not None:
            self.flow.add(self._shown("".join(self.value)))
            self.value = None
        elif name == S + "c":
            self.flow.cell_end()
        elif name == S + "row":
            self.flow.row_end()

    def _shown(self, raw: str) -> str:
        if self.kind == "s":
            index = int(raw) if raw.strip().isdigit() else -1
            return self.strings[index] if 0 <= index < len(self.strings) else ""
        if self.kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        return _number(raw) if self.kind == "n" else raw

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)


def _sheets(archive: zipfile.ZipFile, workbook: str) -> list[tuple[str, str]]:
    """(name, part) of each sheet, in the workbook's order."""
    folder = posixpath.dirname(workbook)
    rels = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    sheets: list[tuple[str, str]] = []

    def relation(name: str, attrs: dict[str, str]) -> None:
        if name == PR + "Relationship":
            target = attrs.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets[attrs.get("Id", "")] = posixpath.normpath(part)

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if name == S + "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(R + "id", "")))

    walk(_part(archive, rels), relation, lambda _: None, lambda _: None, rels)
    walk(_part(archive, workbook), sheet, lambda _: None, lambda _: None, workbook)
    return [(name, targets[rid]) for name, rid in sheets if rid in targets]


def read_xlsx(data: bytes, reading: Reading) -> None:
    with open_zip(data) as archive:
        workbook = _main_part(archive, "spreadsheetml", "xl/workbook.xml")
        sheets = _sheets(archive, workbook)
        reading.pages = len(sheets)
        if len(sheets) > MAX_PAGES:
            reading.note(f"the first {MAX_PAGES} of {len(sheets)} sheets")
        shared = posixpath.join(posixpath.dirname(workbook), "sharedStrings.xml")
        strings = _strings(_part(archive, shared, required=False) or b"<sst/>")
        flow = Flow(reading)
        for name, part in sheets[:MAX_PAGES]:
            reading.add(f"{name}\n")
            sheet = _Sheet(flow, strings)
            walk(_part(archive, part), sheet.start, sheet.end, sheet.text, part)
            reading.add("\n")

"""Tables -> an Excel workbook (.xlsx) that Excel and WPS open; owns openpyxl. No files:
the workbook comes back as bytes for the caller to write."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hub.audited import Sheet

HEADER = PatternFill("solid", fgColor="DDE6F0")
WIDEST = 60  # characters: a longer cell wraps
SHEET_TITLE = 31  # characters Excel allows in a sheet's name (and not \ / * ? : [ ])


def workbook(title: str, sheets: Sequence[Sheet], now: datetime) -> bytes:
    """One sheet a table: its header row frozen, bold and repeated on each printed page,
    columns as wide as their text (a CJK character counting two), A4 landscape."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = title
    book.properties.creator = "hub"
    book.properties.created = book.properties.modified = now.replace(tzinfo=None)
    for table in sheets:
        sheet = book.create_sheet(re.sub(r"[\\/*?:\[\]]", "、", table.title)[:SHEET_TITLE])
        sheet.append([_text(value) for value in table.columns])
        for row in table.rows:
            sheet.append([_text(value) for value in row])
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula (=, +, -, @ from a name)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for n, column in enumerate(zip(table.columns, *table.rows, strict=False), start=1):
            width = max(_width(str(value)) for value in column) + 2
            sheet.column_dimensions[get_column_letter(n)].width = min(width, WIDEST)
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddHeader.center.text = f"{title} · {table.title}"
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        if table.note:
            sheet.oddFooter.left.text = table.note[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: object) -> object:
    """Text without the control characters XML 1.0 forbids (openpyxl refuses a workbook
    with one); numbers and dates as they are."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

"""XLS workbooks (BIFF5/BIFF8, Excel 95-2003) through xlrd, and Kingsoft's .et, which is
the same format: each sheet's name, then its rows, cells apart by tabs; dates as dates."""

from __future__ import annotations

import xlrd

from hub.extract.reading import MAX_PAGES, ExtractError, Reading


class _Quiet:
    """xlrd's log: it writes warnings to stdout unless given somewhere else."""

    def write(self, _: str) -> int:
        return 0


def _date(value: float, datemode: int) -> str:
    try:
        moment = xlrd.xldate.xldate_as_datetime(value, datemode)
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return str(value)
    return moment.date().isoformat() if moment.time() == moment.min.time() else str(moment)


def _shown(cell: xlrd.sheet.Cell, datemode: int) -> str:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        shown = ""
    elif kind == xlrd.XL_CELL_NUMBER:
        number = float(cell.value)
        shown = str(int(number)) if number.is_integer() and abs(number) < 1e15 else str(number)
    elif kind == xlrd.XL_CELL_DATE:
        shown = _date(cell.value, datemode)
    elif kind == xlrd.XL_CELL_BOOLEAN:
        shown = "TRUE" if cell.value else "FALSE"
    elif kind == xlrd.XL_CELL_ERROR:
        shown = str(xlrd.error_text_from_code.get(cell.value, "#ERR"))
    else:
        shown = str(cell.value).replace("\n", " ").strip()
    return shown


def read(data: bytes, reading: Reading) -> None:
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=_Quiet(), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractError(
                "the workbook is encrypted (a password to open)", "encrypted"
            ) from exc
        raise ExtractError(f"xlrd cannot read it: {exc}", "malformed") from exc
    try:
        names = book.sheet_names()
        reading.pages = len(names)
        if len(names) > MAX_PAGES:
            reading.note(f"the first {MAX_PAGES} of {len(names)} sheets")
        for index, name in enumerate(names[:MAX_PAGES]):
            sheet = book.sheet_by_index(index)
            reading.add(f"{name}\n")
            for row in range(sheet.nrows):
                cells = [_shown(cell, book.datemode) for cell in sheet.row(row)]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    reading.add("\t".join(cells) + "\n")
            reading.add("\n")
            book.unload_sheet(index)
    finally:
        book.release_resources()

"""Word 97-2003 binary documents (.doc), and Kingsoft WPS Writer's .wps, which is the same
format: the FIB says where the piece table is (the Clx in the 0Table or 1Table stream);
each piece is cp1252 bytes ("compressed", at fc/2) or UTF-16LE (Chinese text always is).

Read: the main document's text. Not read: headers, footers, footnotes, comments, text
boxes; Word 6/95 files (another FIB) are "unsupported". A field's code is dropped and its
result kept. A table cell ends with U+0007 and so does its row: two in a row end a row,
which also reads an empty cell in the middle of a row as a row's end."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import olefile

from hub.extract.reading import MAX_CHARS, ExtractError, Reading

_IDENT = 0xA5EC  # wIdent of a Word binary file
_WORD97 = 0x00C1  # nFib of Word 97; Word 6/95 files are older and laid out differently
_ENCRYPTED, _WHICH_TABLE, _OBFUSCATED = 0x0100, 0x0200, 0x8000
_CLX_PAIR = 33  # fcClx/lcbClx is the 34th pair of FibRgFcLcb97


@dataclass(frozen=True)
class Fib:
    """What hub needs of the File Information Block at the start of WordDocument."""

    flags: int
    text_length: int  # ccpText: characters of the main document
    clx: tuple[int, int]  # (fcClx, lcbClx) in the table stream

    @property
    def table(self) -> str:
        return "1Table" if self.flags & _WHICH_TABLE else "0Table"


def fib(word: bytes) -> Fib:
    try:
        ident, version = struct.unpack_from("<HH", word, 0)
        (flags,) = struct.unpack_from("<H", word, 0x0A)
        if ident != _IDENT:
            raise ExtractError("its WordDocument stream does not start as Word's does", "malformed")
        if flags & (_ENCRYPTED | _OBFUSCATED):
            raise ExtractError("the document is encrypted (a password to open)", "encrypted")
        if version < _WORD97:
            raise ExtractError(f"a Word 6/95 document (nFib {version:#x})", "unsupported")
        (csw,) = struct.unpack_from("<H", word, 32)
        longs = 34 + csw * 2
        (cslw,) = struct.unpack_from("<H", word, longs)
        (text_length,) = struct.unpack_from("<i", word, longs + 2 + 3 * 4)
        pairs = longs + 2 + cslw * 4
        (count,) = struct.unpack_from("<H", word, pairs)
        if count <= _CLX_PAIR or cslw < 4:
            raise ExtractError("its FIB is too short to locate the text", "malformed")
        clx = struct.unpack_from("<II", word, pairs + 2 + _CLX_PAIR * 8)
    except struct.error as exc:
        raise ExtractError(f"its FIB is cut short: {exc}", "malformed") from exc
    return Fib(flags, max(0, text_length), (clx[0], clx[1]))


def pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """The piece table: (first cp, cp after, fc, compressed) of each piece."""
    clx = table[fc_clx : fc_clx + lcb_clx]
    if len(clx) < lcb_clx or not clx:
        raise ExtractError("its piece table lies outside the table stream", "malformed")
    at = 0
    try:
        while clx[at] == 0x01:  # Prc: property modifiers, skipped
            (size,) = struct.unpack_from("<h", clx, at + 1)
            at += 3 + max(0, size)
        if clx[at] != 0x02:
            raise ExtractError("its piece table has no Pcdt", "malformed")
        (lcb,) = struct.unpack_from("<I", clx, at + 1)
        plc = clx[at + 5 : at + 5 + lcb]
        n = (len(plc) - 4) // 12
        if n < 1 or len(plc) < lcb:
            raise ExtractError("its piece table is cut short", "malformed")
        cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
        found = []
        for i in range(n):
            (value,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)
            compressed = bool(value & 0x40000000)
            fc = value & 0x3FFFFFFF
            found.append((cps[i], cps[i + 1], fc // 2 if compressed else fc, compressed))
    except (IndexError, struct.error) as exc:
        raise ExtractError(f"its piece table is damaged: {exc}", "malformed") from exc
    return found


def raw_text(word: bytes, fib_: Fib, table: bytes, limit: int = 2 * MAX_CHARS) -> str:
    """The main document's characters, field codes and control marks still in."""
    parts: list[str] = []
    size = 0
    for first, end, fc, compressed in pieces(table, *fib_.clx):
        after = min(end, fib_.text_length)  # the main document only, not notes or headers
        if after <= first:
            continue
        count = min(after - first, limit - size)
        width = 1 if compressed else 2
        chunk = word[fc : fc + count * width]
        if len(chunk) < count * width:
            raise ExtractError("a piece of its text lies outside the document", "malformed")
        parts.append(chunk.decode("cp1252" if compressed else "utf-16-le", "replace"))
        size += count
        if size >= limit:
            break
    return "".join(parts)


_ROW_END = re.compile("(?<=\x07)\x07(?!\x07)")  # the last of two or more cell marks
_FIELD_MARKS = re.compile("[\x13\x14\x15]")
_CONTROLS = str.maketrans(
    {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x1e": "-", "\x1f": None, "\x07": "\t"}
)


def _without_codes(text: str) -> str:
    """A field is U+0013 code [U+0014 result] U+0015, and may nest: keep the results."""
    if "\x13" not in text:
        return text
    kept: list[str] = []
    fields: list[bool] = []  # for each open field: still in its code?
    at = 0
    for mark in _FIELD_MARKS.finditer(text):
        if not any(fields):
            kept.append(text[at : mark.start()])
        at = mark.end()
        if mark.group() == "\x13":
            fields.append(True)
        elif mark.group() == "\x14" and fields:
            fields[-1] = False
        elif mark.group() == "\x15" and fields:
            fields.pop()
    if not any(fields):
        kept.append(text[at:])
    return "".join(kept)


def clean(text: str) -> str:
    text = _without_codes(text)
    text = _ROW_END.sub("\r", text)
    return text.translate(_CONTROLS)


def _stream(ole: olefile.OleFileIO, name: str) -> bytes:
    if not ole.exists(name):
        raise ExtractError(f"it has no {name} stream", "malformed")
    return bytes(ole.openstream(name).read())


def read(data: bytes, reading: Reading) -> None:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))  # (bytes could be taken for a path)
    except OSError as exc:
        raise ExtractError(f"not a readable OLE compound file: {exc}", "malformed") from exc
    with ole:
        word = _stream(ole, "WordDocument")
        fib_ = fib(word)
        table = _stream(ole, fib_.table)
        reading.add(clean(raw_text(word, fib_, table)))

"""How Chinese text is compared, wherever hub compares it (routing keywords, search);
owns zhconv. Folding is character for character, so offsets in a folded text are offsets
in the original: full-width letters and digits become ASCII, letters lower case, and
for search, traditional characters their simplified forms."""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from typing import Any


def _import_zhconv() -> Any:
    """zhconv, imported without setuptools' pkg_resources. zhconv looks for it only to
    open its own data file, and opens the file by its path where it is absent (as in
    Python 3.12's virtual environments); importing it costs more than all of zhconv and
    warns of its own removal. The data is then read from the path, inside a `with`
    (zhconv's default leaves the file open)."""
    absent = "pkg_resources" not in sys.modules
    if absent:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import zhconv  # noqa: PLC0415
    finally:
        if absent:
            del sys.modules["pkg_resources"]
    zhconv.loaddict(str(files("zhconv").joinpath("zhcdict.json")))
    return zhconv


zhconv = _import_zhconv()
_tables = zhconv.zhconv  # its tables

_SCRIPTS = ("zh-cn", "zh-hant", "zh-tw", "zh-hk")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Full-width letters and digits (ＡＢＣ, ０１２) to ASCII; full-width punctuation (，。：)
# is how Chinese is written and is left alone.
_WIDE = {
    cp: cp - 0xFEE0
    for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_FOLDABLE = re.compile(r"[A-Z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u0080-\u024F]")
_WIDTH = str.maketrans(_WIDE)
# One character to one character only, so offsets survive: 臺→台, 遊→游, 發→发.
_SIMPLIFIED = str.maketrans(
    {
        ord(trad): simp
        for trad, simp in _tables.zhcdicts["zh2Hans"].items()
        if len(trad) == 1 and len(simp) == 1 and trad != simp and _HAN.match(trad)
    }
    | _WIDE
)


def fold(text: str) -> str:
    """Width-folded letters and digits, case-folded. Most Chinese text has nothing to fold,
    and finding that out is far cheaper than copying it."""
    if not _FOLDABLE.search(text):
        return text
    return text.translate(_WIDTH).casefold()


def fold_width(text: str) -> str:
    """Full-width letters and digits as ASCII; nothing else changed (not even case)."""
    return text.translate(_WIDTH)


def fold_simplified(text: str) -> str:
    """`fold`, with traditional characters written simplified, and the same length as
    `text` (a character that lower-cases to two keeps its case)."""
    mapped = text.translate(_SIMPLIFIED)
    lowered = mapped.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in mapped)


def variants(keyword: str) -> set[str]:
    """The folded keyword in simplified and traditional writing (防汛, 防汛; 旅游, 旅遊)."""
    return {fold(zhconv.convert(keyword, script)) for script in _SCRIPTS} | {fold(keyword)}

"""How Chinese sounds, for finding words by ear (did-you-mean, near misses of protected
names); owns pypinyin. Its dictionaries take 0.1 s to load: imported on first use."""

from __future__ import annotations

import unicodedata
from functools import cache


def pinyin(word: str) -> str:
    """Toneless pinyin, syllables run together: 防汛 -> fangxun. Non-Han text stays."""
    from pypinyin import lazy_pinyin  # noqa: PLC0415

    return "".join(lazy_pinyin(word)).lower()


@cache
def _syllables() -> dict[int, str]:
    """Each Han character's first reading, toneless (中 -> zhong, 绿 -> lv), as one
    private-use character per syllable: two characters that sound alike map alike."""
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415

    symbols: dict[str, str] = {}
    table: dict[int, str] = {}
    for point, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        plain = "".join(
            c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c)
        ).replace("ü", "v")
        table[point] = symbols.setdefault(plain, chr(0xF0000 + len(symbols)))
    return table


def sound_alike(text: str) -> str:
    """`text` with each Han character replaced by its syllable's symbol, the same length:
    strings that sound alike (toneless) become equal (李明, 黎明; 部署, 布署)."""
    return text.translate(_syllables())

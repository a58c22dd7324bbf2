"""Finding many keywords at once, as Chinese text is written; owns ahocorasick_rs and
zhconv. Keywords match as substrings (Chinese has no word boundaries), after both sides
are width-folded and case-folded, and in their traditional forms too."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.resources import files

import ahocorasick_rs
import zhconv

_SCRIPTS = ("zh-cn", "zh-hant", "zh-tw", "zh-hk")
# zhconv opens its default dictionary without closing it (a ResourceWarning); given the
# path explicitly, it reads the same file inside a `with`. (Its own data, read once: the
# routing itself stays pure.)
zhconv.loaddict(str(files("zhconv").joinpath("zhcdict.json")))


# Full-width letters and digits (ＡＢＣ, ０１２) to ASCII; full-width punctuation (，。：)
# is how Chinese is written and is left alone on both sides.
_WIDE = str.maketrans(
    {
        cp: cp - 0xFEE0
        for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
    }
)
_FOLDABLE = re.compile(r"[A-Z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u0080-\u024F]")


def fold(text: str) -> str:
    """Width-folded letters and digits, case-folded. Most Chinese text has nothing to fold,
    and finding that out is far cheaper than copying it."""
    if not _FOLDABLE.search(text):
        return text
    return text.translate(_WIDE).casefold()


def variants(keyword: str) -> set[str]:
    """The folded keyword in simplified and traditional writing (防汛, 防汛; 旅游, 旅遊)."""
    return {fold(zhconv.convert(keyword, script)) for script in _SCRIPTS} | {fold(keyword)}


class KeywordIndex:
    """One automaton for every keyword of every rule: one pass over a text finds them all,
    overlapping ones included (防汛 inside 防汛应急演练)."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = sorted(set(keywords))
        owners: dict[str, set[str]] = {}
        for keyword in self.keywords:
            for form in variants(keyword):
                owners.setdefault(form, set()).add(keyword)
        self._forms = list(owners)
        self._owners = [frozenset(owners[form]) for form in self._forms]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._forms, matchkind=ahocorasick_rs.MatchKind.Standard)
            if self._forms
            else None
        )

    def find(self, folded: str) -> set[str]:
        """The keywords (as written in the configuration) that occur in a folded text."""
        if self._automaton is None:
            return set()
        hits: set[str] = set()
        for index, _, _ in self._automaton.find_matches_as_indexes(folded, overlapping=True):
            hits |= self._owners[index]
        return hits

"""Finding many keywords at once, as Chinese text is written; owns pyahocorasick and
zhconv. Keywords match as substrings (Chinese has no word boundaries), after both sides
are width-folded and case-folded, and in their traditional forms too."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from importlib.resources import files

import ahocorasick
import zhconv

_SCRIPTS = ("zh-cn", "zh-hant", "zh-tw", "zh-hk")
# zhconv opens its default dictionary without closing it (a ResourceWarning); given the
# path explicitly, it reads the same file inside a `with`. (Its own data, read once: the
# routing itself stays pure.)
zhconv.loaddict(str(files("zhconv").joinpath("zhcdict.json")))


def fold(text: str) -> str:
    """Full-width to half-width, compatibility forms to plain ones, and case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def variants(keyword: str) -> set[str]:
    """The folded keyword in simplified and traditional writing (防汛, 防汛; 旅游, 旅遊)."""
    return {fold(zhconv.convert(keyword, script)) for script in _SCRIPTS} | {fold(keyword)}


class KeywordIndex:
    """One automaton for every keyword of every rule: one pass over a text finds them all."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.keywords = sorted(set(keywords))
        for keyword in self.keywords:
            for form in variants(keyword):
                found = self._automaton.get(form, set())
                self._automaton.add_word(form, found | {keyword})
        self._empty = not self.keywords
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded: str) -> set[str]:
        """The keywords (as written in the configuration) that occur in a folded text."""
        if self._empty:
            return set()
        hits: set[str] = set()
        for _, keywords in self._automaton.iter(folded):
            hits |= keywords
        return hits

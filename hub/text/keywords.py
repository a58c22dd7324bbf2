"""Finding many strings at once, as Chinese text is written; owns ahocorasick_rs.
Keywords match as substrings (Chinese has no word boundaries), after both sides are
width-folded and case-folded (`hub.text`), and in their traditional forms too.
`Automaton` is the bare machine: each match with where it is (the content checks)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ahocorasick_rs

from hub.text import fold, variants

__all__ = ["KeywordIndex", "fold", "variants"]


class Automaton:
    """One pass over a text finds every occurrence of any of `strings`, overlapping ones
    included, as (index into `strings`, start, end)."""

    def __init__(self, strings: Sequence[str]) -> None:
        self._machine = (
            ahocorasick_rs.AhoCorasick(list(strings), matchkind=ahocorasick_rs.MatchKind.Standard)
            if strings
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._machine is None:
            return []
        return list(self._machine.find_matches_as_indexes(text, overlapping=True))


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

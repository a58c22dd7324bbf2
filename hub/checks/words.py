"""Word lists matched in one pass (Aho-Corasick over every entry), each match kept only
where it stands as a word: its start and end fall on word boundaries as jieba's
dictionary cuts the text around it. 大法 inside 扩大法治 (扩大|法治) and 做为 inside
叫做为人民服务 (叫做|为) are not findings; 做为一名党员 (做|为) is. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from hub.checks.lists import Entry
from hub.models import Finding
from hub.text import fold_simplified
from hub.text.keywords import Automaton
from hub.text.words import boundaries

WINDOW = 8  # characters of context cut on each side of a match to find its boundaries


class WordMatcher:
    def __init__(self, entries: Sequence[Entry]) -> None:
        first: dict[str, Entry] = {}
        for entry in entries:  # a word listed twice: the first list that names it
            first.setdefault(fold_simplified(entry.wrong), entry)
        self._words = list(first)
        self._entries = [first[w] for w in self._words]
        self._automaton = Automaton(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def find(self, text: str, folded: str, where: Literal["title", "text"]) -> Iterator[Finding]:
        """`folded`: `text` as `hub.text.fold_simplified` gives it."""
        for index, start, end in self._automaton.find(folded):
            entry = self._entries[index]
            if _excepted(folded, start, end, entry) or not stands_alone(folded, start, end):
                continue
            yield Finding(
                entry.kind,
                text[start:end],
                entry.severity,
                entry.right,
                where,
                start,
                entry.source,
            )


def _excepted(text: str, start: int, end: int, entry: Entry) -> bool:
    """Whether one of the entry's exceptions stands here, containing the match."""
    wrong = fold_simplified(entry.wrong)
    for longer in entry.unless:
        folded = fold_simplified(longer)
        at = folded.find(wrong)
        while at >= 0:
            if text[start - at : start - at + len(folded)] == folded and start >= at:
                return True
            at = folded.find(wrong, at + 1)
    return False


def stands_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] begins and ends on word boundaries."""
    left = max(0, start - WINDOW)
    cuts = boundaries(text[left : end + WINDOW])
    return start - left in cuts and end - left in cuts

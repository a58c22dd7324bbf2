"""Word lists matched in one pass (Aho-Corasick over every entry), each match kept only
where it stands as a word: its start and end fall on word boundaries as jieba's
dictionary cuts the text around it. 大法 inside 扩大法治 (扩大|法治) and 做为 inside
叫做为人民服务 (叫做|为) are not findings; 做为一名党员 (做|为) is. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Literal

from hub.checks.lists import Entry
from hub.models import Finding
from hub.text import fold_simplified
from hub.text.keywords import Automaton
from hub.text.words import boundaries

# an entry found this often inside other words in one post is not looked at further
# there (a list of nested entries, 啊啊, 啊啊啊, ..., over a long run of one character)
MAX_PASSED = 100
WINDOW = 8
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]"
)  # characters of context cut on each side of a match's end to find boundaries


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
        """`folded`: `text` as `hub.text.fold_simplified` gives it. Characters that show
        nothing (zero-width spaces, soft hyphens) do not hide a word: 内\u200b部资料 is
        内部资料, found where it stands in `text`."""
        if not _INVISIBLE.search(folded):
            yield from self._find(text, folded, where, None)
            return
        kept = [i for i, c in enumerate(folded) if not _INVISIBLE.match(c)]
        yield from self._find(text, "".join(folded[i] for i in kept), where, kept)

    def _find(
        self, text: str, folded: str, where: Literal["title", "text"], kept: list[int] | None
    ) -> Iterator[Finding]:
        found: set[int] = set()  # entries found already: one finding each, the first
        passed: Counter[int] = Counter()  # places an entry stood inside other words
        for index, start, end in self._automaton.find(folded):
            entry = self._entries[index]
            if index in found or passed[index] >= MAX_PASSED:
                continue
            if _excepted(folded, start, end, entry) or not stands_alone(folded, start, end):
                passed[index] += 1
                continue
            found.add(index)
            begin, stop = (kept[start], kept[end - 1] + 1) if kept is not None else (start, end)
            yield Finding(
                entry.kind,
                text[begin:stop],  # (in `text`, the invisible characters inside included)
                entry.severity,
                entry.right,
                where,
                begin,
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
    """Whether text[start:end] begins and ends on word boundaries, as the dictionary cuts
    the few characters around each end (a long match is not cut whole)."""
    return _on_boundary(text, start) and _on_boundary(text, end)


def _on_boundary(text: str, at: int) -> bool:
    left = max(0, at - WINDOW)
    return at - left in boundaries(text[left : at + WINDOW])

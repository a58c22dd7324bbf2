"""Every check a configuration asks for, compiled once for many posts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.resources import files

from hub.checks.basic import findings as basic_findings
from hub.checks.dates import Timing, timings
from hub.checks.dates import check as date_findings
from hub.checks.lists import Entry, ListError, Protected, read_protected, read_words
from hub.checks.protected import ProtectedMatcher, Where
from hub.checks.words import WordMatcher
from hub.config import Checks
from hub.models import Finding, Post, StoredPost
from hub.text import fold_simplified

__all__ = [
    "Checker",
    "Entry",
    "ListError",
    "Protected",
    "Timing",
    "builtin_entries",
    "read_protected",
    "read_words",
    "timings",
]

BUILTIN = "builtin.txt"


def builtin_entries(rules: Checks) -> tuple[Entry, ...]:
    text = files("hub.checks").joinpath(BUILTIN).read_text(encoding="utf-8")
    return read_words(text, "typo", rules.weight("typo"), "hub")


MAX_FINDINGS = 100  # per post: each wrong form once (its first place); more is noise


@dataclass(frozen=True)
class Checker:
    """Every check a configuration asks for, compiled once for many posts."""

    rules: Checks
    words: WordMatcher
    protected: ProtectedMatcher

    @classmethod
    def build(
        cls, rules: Checks, entries: Sequence[Entry] = (), terms: Sequence[Protected] = ()
    ) -> Checker:
        """`entries`: the county's lists, read; hub's own list is added when on."""
        listed = (*entries, *(builtin_entries(rules) if rules.builtin else ()))
        return cls(rules, WordMatcher(listed), ProtectedMatcher(terms, rules.weight("protected")))

    def text(self, post: Post) -> tuple[Finding, ...]:
        """What the post's own text holds: the same for the same content (`post.hash`)."""
        found = list(basic_findings(post, self.rules.weight))
        for text, where in ((post.title, "title"), (post.text, "text")):
            folded = fold_simplified(text)
            found += self.words.find(text, folded, where)  # type: ignore[arg-type]
            found += self.protected.find(text, folded, where)  # type: ignore[arg-type]
        return tuple(found[:MAX_FINDINGS])

    def edits(self, title: str, summary: str) -> tuple[Finding, ...]:
        """The words of the title and summary an editor gave a post on the desk (what the
        portal shows instead of the source's)."""
        found: list[Finding] = []
        where: Where
        for text, where, whose in (
            (title, "title", "the desk's title"),
            (summary, "text", "the desk's summary"),
        ):
            folded = fold_simplified(text)
            words = self.words.find(text, folded, where)
            near = self.protected.find(text, folded, where)
            found += (replace(finding, note=whose) for finding in (*words, *near))
        return tuple(found)

    def dates(
        self, stored: StoredPost, timing: Timing | None, day: Callable[[datetime], str]
    ) -> tuple[Finding, ...]:
        return tuple(date_findings(stored, self.rules.dates, timing, self.rules.weight, day))

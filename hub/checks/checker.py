"""Every check a configuration asks for, compiled once for many posts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.resources import files

from hub.checks.basic import findings as basic_findings
from hub.checks.dates import Timing
from hub.checks.dates import check as date_findings
from hub.checks.lists import BUILTIN_LIST, Entry, Protected, read_words
from hub.checks.protected import ProtectedMatcher, Where
from hub.checks.words import WordMatcher
from hub.config import Checks
from hub.models import Finding, Post, StoredPost
from hub.text import fold_simplified


def builtin_entries(rules: Checks) -> tuple[Entry, ...]:
    text = files("hub.checks").joinpath(BUILTIN_LIST).read_text(encoding="utf-8")
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
        found = [
            *basic_findings(post, self.rules.weight),
            *self._words(post.title, "title"),
            *self._words(post.text, "text"),
        ]
        return tuple(found[:MAX_FINDINGS])

    def edits(self, title: str, summary: str) -> tuple[Finding, ...]:
        """The words of the title and summary an editor gave a post on the desk (what the
        portal shows instead of the source's)."""
        return (
            *(replace(f, note="the desk's title") for f in self._words(title, "title")),
            *(replace(f, note="the desk's summary") for f in self._words(summary, "text")),
        )

    def _words(self, text: str, where: Where) -> list[Finding]:
        """The word lists' and the protected terms' findings in one field."""
        folded = fold_simplified(text)
        return [*self.words.find(text, folded, where), *self.protected.find(text, folded, where)]

    def dates(
        self, stored: StoredPost, timing: Timing | None, day: Callable[[datetime], str]
    ) -> tuple[Finding, ...]:
        return tuple(date_findings(stored, self.rules.dates, timing, self.rules.weight, day))

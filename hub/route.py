"""Which channels a post belongs in, and why. Pure: config and posts in, `Routed` out.

A post joins every channel with a matching `include` rule and no matching `exclude` rule;
inside a rule every given field must match; a keyword list matches if any keyword does.
The fallback channel takes what no other channel took.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hub.config import Channel, Rule
from hub.models import Routed, StoredPost


@dataclass(frozen=True)
class _CompiledRule:
    sources: frozenset[str]
    groups: frozenset[str]
    keywords: re.Pattern[str] | None

    @classmethod
    def of(cls, rule: Rule) -> _CompiledRule:
        pattern = None
        if rule.keywords:
            # Longest first, so the reported keyword is the most specific one that matched.
            words = sorted({k.strip() for k in rule.keywords}, key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        return cls(frozenset(rule.source), frozenset(rule.group), pattern)

    def match(self, post: StoredPost, group: str) -> str | None:
        """Why the rule matches the post, or None."""
        why = []
        if self.sources:
            if post.post.source_id not in self.sources:
                return None
            why.append(f"source {post.post.source_id}")
        if self.groups:
            if group not in self.groups:
                return None
            why.append(f"group {group}")
        if self.keywords is not None:
            found = self.keywords.search(post.post.title)
            where = "title"
            if found is None:
                found, where = self.keywords.search(post.post.text), "text"
            if found is None:
                return None
            why.append(f"keyword {found.group(0)} in {where}")
        return ", ".join(why)


@dataclass(frozen=True)
class _CompiledChannel:
    slug: str
    include: tuple[_CompiledRule, ...]
    exclude: tuple[_CompiledRule, ...]
    fallback: bool


class Router:
    """Channels compiled once, applied to many posts."""

    def __init__(self, channels: Sequence[Channel], groups: Mapping[str, str]) -> None:
        self._groups = groups  # source id -> group
        self._channels = [
            _CompiledChannel(
                c.slug,
                tuple(_CompiledRule.of(r) for r in c.include),
                tuple(_CompiledRule.of(r) for r in c.exclude),
                c.fallback,
            )
            for c in channels
        ]

    def route(self, post: StoredPost) -> Routed:
        group = self._groups.get(post.post.source_id, "")
        slugs: list[str] = []
        reasons: dict[str, str] = {}
        for channel in self._channels:
            if channel.fallback:
                continue
            why = _first(channel.include, post, group)
            if why is None or _first(channel.exclude, post, group) is not None:
                continue
            slugs.append(channel.slug)
            reasons[channel.slug] = why
        if not slugs:
            for channel in self._channels:
                if channel.fallback:
                    slugs.append(channel.slug)
                    reasons[channel.slug] = "fallback: no other channel took it"
        return Routed(post, tuple(slugs), reasons)

    def route_all(self, posts: Iterable[StoredPost]) -> list[Routed]:
        return [self.route(post) for post in posts]


def _first(rules: Sequence[_CompiledRule], post: StoredPost, group: str) -> str | None:
    for index, rule in enumerate(rules, start=1):
        why = rule.match(post, group)
        if why is not None:
            return f"rule {index}: {why}"
    return None

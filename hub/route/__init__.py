"""Which channels a post belongs in, and why. Pure: config and posts in, `Routed` out.

In this order:
1. A post joins every channel with a matching `include` rule (the first that matches is
   its reason) and no matching `exclude` rule. Inside a rule every given field must
   match; a keyword list matches if any keyword does (all_keywords: if all do).
2. Channels that share an `exclusive` group never share a post: the one with the highest
   `priority` keeps it (on a tie, the first in navigation order).
3. Overrides: `hide` takes the post off the portal; `pin` and `add` place it in their
   channels whatever the rules said, and `pin` puts it on top there.
4. The desk's decisions (`Decision`), after channels.yaml's: a post taken down, or
   outside its publish-at / take-down-at times, is off the portal; `remove` takes it out
   of channels, `add` and live pins place it. A hide in channels.yaml wins over the desk.
   An editor's title and summary replace the post's on the portal.
5. The fallback channel takes what no channel took.

Whether a channel's review policy holds a post back is `hub.route.review`'s question.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TypeVar

from hub.config import Channel, Override, Source
from hub.decisions import Decision
from hub.models import Placement, Routed, StoredPost
from hub.route.patterns import problems as pattern_problems
from hub.route.rules import CompiledRule, Facts, Outcome
from hub.text.keywords import KeywordIndex, fold

__all__ = ["Miss", "Routed", "Router", "pattern_problems", "post_ref"]

# keywords' digest -> (post id, post hash) -> the keywords in its title and in its text,
# as numbers into the sorted keywords packed in bytes (a frozenset of a hundred keywords
# took 5 KB a post: gigabytes at a million posts)
_FOUND: dict[str, dict[tuple[str, str], tuple[bytes, bytes]]] = {}
KEYWORD_SETS_KEPT = 2  # the live rules and a candidate's (the desk's preview)
FOUND_KEPT = 2_000_000  # posts per set of keywords; past this, they are scanned anew
_NONE: frozenset[str] = frozenset()
_K = TypeVar("_K")
_V = TypeVar("_V")
# rules' digest -> post id -> (the post as routed, its routing): a post routed again by
# the same rules, unchanged (the same stored value) and with no decision of the desk's,
# is routed as it was. Not where a rule asks for an age: that changes with the clock.
_ROUTED: dict[str, dict[str, tuple[StoredPost, Routed]]] = {}


@dataclass(frozen=True)
class _Channel:
    slug: str
    include: tuple[CompiledRule, ...]
    exclude: tuple[CompiledRule, ...]
    fallback: bool
    exclusive: str
    priority: int


@dataclass(frozen=True)
class Miss:
    """Why a post is not in a channel: the nearest rule and what it lacked."""

    channel: str
    reason: str


class Router:
    """Channels and overrides compiled once, applied to many posts."""

    def __init__(
        self,
        channels: Sequence[Channel],
        sources: Sequence[Source],
        zone: tzinfo,
        overrides: Sequence[Override] = (),
        decisions: Mapping[str, Decision] | None = None,
    ) -> None:
        self._groups = {s.id: s.group for s in sources}
        self._tags = {s.id: frozenset(s.tags) for s in sources}
        keys = itertools.count()
        self._channels = [
            _Channel(
                c.slug,
                tuple(CompiledRule(r, zone, next(keys)) for r in c.include),
                tuple(CompiledRule(r, zone, next(keys)) for r in c.exclude),
                c.fallback,
                c.exclusive,
                c.priority,
            )
            for c in channels
        ]
        self._slugs = frozenset(c.slug for c in self._channels)
        rules = [r for c in self._channels for r in (*c.include, *c.exclude)]
        self._index = KeywordIndex(k for r in rules for k in r.keywords)
        every = sorted({k for r in rules for k in r.keywords})
        self._every, self._number = tuple(every), {k: n for n, k in enumerate(every)}
        self._keywords = hashlib.sha256(json.dumps(every).encode()).hexdigest()[:16]
        # A rule with keywords is tried only on posts where one of them occurs where it
        # counts (a title keyword in the title), and only the channels of the rules left
        # are looked at.
        self._in_title: dict[str, set[int]] = defaultdict(set)
        self._in_text: dict[str, set[int]] = defaultdict(set)
        self._always: set[int] = set()
        self._channel_of = {r.key: n for n, c in enumerate(self._channels) for r in c.include}
        for rule in rules:
            for keyword in rule.keywords:
                self._in_title[keyword].add(rule.key)
            for keyword in (*rule.rule.keywords, *rule.rule.all_keywords):
                self._in_text[keyword].add(rule.key)
            if not rule.needs_keywords:
                self._always.add(rule.key)
        self._overrides: dict[str, Override] = {}
        for override in overrides:
            self._overrides[post_ref(override.post)] = override
        self.decisions: Mapping[str, Decision] = decisions if decisions is not None else {}
        self._routed: dict[str, tuple[StoredPost, Routed]] | None = None
        if not any(r.rule.max_age is not None for r in rules):
            ruling = repr(
                (
                    channels,
                    sorted((s.id, s.group, tuple(s.tags)) for s in sources),
                    overrides,
                    str(zone),
                )
            )
            self._routed = _kept(_ROUTED, hashlib.sha256(ruling.encode()).hexdigest())

    def facts(self, post: StoredPost, now: datetime) -> Facts:
        sid = post.post.source_id
        title_hits, text_hits = self._hits(post)
        return Facts(
            post,
            self._groups.get(sid, ""),
            self._tags.get(sid, frozenset()),
            title_hits,
            text_hits,
            now,
            title_hits | text_hits,
        )

    def _hits(self, post: StoredPost) -> tuple[frozenset[str], frozenset[str]]:
        """The keywords in a post's title and text: found once per version of the post
        and set of keywords, in this process (a publish routes every post, and finding
        them was most of it)."""
        known = _kept(_FOUND, self._keywords)
        key = (post.post.id, post.post.hash)
        found = known.get(key)
        if found is not None:
            return self._unpacked(found[0]), self._unpacked(found[1])
        title = frozenset(self._index.find(fold(post.post.title))) or _NONE
        text = frozenset(self._index.find(fold(post.post.text))) or _NONE
        if len(known) >= FOUND_KEPT:
            known.clear()
        known[key] = (self._packed(title), self._packed(text))
        return title, text

    def _packed(self, keywords: frozenset[str]) -> bytes:
        return array("I", sorted(self._number[k] for k in keywords)).tobytes()

    def _unpacked(self, packed: bytes) -> frozenset[str]:
        return frozenset(map(self._every.__getitem__, memoryview(packed).cast("I"))) or _NONE

    def override(self, post: StoredPost) -> Override | None:
        return self._overrides.get(post.post.id) or self._overrides.get(post_ref(post.post.url))

    def route(self, post: StoredPost, now: datetime) -> Routed:
        known = self._routed
        if known is None or post.post.id in self.decisions:
            return self._route(post, now)
        earlier = known.get(post.post.id)
        if earlier is not None and earlier[0] is post:
            return earlier[1]
        routed = self._route(post, now)
        known[post.post.id] = (post, routed)
        return routed

    def _route(self, post: StoredPost, now: datetime) -> Routed:
        facts = self.facts(post, now)
        live = self._always.union(
            *(self._in_title[k] for k in facts.title_hits),
            *(self._in_text[k] for k in facts.text_hits),
        )
        placements: dict[str, Placement] = {}
        for position in sorted({self._channel_of[k] for k in live if k in self._channel_of}):
            channel = self._channels[position]
            placed = self._place(channel, facts, live)
            if placed is not None:
                placements[channel.slug] = placed
        for loser in self._losers(placements):
            del placements[loser]
        override = self.override(post)
        pinned: tuple[str, ...] = ()
        if override is not None:
            if override.hide:
                return Routed(post, (), {}, hidden=True)
            for slug in override.add:
                placements.setdefault(slug, Placement(slug, "added"))
            for slug in override.pin:
                placements.setdefault(slug, Placement(slug, "pinned"))
            pinned = tuple(override.pin)
        decision = self.decisions.get(post.post.id)
        ruled = tuple(placements)
        if decision is not None:
            if decision.hidden(now):
                return Routed(post, (), {}, hidden=True)
            pinned = self._desk(decision, placements, pinned, now)
        if not placements:
            placements = {
                c.slug: Placement(c.slug, "fallback") for c in self._channels if c.fallback
            }
        order = [c.slug for c in self._channels if c.slug in placements]
        return Routed(
            post,
            tuple(order),
            {s: placements[s] for s in order},
            pinned,
            ruled=ruled,
            title=decision.title if decision else "",
            summary=decision.summary if decision else "",
        )

    def _desk(
        self,
        decision: Decision,
        placements: dict[str, Placement],
        pinned: tuple[str, ...],
        now: datetime,
    ) -> tuple[str, ...]:
        """Apply an editor's moves and pins to `placements`; the channels pinned now."""
        for slug in decision.remove:
            placements.pop(slug, None)
        live_pins = tuple(s for s in decision.pinned(now) if s in self._slugs)
        for slug in (*decision.add, *live_pins):
            if slug in self._slugs:
                placements.setdefault(slug, Placement(slug, "desk"))
        return tuple(dict.fromkeys((*pinned, *live_pins)))

    def route_all(self, posts: Iterable[StoredPost], now: datetime) -> list[Routed]:
        return [self.route(post, now) for post in posts]

    def _place(self, channel: _Channel, facts: Facts, live: set[int]) -> Placement | None:
        for index, rule in enumerate(channel.include, start=1):
            if rule.key in live and rule.matches(facts):
                if any(r.key in live and r.matches(facts) for r in channel.exclude):
                    return None
                return Placement(channel.slug, "rule", index, rule.test(facts).held)
        return None

    def _losers(self, placements: Mapping[str, Placement]) -> list[str]:
        """Channels that lose a post to a higher-priority channel of their exclusive group."""
        winners: dict[str, _Channel] = {}
        losers = []
        for channel in self._channels:
            if channel.slug not in placements or not channel.exclusive:
                continue
            best = winners.get(channel.exclusive)
            if best is None or channel.priority > best.priority:
                if best is not None:
                    losers.append(best.slug)
                winners[channel.exclusive] = channel
            else:
                losers.append(channel.slug)
        return losers

    def misses(self, post: StoredPost, now: datetime, routed: Routed) -> list[Miss]:
        """For each channel the post is not in: the nearest miss, in words."""
        if routed.hidden:
            decision = self.decisions.get(post.post.id)
            why = (
                "taken off the portal on the desk"
                if decision is not None and decision.hidden(now)
                else "hidden by an override"
            )
            return [Miss(c.slug, why) for c in self._channels]
        facts = self.facts(post, now)
        everything = {r.key for c in self._channels for r in (*c.include, *c.exclude)}
        tried = {c.slug: self._place(c, facts, everything) for c in self._channels}
        missed = []
        for channel in self._channels:
            if channel.slug in routed.placements:
                continue
            missed.append(Miss(channel.slug, self._miss(channel, facts, tried, routed)))
        return missed

    def _miss(
        self, channel: _Channel, facts: Facts, tried: Mapping[str, Placement | None], routed: Routed
    ) -> str:
        if channel.fallback:
            return "fallback: other channels took the post"
        if tried[channel.slug] is not None:
            winner = next(
                (
                    c
                    for c in self._channels
                    if c.exclusive == channel.exclusive and c.slug in routed.placements
                ),
                None,
            )
            if winner is not None and channel.exclusive:
                return (
                    f"lost to {winner.slug} in exclusive group {channel.exclusive} "
                    f"(priority {winner.priority} over {channel.priority})"
                )
        for index, rule in enumerate(channel.exclude, start=1):
            outcome = rule.test(facts)
            if outcome.matches:
                why = ", ".join(str(c) for c in outcome.held)
                return f"excluded by exclude rule {index}: {why}"
        outcomes: list[tuple[int, Outcome]] = [
            (index, rule.test(facts)) for index, rule in enumerate(channel.include, start=1)
        ]
        if not outcomes:
            return "no include rules"
        index, nearest = max(outcomes, key=lambda o: (len(o[1].held) - len(o[1].failed), -o[0]))
        held = ", ".join(str(c) for c in nearest.held)
        return f"rule {index}: " + "; ".join(nearest.failed) + (f" (had {held})" if held else "")


def _kept(memo: dict[str, dict[_K, _V]], key: str, most: int = KEYWORD_SETS_KEPT) -> dict[_K, _V]:
    """`memo[key]`, made if missing; of other keys, the `most` - 1 newest stay (the live
    rules and a candidate's: the desk's preview)."""
    known = memo.get(key)
    if known is None:
        for oldest in list(memo)[: max(0, len(memo) - most + 1)]:
            memo.pop(oldest, None)  # (list() and pop() are safe beside other threads)
        known = memo.setdefault(key, {})
    return known


def post_ref(reference: str) -> str:
    """An override names a post by id or by its original URL (scheme and trailing slash
    aside)."""
    ref = reference.strip()
    if "://" in ref:
        ref = ref.split("://", 1)[1].rstrip("/").lower()
    return ref

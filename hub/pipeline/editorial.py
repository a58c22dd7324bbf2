"""Editors' questions, answered from the database, the rules and the last publish:
"why is this post here?" (explain) and "what would my edit move?" (route diff)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hub import opml
from hub.addresses import refused_host
from hub.config import Config, Override
from hub.models import Placement, Routed, StoredPost
from hub.pipeline import trace
from hub.route import Miss, Router

if TYPE_CHECKING:
    from hub.store import Store


@dataclass(frozen=True)
class Explanation:
    post: StoredPost
    department: str
    group: str
    published: dict[str, Placement]  # as the portal shows it now (the last publish)
    published_at: datetime | None
    current: Routed  # with the channels.yaml on disk
    misses: list[Miss]  # for the channels the post is not in, with the current rules
    override: Override | None
    review: str = ""  # what the desk's review says of it, in words ("" when nothing)

    @property
    def changed(self) -> bool:
        """Whether the rules on disk would place the post differently from the portal."""
        if self.published_at is None:
            return False
        now = () if self.current.hidden else self.current.channels
        return tuple(self.published) != now


@dataclass(frozen=True)
class Move:
    post: StoredPost
    reason: str  # why it enters (the new placement) or why it was there (the old one)


@dataclass
class ChannelDiff:
    slug: str
    title: str
    enter: list[Move] = field(default_factory=list)
    leave: list[Move] = field(default_factory=list)


@dataclass(frozen=True)
class RouteDiff:
    published_at: datetime | None
    since: datetime | None
    posts: int  # posts compared
    channels: list[ChannelDiff]  # in navigation order, only those that change

    @property
    def moves(self) -> int:
        return sum(len(c.enter) + len(c.leave) for c in self.channels)


def explain(
    config: Config, store: Store, router: Router, reference: str, now: datetime
) -> Explanation | None:
    """Why a post (by id or original URL) is where it is; None if hub has no such post."""
    post = store.find(reference)
    if post is None:
        return None
    source = next((s for s in config.sources if s.id == post.post.source_id), None)
    published = trace.load(config.data_dir)
    current = router.route(post, now)
    return Explanation(
        post=post,
        department=source.name if source else post.post.source_id,
        group=source.group if source else "",
        published=published.placements.get(post.post.id, {}),
        published_at=published.published_at,
        current=current,
        misses=router.misses(post, now, current),
        override=router.override(post),
        review=_review(router, post),
    )


def _review(router: Router, post: StoredPost) -> str:
    decision = router.decisions.get(post.post.id)
    if decision is None or not decision.review:
        return ""
    if decision.review == "waiting":
        return "waiting for a reviewer on the desk: the portal does not show it"
    verdict = f"{decision.review} on the desk by {decision.reviewed_by}"
    if decision.review == "rejected":
        return verdict + (f" ({decision.reason})" if decision.reason else "") + ": not shown"
    return verdict


def route_diff(
    config: Config,
    store: Store,
    route: Callable[[], Sequence[Routed]],
    now: datetime,
    since: timedelta | None = None,
) -> RouteDiff:
    """Per channel, the posts the rules on disk would add and remove, against the last
    publish. `route` routes the stored posts with the current rules."""
    published = trace.load(config.data_dir)
    start = now - since if since else None
    titles = {c.slug: c.title for c in config.channels}
    diffs = {slug: ChannelDiff(slug, title) for slug, title in titles.items()}
    compared = 0
    seen: set[str] = set()
    for routed in route():
        post = routed.post
        seen.add(post.post.id)
        if start and post.date < start:
            continue
        compared += 1
        before = published.placements.get(post.post.id, {})
        for slug, placement in routed.placements.items():
            if slug not in before and slug in diffs:
                diffs[slug].enter.append(Move(post, str(placement)))
        for slug, placement in before.items():
            if slug not in routed.placements and slug in diffs:
                diffs[slug].leave.append(Move(post, str(placement)))
    _left_out(store, published, seen, diffs, start)
    changed = [d for d in diffs.values() if d.enter or d.leave]
    for d in changed:
        d.enter.sort(key=lambda m: m.post.date, reverse=True)
        d.leave.sort(key=lambda m: m.post.date, reverse=True)
    return RouteDiff(published.published_at, start, compared, changed)


def _left_out(
    store: Store,
    published: trace.Trace,
    seen: set[str],
    diffs: dict[str, ChannelDiff],
    start: datetime | None,
) -> None:
    """Published posts the new routing drops entirely (hidden, or their source removed)."""
    gone = set(published.placements) - seen
    if not gone:
        return
    for post in store.posts():
        if post.post.id in gone and not (start and post.date < start):
            for slug, placement in published.placements[post.post.id].items():
                if slug in diffs:
                    diffs[slug].leave.append(Move(post, f"{placement}; now hidden or unlisted"))


def address_warnings(config: Config) -> list[str]:
    """Sources hub will refuse to fetch as configured: on a loopback, private or other
    special address while `fetch.allow_private` is off. (Names are judged when they
    are resolved, at fetch time; `hub check` sends no packet.)"""
    if config.fetch.allow_private:
        return []
    found = []
    for i, source in enumerate(config.sources):
        parts = urlsplit(source.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (parts.hostname, port) in config.fetch.bridged:
            continue  # a bridge the operator named
        if why := refused_host(source.url):
            where = config.error(("sources", i), f"{source.id}: {why}")
            found.append(
                f"warning: {where}; it will fail with `refused-address` unless "
                "fetch.allow_private is true (or it is a bridge: fetch.bridges)"
            )
    return found


def warnings(config: Config, routed: Sequence[Routed], store: Store) -> list[str]:
    """What `hub check` warns about: channels no stored post reaches, sources whose posts
    all fall through to the fallback, overrides naming posts hub does not have."""
    if not routed:
        return [
            "warning: no posts are stored yet, so rules cannot be checked against "
            "them (run `hub run` first)"
        ]
    found: list[str] = []
    counts: dict[str, int] = {c.slug: 0 for c in config.channels}
    fallbacks = {c.slug for c in config.channels if c.fallback}
    only_fallback: dict[str, bool] = {}
    for r in routed:
        for slug in r.channels:
            counts[slug] = counts.get(slug, 0) + 1
        sid = r.post.post.source_id
        only_fallback[sid] = only_fallback.get(sid, True) and set(r.channels) <= fallbacks
    for c, channel in enumerate(config.channels):
        if not counts[channel.slug] and not channel.fallback:
            found.append(
                str(
                    config.error(
                        ("channels", c),
                        f"{channel.slug} takes none of the {len(routed)} stored posts"
                        + (
                            ""
                            if channel.show_empty
                            else ": a blank section, left out of the portal's navigation, "
                            "home page and sitemap until a post reaches it"
                        ),
                    )
                )
            )
    for i, source in enumerate(config.sources):
        if only_fallback.get(source.id) and fallbacks:
            found.append(
                str(
                    config.error(
                        ("sources", i), f"{source.id}: every post reaches only the fallback channel"
                    )
                )
            )
    for o, override in enumerate(config.overrides):
        for key in ("post", "reprint_of"):
            reference = getattr(override, key)
            if reference and store.find(reference) is None:
                found.append(
                    str(config.error(("overrides", o, key), f"no stored post is {reference!r}"))
                )
    return [f"warning: {line}" for line in found]


def import_sources(config: Config, text: str) -> tuple[str, int, int]:
    """YAML entries, ready for `sources:`, for the OPML subscriptions hub does not have
    (pages with no feed are listed as comments, since they need selectors); with how many
    subscriptions the file holds and how many are configured already."""
    known = {_address(s.url) for s in config.sources}
    taken = {s.id for s in config.sources}
    outlines = opml.read(text)
    lines: list[str] = []
    already = 0
    for outline in outlines:
        address = _address(outline.feed or outline.page)
        if address in known:
            already += 1
            continue
        known.add(address)
        if not outline.feed:
            lines.append(
                f"  # no feed: {outline.title} {outline.page} "
                "(add it with page: and its CSS selectors)"
            )
            continue
        lines += [
            f"  - id: {opml.slug_for(outline.feed, taken)}",
            f"    name: {_quoted(outline.title)}",
        ]
        if outline.group:
            lines.append(f"    group: {_quoted(outline.group)}")
        lines.append(f"    feed: {_quoted(outline.feed)}")
    return ("\n".join(lines) + "\n" if lines else ""), len(outlines), already


def _address(url: str) -> str:
    """A URL as a subscription is recognised: scheme and trailing slash aside."""
    return url.split("://", 1)[-1].rstrip("/")


def _quoted(value: str) -> str:
    """A YAML scalar that stays a string (JSON strings are YAML double-quoted scalars)."""
    return json.dumps(value, ensure_ascii=False)

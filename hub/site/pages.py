"""What pages the portal has and what each shows: routed posts -> a plan of pages.

Pure: no templates and no files here. URL patterns live in this module only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from functools import partial
from typing import Any

from hub.config import Config, Source
from hub.models import Attachment, Routed, SourceState

HOME_PER_SECTION = 6
FEED_ITEMS = 50
SUMMARY_CHARS = 90


def post_path(post_id: str, filed: datetime, zone: tzinfo) -> str:
    local = filed.astimezone(zone)
    return f"p/{local:%Y}/{local:%m}/{post_id}.html"


def channel_path(slug: str, page: int = 1) -> str:
    return f"c/{slug}/" if page == 1 else f"c/{slug}/{page}/"


def source_path(source_id: str, page: int = 1) -> str:
    return f"s/{source_id}/" if page == 1 else f"s/{source_id}/{page}/"


@dataclass(frozen=True)
class ChannelLink:
    slug: str
    title: str
    path: str
    feed_path: str


@dataclass(frozen=True)
class Copy:
    """Where else a post was published: the department and its copy on the portal."""

    department: str
    path: str


@dataclass(frozen=True)
class PostView:
    id: str
    path: str
    title: str
    date: datetime
    updated: datetime | None
    department: str
    source_id: str
    source_path: str
    channels: tuple[ChannelLink, ...]
    summary: str
    content_html: str
    original_url: str
    attachments: tuple[Attachment, ...]
    pinned: tuple[str, ...] = ()  # channel slugs where an editor pinned it on top
    original: Copy | None = None  # for a reprint: the post it reprints
    copies: tuple[Copy, ...] = ()  # for an original: its reprints ("also published by")

    @property
    def listed(self) -> bool:
        """Shown in sections, on the home page and in feeds: reprints are shown once,
        as their original."""
        return self.original is None


@dataclass(frozen=True)
class SourceView:
    id: str
    name: str
    group: str
    url: str
    path: str
    count: int
    state: SourceState
    latest: datetime | None

    @property
    def health(self) -> str:
        return self.state.health


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site root; "x/" means "x/index.html"
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path.endswith("/") or not self.path else self.path


class Plan:
    """The portal's pages, computed from the config, the routed posts and source states."""

    def __init__(
        self,
        config: Config,
        routed: Sequence[Routed],
        states: Mapping[str, SourceState],
        now: datetime,
        canonical_of: Mapping[str, str] | None = None,
    ) -> None:
        self.config, self.now = config, now
        zone = config.site.zone
        self.channels = {
            c.slug: ChannelLink(c.slug, c.title, channel_path(c.slug), f"c/{c.slug}/feed.xml")
            for c in config.channels
        }
        sources = {s.id: s for s in config.sources}
        views = [self._view(r, sources, zone) for r in routed]  # newest first
        self.posts = _link_reprints(views, canonical_of or {})
        self.listed = [view for view in self.posts if view.listed]
        self.by_channel: dict[str, list[PostView]] = defaultdict(list)
        self.by_source: dict[str, list[PostView]] = defaultdict(list)
        for view in self.posts:
            if view.listed:
                for link in view.channels:
                    self.by_channel[link.slug].append(view)
            self.by_source[view.source_id].append(view)
        for slug, views_in in self.by_channel.items():  # pinned first, each list by date
            views_in.sort(key=partial(_unpinned, slug))
        self.sources = [self._source(s, states) for s in config.sources]

    def _view(self, routed: Routed, sources: Mapping[str, Source], zone: tzinfo) -> PostView:
        stored, post = routed.post, routed.post.post
        source = sources.get(post.source_id)
        text = " ".join(post.text.split())
        return PostView(
            id=post.id,
            path=post_path(post.id, stored.filed, zone),
            title=post.title,
            date=stored.date,
            updated=stored.changed,
            source_id=post.source_id,
            department=source.name if source else post.source_id,
            source_path=source_path(post.source_id),
            channels=tuple(self.channels[s] for s in routed.channels if s in self.channels),
            summary=text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else ""),
            content_html=post.content_html,
            original_url=post.url,
            attachments=post.attachments,
            pinned=routed.pinned,
        )

    def _source(self, source: Source, states: Mapping[str, SourceState]) -> SourceView:
        posts = self.by_source.get(source.id, [])
        return SourceView(
            source.id,
            source.name,
            source.group,
            source.url,
            source_path(source.id),
            len(posts),
            states.get(source.id, SourceState(source.id)),
            posts[0].date if posts else None,
        )

    def pages(self) -> Iterator[Page]:
        yield Page(
            "",
            "home.html",
            {
                "sections": [
                    (link, self.by_channel.get(slug, [])[:HOME_PER_SECTION])
                    for slug, link in self.channels.items()
                ]
            },
        )
        for slug, link in self.channels.items():
            posts = self.by_channel.get(slug, [])
            yield from self._paged(
                posts,
                partial(channel_path, slug),
                "channel.html",
                {"channel": link, "description": self._description(slug)},
            )
            yield Page(link.feed_path, "rss.xml", {"channel": link, "posts": posts[:FEED_ITEMS]})
        yield Page("feed.xml", "rss.xml", {"channel": None, "posts": self.listed[:FEED_ITEMS]})
        for view in self.posts:
            yield Page(view.path, "post.html", {"post": view})
        for source in self.sources:
            posts = self.by_source.get(source.id, [])
            yield from self._paged(
                posts, partial(source_path, source.id), "source.html", {"source": source}
            )
        groups: dict[str, list[SourceView]] = defaultdict(list)
        for source in self.sources:
            groups[source.group or "其他"].append(source)
        yield Page("sources/", "sources.html", {"groups": dict(groups)})
        yield Page("search/", "search.html", {"query": "", "hits": None, "total": 0, "error": ""})
        yield Page("404.html", "404.html")
        yield Page("robots.txt", "robots.txt")
        yield Page("sitemap.xml", "sitemap.xml", {"paths": self._sitemap()})

    def _description(self, slug: str) -> str:
        return next(c.description for c in self.config.channels if c.slug == slug)

    def _paged(
        self,
        posts: Sequence[PostView],
        path_of: Callable[[int], str],
        template: str,
        context: Mapping[str, Any],
    ) -> Iterator[Page]:
        per = self.config.site.per_page
        pages = max(1, -(-len(posts) // per))
        for n in range(1, pages + 1):
            yield Page(
                path_of(n),
                template,
                {
                    **context,
                    "posts": posts[(n - 1) * per : n * per],
                    "page": n,
                    "pages": pages,
                    "prev_path": path_of(n - 1) if n > 1 else None,
                    "next_path": path_of(n + 1) if n < pages else None,
                    "total": len(posts),
                },
            )

    def _sitemap(self) -> list[tuple[str, datetime | None]]:
        """(path, last modified) of every page a search engine should know."""
        entries: list[tuple[str, datetime | None]] = [
            ("", self.listed[0].date if self.listed else None),
            ("sources/", None),
        ]
        for slug, link in self.channels.items():
            posts = self.by_channel.get(slug)
            entries.append((link.path, posts[0].date if posts else None))
        entries += [(s.path, s.latest) for s in self.sources]
        return entries + [(v.path, v.updated or v.date) for v in self.listed]


def _link_reprints(views: list[PostView], canonical_of: Mapping[str, str]) -> list[PostView]:
    """Views that know their original (reprints) or their copies (originals)."""
    by_id = {view.id: view for view in views}
    copies: dict[str, list[Copy]] = defaultdict(list)
    for view in views:
        canonical = canonical_of.get(view.id, view.id)
        if canonical != view.id and canonical in by_id:
            copies[canonical].append(Copy(view.department, view.path))
    linked = []
    for view in views:
        canonical = canonical_of.get(view.id, view.id)
        if canonical != view.id and canonical in by_id:
            first = by_id[canonical]
            linked.append(replace(view, original=Copy(first.department, first.path)))
        elif view.id in copies:
            ordered = tuple(sorted(copies[view.id], key=lambda c: c.path))
            linked.append(replace(view, copies=ordered))
        else:
            linked.append(view)
    return linked


def _unpinned(slug: str, view: PostView) -> bool:
    return slug not in view.pinned

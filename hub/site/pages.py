"""What pages the portal has and what each shows: routed posts -> a plan of pages, each
with a key that changes exactly when its output can. Pure: no templates, no files."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from hub.audited import AuditReport
from hub.config import Config, Source
from hub.models import Routed, SourceState, StoredPost
from hub.site import home, services
from hub.site.views import (
    FEED_FORMATS,
    ChannelLink,
    Neighbour,
    PostView,
    SourceView,
    channel_path,
    copy_path,
    feed_path,
    link_reprints,
    month_path,
    pages_near,
    pages_to_jump,
    post_path,
    search_context,
    source_path,
)

FEED_ITEMS = 50
SUMMARY_CHARS = 90
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, by the sitemaps.org protocol


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site root; "x/" means "x/index.html"
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path.endswith("/") or not self.path else self.path

    @property
    def key(self) -> str:
        """Changes whenever what the page shows can change (its template and the site's
        settings aside, which the build adds): an unchanged key means an unchanged file."""
        return hashlib.sha256(f"{self.template}\n{self.context!r}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Edition:
    """What one publish of the portal shows: the site, its routed posts (newest first),
    what hub knows of each source, and the time; reprints (post id -> the original's),
    the audit for /sources/, files to add as they are (sources.opml), and the post the
    editors chose as the home page's lead story (头条), if any."""

    config: Config
    routed: Sequence[Routed]
    states: Mapping[str, SourceState]
    now: datetime
    canonical_of: Mapping[str, str] = field(default_factory=dict)
    audit: AuditReport | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    lead: str = ""  # a post id
    services: Sequence[StoredPost] = ()  # of the service catalogues, for /banshi/
    # attachment address -> (its copy in data/files, the copy's digest), linked at /f/
    copies: Mapping[str, tuple[Path, str]] = field(default_factory=dict)


class Plan:
    """The pages of one edition of the portal."""

    def __init__(self, edition: Edition, *, sitemap_limit: int = SITEMAP_LIMIT) -> None:
        config, routed, states = edition.config, edition.routed, edition.states
        self.config, self.now, self.sitemap_limit = config, edition.now, sitemap_limit
        self.audit = edition.audit or AuditReport((), ())
        self.audited = {found.source_id: found for found in self.audit.sources}
        zone = config.site.zone
        self.channels = {
            c.slug: ChannelLink(
                c.slug, c.title, channel_path(c.slug), c.description, c.column_type or c.title
            )
            for c in config.channels
        }
        sources = {s.id: s for s in config.sources}
        self.copies = edition.copies
        known = _views(repr((self.channels, sorted(sources.items()), str(zone))))
        views = [self._kept_view(known, r, sources, zone) for r in routed]  # newest first
        self.posts = link_reprints(views, dict(edition.canonical_of))
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
        # blank sections are not shown: an inspection fails a portal for them
        self.shown = {
            c.slug for c in config.channels if c.show_empty or self.by_channel.get(c.slug)
        }
        self.sources = [self._source(s, states) for s in config.sources if not s.services]
        self.services = services.views(config, edition.services)
        by_id = {view.id: view for view in self.listed}
        self.lead = by_id.get(edition.lead)  # a lead taken down or reprinted shows no banner

    def _kept_view(
        self,
        known: dict[str, tuple[Routed, PostView]],
        routed: Routed,
        sources: Mapping[str, Source],
        zone: tzinfo,
    ) -> PostView:
        """The view of a routed post, made once per routing of it with these settings
        in a long-running hub (routing is kept per version of a post)."""
        earlier, kept = known.get(routed.post.post.id), self._kept(routed)
        if earlier is not None and earlier[0] is routed and earlier[1].kept == kept:
            return earlier[1]
        view = self._view(routed, sources, zone, kept)
        known[routed.post.post.id] = (routed, view)
        return view

    def _view(
        self, routed: Routed, sources: Mapping[str, Source], zone: tzinfo, kept: tuple[str, ...]
    ) -> PostView:
        stored, post = routed.post, routed.post.post
        source = sources.get(post.source_id)
        text = " ".join((routed.summary or post.text).split())
        return PostView(
            id=post.id,
            path=post_path(post.id, stored.filed, zone),
            title=routed.shown_title,
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
            kept=kept,
            pinned=routed.pinned,
            version=post.hash,
        )

    def _kept(self, routed: Routed) -> tuple[str, ...]:
        """Each attachment's copy on the portal (its path), or ""."""
        found = (self.copies.get(a.url) for a in routed.post.post.attachments)
        return tuple(copy_path(kept[0]) if kept else "" for kept in found)

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
            self.audited.get(source.id),
        )

    def pages(self) -> Iterator[Page]:
        context = home.context(
            self.config.site, self.channels, self.by_channel, self.shown, self.lead
        )
        context["themes"] = services.shown_themes(self.config, self.services)
        yield Page("", "home.html", context)
        for slug, link in self.channels.items():
            posts = self.by_channel.get(slug, [])
            yield from self._listed(posts, channel_path(slug), "channel.html", {"channel": link})
            yield from self._feeds(link, posts[:FEED_ITEMS])
        yield from self._feeds(None, self.listed[:FEED_ITEMS])
        yield from self._post_pages()
        for source in self.sources:
            posts = self.by_source.get(source.id, [])
            light = {"source": (source.id, source.name, source.group, source.url, source.path)}
            yield from self._listed(
                posts, source_path(source.id), "source.html", {"source": source}, light
            )
        groups: dict[str, list[SourceView]] = defaultdict(list)
        for source in self.sources:
            groups[source.group or "其他"].append(source)
        names = {s.id: s.name for s in self.config.sources}
        merges = [(names[m.source_id], names[m.into], m) for m in self.audit.merges]
        titles = {c.slug: c.title for c in self.config.channels}
        audit = {
            "groups": dict(groups),
            "merges": merges,
            "thresholds": self.config.audit,
            "sections": [(titles[s.slug], s.freshness) for s in self.audit.sections],
            "vetoes": {v.item: v for v in self.audit.vetoes},
        }
        yield Page("sources/", "sources.html", audit)
        yield Page("map/", "map.html", {"groups": sorted(groups)})
        yield Page("search/", "search.html", search_context(self.config, {}, None))
        yield Page("404.html", "404.html")
        yield Page("robots.txt", "robots.txt")
        yield Page("manifest.webmanifest", "manifest.webmanifest")
        yield Page("offline.html", "offline.html")
        shown = [link.path for slug, link in self.channels.items() if slug in self.shown]
        shown += [services.HOME] if self.config.catalogues else []
        yield Page("sw.js", "sw.js", {"sections": shown})
        yield from (Page(*made) for made in services.pages(self.config, self.services))
        yield from self._sitemaps()

    def _post_pages(self) -> Iterator[Page]:
        """Each post, with the posts before and after it in its section."""
        around: dict[str, tuple[PostView | None, PostView | None]] = {}
        for posts in self.by_channel.values():
            last = len(posts) - 1
            for n, view in enumerate(posts):
                if view.section and posts is self.by_channel[view.section.slug]:
                    around[view.id] = (
                        posts[n - 1] if n else None,
                        posts[n + 1] if n < last else None,
                    )
        for view in self.posts:
            newer, older = around.get(view.id, (None, None))
            known = _POST_PAGES.get(view.id)
            if known is not None and known[0] is view and known[1] is newer and known[2] is older:
                yield known[3]
                continue
            before = Neighbour(newer.title, newer.path) if newer else None
            after = Neighbour(older.title, older.path) if older else None
            context = {"post": view, "newer": before, "older": after}
            # keyed by the post's hash, not its whole text: a publish keys every post
            shown = (view.stamp, view.version, view.original_url, view.kept, before, after)
            page = _Keyed(view.path, "post.html", context, shown if view.version else None)
            if len(_POST_PAGES) >= POST_PAGES_KEPT:
                _POST_PAGES.clear()
            _POST_PAGES[view.id] = (view, newer, older, page)
            yield page

    def _feeds(self, link: ChannelLink | None, posts: Sequence[PostView]) -> Iterator[Page]:
        slug = link.slug if link else ""
        updated = max((p.updated or p.date for p in posts), default=None)
        # keyed by what the posts show: a repr of their whole texts took a second
        shown = [(v.stamp, v.version) for v in posts]
        for kind in FEED_FORMATS:
            yield _Keyed(
                feed_path(slug, kind),
                f"feed.{kind}",
                {"channel": link, "posts": posts, "updated": updated, "kind": kind},
                (link, updated, kind, shown),
            )

    def _listed(
        self,
        posts: Sequence[PostView],
        base: str,
        template: str,
        context: Mapping[str, Any],
        light: Any = None,
    ) -> Iterator[Page]:
        """A section's or a department's list: its newest posts on at most
        `site.list_pages` pages, and the rest by month (`base`YYYY-MM/), so that a new
        post rewrites a few pages of each list it enters, not every page of it."""
        light = context if light is None else light
        per, most = self.config.site.per_page, self.config.site.list_pages
        if len(posts) <= per * most:
            yield from self._paged(posts, partial(_nth, base), template, context, light)
            return
        months: dict[str, list[PostView]] = defaultdict(list)
        zone = self.config.site.zone
        for view in posts[per * most :]:
            months[f"{view.date.astimezone(zone):%Y-%m}"].append(view)
        archive = [(m, month_path(base, m), len(views)) for m, views in months.items()]
        more = {"archive": archive, "total": len(posts)}
        yield from self._paged(
            posts[: per * most], partial(_nth, base), template, {**context, **more}, light
        )
        for month, views in months.items():
            yield from self._paged(
                views,
                partial(month_path, base, month),
                template,
                {**context, "month": month, "total": len(views)},
                light,
            )

    def _paged(
        self,
        posts: Sequence[PostView],
        path_of: Callable[[int], str],
        template: str,
        context: Mapping[str, Any],
        light: Any,
    ) -> Iterator[Page]:
        per = self.config.site.per_page
        pages = max(1, -(-len(posts) // per))
        total = context.get("total", len(posts))
        for n in range(1, pages + 1):
            shown = posts[(n - 1) * per : n * per]
            made = {
                "posts": shown,
                "page": n,
                "pages": pages,
                "prev_path": path_of(n - 1) if n > 1 else None,
                "next_path": path_of(n + 1) if n < pages else None,
                "first_path": path_of(1),
                "last_path": path_of(pages),
                "numbers": [(k, path_of(k)) for k in pages_near(n, pages)],
                "jumps": [(k, path_of(k)) for k in pages_to_jump(pages)],
                "total": total,
                # the months beyond the list, below its last page
                "archive": context.get("archive", ()) if n == pages else (),
                "month": context.get("month", ""),
            }
            extra = (made["archive"], made["month"])
            stand_in = (light, extra, [v.stamp for v in shown], n, pages, total)
            yield _Keyed(path_of(n), template, {**context, **made}, stand_in)

    def _sitemaps(self) -> Iterator[Page]:
        """One sitemap.xml; past `sitemap_limit` URLs, an index of the portal's own pages'
        sitemap and one per month the posts were filed in (split again past the limit),
        so that a publish rewrites the month its new posts are in, not every part."""
        pages, limit = self._sitemap(), self.sitemap_limit
        if len(pages) + len(self.listed) <= limit:
            yield self._sitemap_page("sitemap.xml", pages, self.listed)
            return
        groups: dict[str, list[PostView]] = {}
        for view in self.listed:  # p/YYYY/MM/id.html: the month it was filed in
            groups.setdefault("-".join(view.path.split("/")[1:3]), []).append(view)
        names = []
        parts: list[tuple[str, list[tuple[str, datetime | None]], list[PostView]]]
        parts = [("pages", pages, []), *((month, [], views) for month, views in groups.items())]
        for group, own, views in parts:
            chunks = range(0, max(len(own), len(views)), limit)
            for n, start in enumerate(chunks, start=1):
                name = f"sitemap-{group}.xml" if n == 1 else f"sitemap-{group}-{n}.xml"
                names.append(name)
                end = start + limit
                yield self._sitemap_page(name, own[start:end], views[start:end])
        yield Page("sitemap.xml", "sitemap-index.xml", {"sitemaps": names})

    @staticmethod
    def _sitemap_page(
        name: str, pages: list[tuple[str, datetime | None]], posts: Sequence[PostView]
    ) -> Page:
        """A sitemap of the portal's own pages and of posts, keyed by what the posts show
        (their stamps: a repr of a hundred thousand dates took a second)."""
        entries = pages + [(v.path, v.updated or v.date) for v in posts]
        shown = (pages, ",".join(v.stamp for v in posts))
        return _Keyed(name, "sitemap.xml", {"paths": entries}, shown)

    def _sitemap(self) -> list[tuple[str, datetime | None]]:
        """(path, last modified) of every page of the portal's own a search engine should
        know: the home page, the sections and the departments (posts aside)."""
        entries: list[tuple[str, datetime | None]] = [
            ("", self.listed[0].date if self.listed else None),
            ("sources/", None),
            ("map/", None),
            *((path, None) for path, _, _ in services.pages(self.config, self.services)),
        ]
        for slug, link in self.channels.items():
            posts = self.by_channel.get(slug)
            if slug in self.shown:
                entries.append((link.path, posts[0].date if posts else None))
        return entries + [(s.path, s.latest) for s in self.sources]


# settings' digest -> post id -> (the routed post, its view): the views a long-running
# hub made, for the live settings and the last others (a preview's)
_VIEWS: dict[str, dict[str, tuple[Routed, PostView]]] = {}
VIEW_SETS_KEPT = 2


def _views(settings: str) -> dict[str, tuple[Routed, PostView]]:
    key = hashlib.sha256(settings.encode()).hexdigest()
    known = _VIEWS.get(key)
    if known is None:
        for oldest in list(_VIEWS)[: max(0, len(_VIEWS) - VIEW_SETS_KEPT + 1)]:
            _VIEWS.pop(oldest, None)
        known = _VIEWS.setdefault(key, {})
    return known


@dataclass(frozen=True)
class _Keyed(Page):
    """A page whose key comes from a light stand-in for its context (department pages
    show a source's name, not its fetch state, which changes at every crawl)."""

    stand_in: Any = None

    @cached_property
    def key(self) -> str:  # (a post's page is kept between publishes, and its key)
        if self.stand_in is None:
            return super().key
        return hashlib.sha256(f"{self.template}\n{self.stand_in!r}".encode()).hexdigest()[:24]


# post id -> (its view, the views before and after it, its page): the post pages a
# long-running hub made
_POST_PAGES: dict[str, tuple[PostView, PostView | None, PostView | None, Page]] = {}
POST_PAGES_KEPT = 2_000_000


def _nth(base: str, page: int) -> str:
    return base if page == 1 else f"{base}{page}/"


def _unpinned(slug: str, view: PostView) -> bool:
    return slug not in view.pinned

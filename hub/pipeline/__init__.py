"""The one place where the stages meet: crawl (fetch -> parse -> store) and publish
(store -> route -> site + search). Time is an argument; nothing here reads the clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import cast

from hub import __version__, parse, reprints, search, site
from hub import audit as audit_module
from hub import config as config_module
from hub.config import Config, Source
from hub.errors import ConfigError, QueryError
from hub.fetch import Transport
from hub.models import AuditReport, Hit, Results, Routed, SourceResult, SourceState
from hub.pipeline import editorial, runs, trace
from hub.pipeline.crawl import Progress, Stopping, crawl_sources, is_due, post_sketch
from hub.pipeline.runs import Tally as Tally
from hub.pipeline.runs import recorded as recorded
from hub.route import Router
from hub.store import DATABASE, Store
from hub.workers import Workers


def load(path: Path) -> Config:
    """channels.yaml, validated down to the CSS selectors of every source."""
    loaded = config_module.load(path)
    errors = [
        loaded.error(("sources", i, "page", key), message)
        for i, source in enumerate(loaded.sources)
        for key, message in parse.check_source(source)
    ]
    if errors:
        raise ConfigError.combine(errors)
    return loaded


@contextmanager
def writer_lock(config: Config, wait: float = 0.0) -> Iterator[None]:
    """One writer per data folder (`runs.writer_lock`)."""
    with runs.writer_lock(config.data_dir, wait):
        yield


def open_store(config: Config) -> Store:
    return Store.at(config.data_dir)


def existing_store(config: Config) -> Store | None:
    """The site's database if it has one; commands that only read never create it."""
    return open_store(config) if (config.data_dir / DATABASE).exists() else None


def channel_counts(config: Config, routed: Sequence[Routed]) -> dict[str, int]:
    counts = {c.slug: 0 for c in config.channels}
    for r in routed:
        for slug in r.channels:
            counts[slug] += 1
    return counts


def user_agent(config: Config) -> str:
    return config.fetch.user_agent or f"hub/{__version__} (+{config.site.base_url})"


# -- crawl ------------------------------------------------------------------------------


def crawl(
    config: Config,
    store: Store,
    now: datetime,
    *,
    due_only: bool = False,
    only: Sequence[str] = (),
    transport: Transport | None = None,
    progress: Progress | None = None,
    stopping: Stopping | None = None,
    workers: Workers | None = None,
) -> list[SourceResult]:
    """Fetch, parse and store every source (or the due ones, or `only` these ids).
    A failing source is recorded on its state; the others go on. Once `stopping()` is
    true no more sources are begun (see `crawl_sources`). Parsing runs in `workers`,
    or in worker processes started for this crawl."""
    states = store.states()
    chosen = [
        s
        for s in config.sources
        if (not only or s.id in only) and (not due_only or is_due(states.get(s.id), now))
    ]
    if not chosen:
        return []
    with ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(parse_workers())
        return asyncio.run(
            crawl_sources(
                config,
                store,
                now,
                chosen,
                states,
                user_agent=user_agent(config),
                workers=workers,
                transport=transport,
                progress=progress,
                stopping=stopping,
            )
        )


def parse_workers() -> Workers:
    """Worker processes for the parse stage; one set can serve crawl after crawl."""
    workers = Workers(preload=["hub.parse", "hub.reprints"])
    workers.start()
    return workers


def status(config: Config, store: Store) -> list[tuple[Source, SourceState]]:
    """Every configured source with what hub knows of its health, in config order."""
    states = store.states()
    return [(s, states.get(s.id, SourceState(s.id))) for s in config.sources]


# -- publish ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    posts: int
    pages: int  # files in the portal
    written: int  # files this publish rendered; the others were unchanged
    indexed: search.UpdateResult
    seconds: float


def router(config: Config) -> Router:
    return Router(config.channels, config.sources, config.site.zone, config.overrides)


def route(config: Config, store: Store, now: datetime) -> list[Routed]:
    """Every stored post of a configured source, routed with the current rules; posts
    hidden by an override, or withdrawn upstream where that hides them, are left out."""
    configured = {s.id for s in config.sources}
    hide_removed = {s.id for s in config.sources if not s.keep_removed}
    routed = router(config).route_all(
        (
            p
            for p in store.posts()
            if p.post.source_id in configured
            and not (p.removed and p.post.source_id in hide_removed)
        ),
        now,
    )
    return [r for r in routed if not r.hidden]


def publish(config: Config, store: Store, now: datetime, *, full: bool = False) -> PublishResult:
    """Bring the portal and the search index up to date: pages whose content did not
    change are kept from the live build, unless `full`."""
    started = time.monotonic()
    store.fill_sketches(post_sketch)  # posts an earlier hub stored without one
    routed = route(config, store, now)
    canonical_of = find_reprints(config, routed)
    sources_opml = editorial.export_sources(config, routed, now)
    states = store.states()
    with site.staged(
        config,
        routed,
        states,
        now,
        canonical_of=canonical_of,
        audit=_audit(config, routed, states, canonical_of, now),
        extra={"sources.opml": sources_opml},
        full=full,
    ) as built:
        # before the switch: a publish that cannot finish (a full disk) keeps the
        # previous site with the previous index. (For the moment between the index's
        # commit and the switch, the search service drops hits not yet on the site.)
        trace.save(config.data_dir, routed, now)  # what the portal shows, for explain/diff
        documents = _documents(config, _originals(routed, canonical_of))
        indexed = search.update(config.index_dir, documents)
    return PublishResult(
        len(routed), built.pages, built.written, indexed, time.monotonic() - started
    )


def find_reprints(config: Config, routed: Sequence[Routed]) -> dict[str, str]:
    """post id -> its cluster's canonical post id, for posts published more than once."""
    names = {s.id: s.name for s in config.sources}
    return reprints.clusters(
        reprints.Candidate(
            stored.post.id,
            stored.sketch,
            stored.date,
            names.get(stored.post.source_id, stored.post.source_id),
            reprints.origin_named(stored.post.text),
        )
        for stored in (r.post for r in routed)
    )


def audit(config: Config, store: Store, now: datetime) -> AuditReport:
    """The consolidation audit (`hub.audit`) of what the portal shows, as /sources/
    shows it: a hidden post counts for no one."""
    routed = route(config, store, now)
    return _audit(config, routed, store.states(), find_reprints(config, routed), now)


def _audit(
    config: Config,
    routed: Sequence[Routed],
    states: Mapping[str, SourceState],
    canonical_of: Mapping[str, str],
    now: datetime,
) -> AuditReport:
    posts = [r.post for r in routed]
    return audit_module.audit(
        config.sources, posts, states, canonical_of, thresholds=config.audit, now=now
    )


def reindex(config: Config, store: Store, now: datetime) -> search.UpdateResult:
    """Rebuild the search index from the database alone: what the live portal shows."""
    routed = route(config, store, now)
    originals = _originals(routed, find_reprints(config, routed))
    return search.update(config.index_dir, _documents(config, originals), rebuild=True)


def index_count(config: Config) -> int:
    return search.count(config.index_dir)


def _originals(routed: Sequence[Routed], canonical_of: dict[str, str]) -> list[Routed]:
    """A reprint is found through its original, so it is not indexed on its own."""
    return [r for r in routed if canonical_of.get(r.post.post.id, r.post.post.id) == r.post.post.id]


def _documents(config: Config, routed: Sequence[Routed]) -> Iterator[search.Document]:
    names = {s.id: (s.name, s.group) for s in config.sources}
    zone = config.site.zone
    for item in routed:
        post = item.post.post
        name, group = names[post.source_id]
        path = site.post_path(post.id, item.post.filed, zone)
        version = hashlib.sha256(
            "\x00".join((post.hash, name, group, path, ",".join(item.channels))).encode()
        ).hexdigest()[:16]
        yield search.Document(
            id=post.id,
            hash=version,
            title=post.title,
            text=post.text,
            department=name,
            source_id=post.source_id,
            group=group,
            sections=item.channels,
            date=item.post.date,
            path=path,
            files=tuple(a.title for a in post.attachments),
        )


# -- search -----------------------------------------------------------------------------


class SearchService:
    """Queries and the search page for `hub serve` and `hub search`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._page = site.SearchPage(config)

    def request(self, params: Mapping[str, str]) -> search.Request:
        """A request from a form or a command line: q, section, source, group, since and
        until (dates, both days included, in the site's time zone), sort, page, per_page.
        Raises QueryError, saying what is wrong, for what cannot be understood."""
        zone = self.config.site.zone

        def day(name: str, days_after: int = 0) -> datetime | None:
            raw = params.get(name, "").strip()
            if not raw:
                return None
            try:
                value = date.fromisoformat(raw)
            except ValueError:
                raise QueryError(f"{name} must be a date such as 2026-06-01, not {raw!r}") from None
            return datetime.combine(value + timedelta(days=days_after), dt_time(), zone)

        def number(name: str, default: int) -> int:
            raw = params.get(name, "").strip()
            if not raw:
                return default
            if not raw.isdigit():
                raise QueryError(f"{name} must be a whole number, not {raw!r}")
            return int(raw)

        known = {
            "section": {c.slug for c in self.config.channels},
            "source": {s.id for s in self.config.sources},
            "group": {s.group for s in self.config.sources},
        }
        for name, values in known.items():
            if (value := params.get(name, "")) and value not in values:
                raise QueryError(f"there is no {name} {value!r}")
        return search.Request(
            text=params.get("q", "")[: search.MAX_QUERY_CHARS],
            section=params.get("section", ""),
            source=params.get("source", ""),
            group=params.get("group", ""),
            since=day("since"),
            until=day("until", days_after=1),
            sort=cast(search.Sort, params.get("sort") or "relevance"),
            page=number("page", 1),
            per_page=number("per_page", 10),
        )

    def results(self, request: search.Request) -> Results:
        """One page of results, without hits whose page the live site does not have:
        a publish commits the index just before it switches the site, and one killed
        in between must not send readers to pages that are not there."""
        results = search.search(self.config.index_dir, request)
        live = Path(os.path.realpath(self.config.site_dir))
        shown = tuple(hit for hit in results.hits if (live / hit.path).is_file())
        return results if len(shown) == len(results.hits) else replace(results, hits=shown)

    def page(self, params: Mapping[str, str], now: datetime) -> tuple[int, str]:
        """(HTTP status, the search page): the form alone for an empty query, else the
        results; a request that cannot be understood gets the form and what to fix."""
        try:
            request = self.request(params)
        except QueryError:
            error = (
                "搜索条件无法识别：日期请写成 2026-06-01 的形式，页码为正整数，"
                "栏目和单位请从列表中选择。"
            )
            return 400, self._page.render(params, None, now, error=error)
        results = self.results(request) if search.parse(request.text).clauses() else None
        return 200, self._page.render(params, results, now)

    def unavailable(self, params: Mapping[str, str], now: datetime) -> str:
        return self._page.render(params, None, now, error="搜索暂时不可用，请稍后再试。")

    def json(self, request: search.Request, results: Results) -> dict[str, object]:
        """The API's answer: the query, the total and one page of hits."""
        return {
            "query": request.text,
            "total": results.total,
            "page": results.page,
            "pages": results.pages,
            "per_page": results.per_page,
            "sort": request.sort,
            "hits": [self.hit_json(h) for h in results.hits],
            "suggestions": list(results.suggestions),
        }

    def hit_json(self, hit: Hit) -> dict[str, object]:
        return {
            "id": hit.id,
            "title": hit.title,
            "url": self.config.site.base_url + hit.path,
            "path": hit.path,
            "department": hit.department,
            "source": hit.source_id,
            "group": hit.group,
            "sections": list(hit.sections),
            "date": hit.date.isoformat() if hit.date else None,
            "score": round(hit.score, 3),
            "title_html": search.to_html(hit.title_marked),
            "snippet": search.to_html(hit.snippet),
            "snippet_text": search.plain(hit.snippet),
        }

"""The one place where the stages meet: crawl (fetch -> parse -> store) and publish
(store -> route -> site + search). Time is an argument; nothing here reads the clock.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub import __version__, parse, reprints, search, site
from hub import config as config_module
from hub.config import Config, Source
from hub.errors import BusyError, ConfigError
from hub.fetch import Transport
from hub.models import Hit, Routed, SourceResult, SourceState
from hub.pipeline import editorial, trace
from hub.pipeline.crawl import Crawler, Progress, is_due, post_sketch
from hub.route import Router
from hub.store import DATABASE, Store


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
def writer_lock(config: Config) -> Iterator[None]:
    """One writer per data folder: crawls and publishes never interleave."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    path = config.data_dir / "hub.lock"
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BusyError(
                f"another hub process is writing to {config.data_dir} "
                "(a crawl or publish is running); try again when it ends"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
) -> list[SourceResult]:
    """Fetch, parse and store every source (or the due ones, or `only` these ids).
    A failing source is recorded on its state; the others go on."""
    states = store.states()
    chosen = [
        s
        for s in config.sources
        if (not only or s.id in only) and (not due_only or is_due(states.get(s.id), now))
    ]
    if not chosen:
        return []
    crawler = Crawler(config, store, now, user_agent(config))
    return asyncio.run(crawler.crawl_all(chosen, states, transport, progress))


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
    built = site.build(
        config,
        routed,
        store.states(),
        now,
        canonical_of=canonical_of,
        extra={"sources.opml": sources_opml},
        full=full,
    )
    trace.save(config.data_dir, routed, now)  # what the portal now shows, for explain/diff
    # a reprint is found through its original, so it is not indexed on its own
    originals = [
        r for r in routed if canonical_of.get(r.post.post.id, r.post.post.id) == r.post.post.id
    ]
    indexed = search.update(config.index_dir, _documents(config, originals))
    return PublishResult(
        len(routed), built.pages, built.written, indexed, time.monotonic() - started
    )


def find_reprints(config: Config, routed: Sequence[Routed]) -> dict[str, str]:
    """post id -> its cluster's canonical post id, for posts published more than once."""
    names = {s.id: s.name for s in config.sources}
    return reprints.clusters(
        reprints.Candidate(
            r.post.post.id,
            r.post.sketch,
            r.post.date,
            names[r.post.post.source_id],
            reprints.origin_named(r.post.post.text),
        )
        for r in routed
    )


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
            post.id,
            version,
            post.title,
            post.text,
            name,
            post.source_id,
            group,
            item.channels,
            item.post.date,
            path,
        )


# -- search -----------------------------------------------------------------------------


class SearchService:
    """Queries and the search page for `hub serve` and `hub search`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._page = site.SearchPage(config)

    def query(self, text: str, limit: int = 20, section: str = "") -> tuple[int, list[Hit]]:
        return search.query(self.config.index_dir, text, limit=limit, section=section)

    def page(self, text: str, now: datetime) -> str:
        """The search page: the form alone for an empty query, else the results."""
        if not text.strip():
            return self._page.render("", None, 0, now)
        total, hits = self.query(text)
        return self._page.render(text, hits, total, now)

    def unavailable(self, text: str, now: datetime) -> str:
        return self._page.render(text, None, 0, now, error="搜索暂时不可用，请稍后再试。")

    def hit_json(self, hit: Hit) -> dict[str, object]:
        return {
            "id": hit.id,
            "title": hit.title,
            "url": self.config.site.base_url + hit.path,
            "path": hit.path,
            "department": hit.department,
            "source": hit.source_id,
            "sections": list(hit.sections),
            "date": hit.date.isoformat() if hit.date else None,
            "snippet": hit.snippet,
        }

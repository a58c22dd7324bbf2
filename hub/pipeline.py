"""The one place where the stages meet: crawl (fetch -> parse -> store) and publish
(store -> route -> site + search). Time is an argument; nothing here reads the clock.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from hub import __version__, parse, search, site
from hub import config as config_module
from hub.config import Config, Source
from hub.errors import (
    BusyError,
    ConfigError,
    FetchError,
    ParseError,
    SourceError,
    StoreError,
)
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, Hit, ListItem, Post, Routed, SourceResult, SourceState
from hub.route import Router
from hub.store import Store

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=24)
GONE_RECHECK = timedelta(days=7)  # a source that answered 410 is asked again weekly
Progress = Callable[[SourceResult], None]


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
        if (not only or s.id in only) and (not due_only or _is_due(states.get(s.id), now))
    ]
    if not chosen:
        return []
    crawler = _Crawler(config, store, now)
    return asyncio.run(crawler.crawl_all(chosen, states, transport, progress))


def _is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_fetch_at is None or state.next_fetch_at <= now


class _Crawler:
    """One crawl: a fetcher shared by all sources, the store, and the crawl's time."""

    fetcher: Fetcher

    def __init__(self, config: Config, store: Store, now: datetime) -> None:
        self.config, self.store, self.now = config, store, now
        self.zone = config.site.zone

    async def crawl_all(
        self,
        sources: Sequence[Source],
        states: dict[str, SourceState],
        transport: Transport | None,
        progress: Progress | None,
    ) -> list[SourceResult]:
        async with Fetcher(self.config.fetch, user_agent(self.config), transport) as fetcher:
            self.fetcher = fetcher

            async def one(source: Source) -> SourceResult:
                result = await self.crawl(source, states.get(source.id, SourceState(source.id)))
                if progress is not None:
                    progress(result)
                return result

            return list(await asyncio.gather(*(one(s) for s in sources)))

    async def crawl(self, source: Source, state: SourceState) -> SourceResult:
        started = time.monotonic()
        try:
            new, changed, fetched, feed_url = await self._crawl(source, state)
        except SourceError as exc:
            if exc.kind == "empty" and state.posts:
                exc.kind = "layout-changed"  # the selectors found items before
            return self._failed(source, state, exc, started)
        except StoreError:
            raise  # the database is unusable: fatal for the whole run
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("unexpected error while crawling %s", source.id)
            bug = SourceError(f"{type(exc).__name__}: {exc}", kind="internal")
            return self._failed(source, state, bug, started)
        not_modified = fetched.status == 304
        self.store.record(
            replace(
                state,
                etag=state.etag if not_modified else fetched.headers.get("etag", ""),
                last_modified=state.last_modified
                if not_modified
                else fetched.headers.get("last-modified", ""),
                feed_url=feed_url,
                failures=0,
                error_kind="",
                last_error="",
                last_fetch_at=self.now,
                last_ok_at=self.now,
                last_new_post_at=self.now if new else state.last_new_post_at,
                next_fetch_at=self.now + timedelta(seconds=self.config.interval(source)),
            )
        )
        log.info(
            "%s: %d new, %d changed%s",
            source.id,
            new,
            changed,
            " (not modified)" if not_modified else "",
        )
        return SourceResult(
            source.id, new, changed, not_modified, seconds=time.monotonic() - started
        )

    async def _crawl(self, source: Source, state: SourceState) -> tuple[int, int, Fetched, str]:
        """(new, changed, the response the posts came from, the discovered feed's URL)."""
        fetched = await self.fetcher.get(
            state.feed_url or source.url,
            source_id=source.id,
            now=self.now,
            etag=state.etag,
            last_modified=state.last_modified,
        )
        feed_url = state.feed_url
        if fetched.status == 304:
            return 0, 0, fetched, feed_url
        if source.feed:
            fetched, posts, found = await self._feed(source, fetched)
            feed_url = found or feed_url
        else:
            posts = await self._articles(source, fetched)
        new, changed = self.store.save(posts, self.now)
        return new, changed, fetched, feed_url

    async def _feed(
        self, source: Source, fetched: Fetched
    ) -> tuple[Fetched, list[Post], str | None]:
        """A feed's posts; when the address gives an HTML page that announces a feed
        (<link rel="alternate">), that feed's, and the feed is remembered."""
        try:
            return fetched, parse.feed_posts(fetched, source, self.zone, self.now), None
        except ParseError:
            found = parse.discover_feed(fetched)
            if found is None or found == fetched.url:
                raise
        log.info("%s: %s is a page; following its feed %s", source.id, fetched.url, found)
        fetched = await self.fetcher.get(found, source_id=source.id, now=self.now)
        return fetched, parse.feed_posts(fetched, source, self.zone, self.now), found

    async def _articles(self, source: Source, fetched: Fetched) -> list[Post]:
        items = parse.list_items(fetched, source, self.zone, self.now)
        ids = {parse.item_post_id(source.id, item): item for item in items}
        known = self.store.existing_ids(ids)
        wanted = [item for pid, item in ids.items() if pid not in known]

        async def follow(item: ListItem) -> Post | SourceError:
            try:
                page = await self.fetcher.get(item.url, source_id=source.id, now=self.now)
                return parse.article_post(page, item, source, self.zone, self.now)
            except SourceError as exc:
                return exc

        results = await asyncio.gather(*(follow(item) for item in wanted))
        posts = [r for r in results if isinstance(r, Post)]
        errors = [r for r in results if isinstance(r, SourceError)]
        for error in errors:
            log.warning("%s: article skipped, will retry: %s", source.id, error)
        if errors and not posts:
            raise errors[0]  # every article failed: the source is failing
        return posts

    def _failed(
        self, source: Source, state: SourceState, error: SourceError, started: float
    ) -> SourceResult:
        failures = state.failures + 1
        kind, message = error.kind, str(error)
        backoff = self._backoff(source, failures, error)
        self.store.record(
            replace(
                state,
                failures=failures,
                error_kind=kind,
                last_error=message.splitlines()[0],
                last_fetch_at=self.now,
                next_fetch_at=self.now + backoff,
            )
        )
        log.warning("%s failed (%s): %s", source.id, kind, message)
        return SourceResult(
            source.id, error_kind=kind, error=message, seconds=time.monotonic() - started
        )

    def _backoff(self, source: Source, failures: int, error: SourceError) -> timedelta:
        """Exponential from the source's interval, capped; longer if the server asked."""
        if error.kind == "gone":
            return GONE_RECHECK
        interval = timedelta(seconds=self.config.interval(source))
        wait = min(interval * (1 << min(failures - 1, 16)), MAX_BACKOFF)
        asked = error.retry_after if isinstance(error, FetchError) else None
        return max(wait, timedelta(seconds=asked)) if asked else wait


def status(config: Config, store: Store) -> list[tuple[Source, SourceState]]:
    """Every configured source with what hub knows of its health, in config order."""
    states = store.states()
    return [(s, states.get(s.id, SourceState(s.id))) for s in config.sources]


# -- publish ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    posts: int
    pages: int
    indexed: search.UpdateResult
    seconds: float


def route(config: Config, store: Store) -> list[Routed]:
    """Every stored post of a configured source, routed with the current rules."""
    configured = {s.id: s.group for s in config.sources}
    router = Router(config.channels, configured)
    return router.route_all(p for p in store.posts() if p.post.source_id in configured)


def publish(config: Config, store: Store, now: datetime) -> PublishResult:
    """Rebuild the portal and bring the search index up to date."""
    started = time.monotonic()
    routed = route(config, store)
    built = site.build(config, routed, store.states(), now)
    indexed = search.update(config.index_dir, _documents(config, routed))
    return PublishResult(len(routed), built.pages, indexed, time.monotonic() - started)


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

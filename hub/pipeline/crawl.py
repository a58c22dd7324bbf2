"""One crawl: fetch -> parse -> store for each source, concurrently and in isolation. A
source's failure is recorded on its state and returned as a value; only an unusable
database stops the crawl."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from hub import parse, reprints
from hub.config import Config, Source
from hub.errors import FetchError, ParseError, SourceError, StoreError, WorkError
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, ListItem, Post, SourceResult, SourceState
from hub.store import Store
from hub.workers import Workers

log = logging.getLogger("hub.pipeline")
MAX_BACKOFF = timedelta(hours=24)
GONE_RECHECK = timedelta(days=7)  # a source that answered 410 is asked again weekly
Progress = Callable[[SourceResult], None]
Stopping = Callable[[], bool]  # asked before each source: has a stop been requested?
PARSE_LIMIT = 60.0  # seconds of a worker's time one response may take to read
T = TypeVar("T")


def post_sketch(post: Post) -> tuple[int, ...]:
    """What reprint detection compares: the title and the text."""
    return reprints.sketch(f"{post.title}\n{post.text}")


def is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_fetch_at is None or state.next_fetch_at <= now


async def crawl_sources(
    config: Config,
    store: Store,
    now: datetime,
    sources: Sequence[Source],
    states: dict[str, SourceState],
    *,
    user_agent: str,
    workers: Workers,
    transport: Transport | None = None,
    progress: Progress | None = None,
    stopping: Stopping | None = None,
) -> list[SourceResult]:
    """Crawl the sources, `fetch.concurrency` at a time. Once `stopping()` says so, no
    further source is begun; those under way finish (each within its deadlines), and
    the others keep their state: still due, they are crawled next time.

    Only fetching runs on the event loop. Parsing runs in `workers` (other processes)
    and the database in a thread of its own, so that neither a heavy feed nor a slow
    disk holds up the answers other sources are waiting for: a request's deadline
    measures its server, not the rest of the crawl."""
    gate = asyncio.Semaphore(config.fetch.concurrency)
    with ThreadPoolExecutor(1, thread_name_prefix="hub-store") as database:
        async with Fetcher(config.fetch, user_agent, transport) as fetcher:
            crawler = Crawler(
                config, store, now, fetcher=fetcher, workers=workers, database=database
            )

            async def one(source: Source) -> SourceResult | None:
                async with gate:
                    if stopping is not None and stopping():
                        return None
                    state = states.get(source.id, SourceState(source.id))
                    result = await crawler.crawl(source, state)
                if progress is not None:
                    progress(result)
                return result

            done = await asyncio.gather(*(one(s) for s in sources))
    return [result for result in done if result is not None]


class Crawler:
    """What the sources of one crawl share: the fetcher, the parsing workers, the store
    (behind its one thread), and the crawl's time."""

    def __init__(
        self,
        config: Config,
        store: Store,
        now: datetime,
        *,
        fetcher: Fetcher,
        workers: Workers,
        database: Executor,
    ) -> None:
        self.config, self.store, self.now = config, store, now
        self.fetcher, self.workers, self.database = fetcher, workers, database
        self.zone = config.site.zone
        self.embeds = frozenset(config.site.embed_hosts)

    async def _stored(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the store's thread."""
        return await asyncio.get_running_loop().run_in_executor(self.database, function, *args)

    async def _parsed(self, url: str, function: Callable[..., T], *args: Any, **kw: Any) -> T:
        """`function(*args, **kw)` of the parse stage, in a worker process."""
        try:
            return await self.workers.run(partial(function, **kw), *args, limit=PARSE_LIMIT)
        except WorkError as exc:
            raise ParseError(f"{url} could not be read: {exc}", kind="parse") from exc

    async def crawl(self, source: Source, state: SourceState) -> SourceResult:
        started = time.monotonic()
        try:
            new, changed, fetched, feed_url = await self._crawl(source, state)
        except SourceError as exc:
            if exc.kind == "empty" and state.posts:
                exc.kind = "layout-changed"  # the selectors found items before
            return await self._failed(source, state, exc, started)
        except StoreError:
            raise  # the database is unusable: fatal for the whole run
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("unexpected error while crawling %s", source.id)
            bug = SourceError(f"{type(exc).__name__}: {exc}", kind="internal")
            return await self._failed(source, state, bug, started)
        not_modified = fetched.status == 304
        headers = {} if not_modified else fetched.headers
        await self._stored(
            self.store.record,
            replace(
                state,
                etag=headers.get("etag", "") if headers else state.etag,
                last_modified=headers.get("last-modified", "") if headers else state.last_modified,
                feed_url=feed_url,
                failures=0,
                error_kind="",
                last_error="",
                last_fetch_at=self.now,
                last_ok_at=self.now,
                last_new_post_at=self.now if new else state.last_new_post_at,
                next_fetch_at=self.now + self._interval(source),
            ),
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
            dated = [p.published for p in posts if p.published]
            since = min(dated) if dated else None  # feeds list newest first, unpinned
            listed = {p.id for p in posts}
        else:
            posts, items = await self._articles(source, fetched)
            # a list page may pin old items on top; what it still covers ends at its bottom
            since = items[-1].published
            listed = {parse.item_post_id(source.id, item) for item in items}
        new, changed = await self._stored(self.store.save, posts, self.now, post_sketch)
        if since is not None:
            await self._stored(self.store.mark_removed, source.id, listed, since, self.now)
        return new, changed, fetched, feed_url

    async def _feed(
        self, source: Source, fetched: Fetched
    ) -> tuple[Fetched, list[Post], str | None]:
        """A feed's posts; when the address gives an HTML page that announces a feed
        (<link rel="alternate">), that feed's, and the feed is remembered."""
        try:
            return fetched, await self._feed_posts(source, fetched), None
        except ParseError:
            found = await self._parsed(fetched.url, parse.discover_feed, fetched)
            if found is None or found == fetched.url:
                raise
        log.info("%s: %s is a page; following its feed %s", source.id, fetched.url, found)
        fetched = await self.fetcher.get(found, source_id=source.id, now=self.now)
        return fetched, await self._feed_posts(source, fetched), found

    async def _feed_posts(self, source: Source, fetched: Fetched) -> list[Post]:
        return await self._parsed(
            fetched.url, parse.feed_posts, fetched, source, self.zone, self.now, embeds=self.embeds
        )

    async def _list_items(self, source: Source, fetched: Fetched) -> list[ListItem]:
        return await self._parsed(
            fetched.url, parse.list_items, fetched, source, self.zone, self.now
        )

    async def _known(self, source: Source, items: list[ListItem]) -> set[str]:
        ids = [parse.item_post_id(source.id, item) for item in items]
        return await self._stored(self.store.existing_ids, ids)

    async def _listing(self, source: Source, fetched: Fetched) -> tuple[list[ListItem], set[str]]:
        """The items of the list page and, while the newest posts run past a page's end,
        of the pages after it (up to page.backfill); with the ids already stored.

        A page whose last item is new means more new items may follow. Pinned (置顶) old
        items sit at the top of a page, so they never stop the paging."""
        page = source.page
        items = await self._list_items(source, fetched)
        known = await self._known(source, items)
        read = 1
        while page and page.more and read < page.backfill:
            if parse.item_post_id(source.id, items[-1]) in known:
                break
            url = parse.list_page_url(page, read)
            try:
                more = await self.fetcher.get(url, source_id=source.id, now=self.now)
                found = await self._list_items(source, more)
            except SourceError as exc:  # past the last page, or a broken one: stop here
                log.info("%s: list page %s not read: %s", source.id, url, exc)
                break
            seen = {item.url for item in items}
            items += [item for item in found if item.url not in seen]
            known |= await self._known(source, found)
            read += 1
        return items, known

    async def _articles(
        self, source: Source, fetched: Fetched
    ) -> tuple[list[Post], list[ListItem]]:
        """The posts behind the list's new items, and every item listed."""
        items, known = await self._listing(source, fetched)
        wanted = [item for item in items if parse.item_post_id(source.id, item) not in known]

        async def follow(item: ListItem) -> Post | SourceError:
            try:
                page = await self.fetcher.get(item.url, source_id=source.id, now=self.now)
                return await self._parsed(
                    page.url,
                    parse.article_post,
                    *(page, item, source, self.zone, self.now),
                    embeds=self.embeds,
                )
            except SourceError as exc:
                return exc

        results = await asyncio.gather(*(follow(item) for item in wanted))
        posts = [r for r in results if isinstance(r, Post)]
        errors = [r for r in results if isinstance(r, SourceError)]
        for error in errors:
            log.warning("%s: article skipped, will retry: %s", source.id, error)
        if errors and not posts:
            raise errors[0]  # every article failed: the source is failing
        return posts, items

    async def _failed(
        self, source: Source, state: SourceState, error: SourceError, started: float
    ) -> SourceResult:
        failures = state.failures + 1
        kind, message = error.kind, str(error)
        await self._stored(
            self.store.record,
            replace(
                state,
                failures=failures,
                error_kind=kind,
                last_error=message.splitlines()[0],
                last_fetch_at=self.now,
                next_fetch_at=self.now + self._backoff(source, failures, error),
            ),
        )
        log.warning("%s failed (%s): %s", source.id, kind, message)
        return SourceResult(
            source.id, error_kind=kind, error=message, seconds=time.monotonic() - started
        )

    def _interval(self, source: Source) -> timedelta:
        """The source's interval, less a jitter (`schedule.jitter`) that differs by source
        and by poll, so that sources sharing an interval and a host drift apart. Drawn
        from the source and the time, not a random generator: a crawl is repeatable."""
        seed = hashlib.blake2b(f"{source.id}@{self.now.isoformat()}".encode(), digest_size=4)
        fraction = int.from_bytes(seed.digest(), "big") / 2**32
        interval = self.config.interval(source)
        return timedelta(seconds=interval * (1 - self.config.schedule.jitter * fraction))

    def _backoff(self, source: Source, failures: int, error: SourceError) -> timedelta:
        """Exponential from the source's interval, capped; longer if the server asked."""
        if error.kind == "gone":
            return GONE_RECHECK
        interval = timedelta(seconds=self.config.interval(source))
        wait = min(interval * (1 << min(failures - 1, 16)), MAX_BACKOFF)
        asked = error.retry_after if isinstance(error, FetchError) else None
        return max(wait, timedelta(seconds=asked)) if asked else wait

"""One crawl: fetch -> parse -> store for each source, concurrently and in isolation. A
source's failure is recorded on its state and returned as a value; only an unusable
database stops the crawl."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from hub import parse, reprints
from hub.config import Config, Source
from hub.errors import FetchError, ParseError, SourceError, StoreError
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, ListItem, Post, SourceResult, SourceState
from hub.store import Store

log = logging.getLogger("hub.pipeline")
MAX_BACKOFF = timedelta(hours=24)
GONE_RECHECK = timedelta(days=7)  # a source that answered 410 is asked again weekly
Progress = Callable[[SourceResult], None]
Stopping = Callable[[], bool]  # asked before each source: has a stop been requested?


def post_sketch(post: Post) -> tuple[int, ...]:
    """What reprint detection compares: the title and the text."""
    return reprints.sketch(f"{post.title}\n{post.text}")


def is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_fetch_at is None or state.next_fetch_at <= now


class Crawler:
    """A fetcher shared by all sources of one crawl, the store, and the crawl's time."""

    fetcher: Fetcher

    def __init__(self, config: Config, store: Store, now: datetime, user_agent: str) -> None:
        self.config, self.store, self.now = config, store, now
        self.zone = config.site.zone
        self.embeds = frozenset(config.site.embed_hosts)
        self.user_agent = user_agent

    async def crawl_all(
        self,
        sources: Sequence[Source],
        states: dict[str, SourceState],
        transport: Transport | None,
        progress: Progress | None,
        stopping: Stopping | None = None,
    ) -> list[SourceResult]:
        """Crawl the sources, `fetch.concurrency` at a time. Once `stopping()` says so, no
        further source is begun; those under way finish (each within its deadlines),
        and the others keep their state: still due, they are crawled next time."""
        gate = asyncio.Semaphore(self.config.fetch.concurrency)
        async with Fetcher(self.config.fetch, self.user_agent, transport) as fetcher:
            self.fetcher = fetcher

            async def one(source: Source) -> SourceResult | None:
                async with gate:
                    if stopping is not None and stopping():
                        return None
                    state = states.get(source.id, SourceState(source.id))
                    result = await self.crawl(source, state)
                if progress is not None:
                    progress(result)
                return result

            done = await asyncio.gather(*(one(s) for s in sources))
        return [result for result in done if result is not None]

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
        headers = {} if not_modified else fetched.headers
        self.store.record(
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
            dated = [p.published for p in posts if p.published]
            since = min(dated) if dated else None  # feeds list newest first, unpinned
            listed = {p.id for p in posts}
        else:
            posts, items = await self._articles(source, fetched)
            # a list page may pin old items on top; what it still covers ends at its bottom
            since = items[-1].published
            listed = {parse.item_post_id(source.id, item) for item in items}
        new, changed = self.store.save(posts, self.now, post_sketch)
        if since is not None:
            self.store.mark_removed(source.id, listed, since, self.now)
        return new, changed, fetched, feed_url

    async def _feed(
        self, source: Source, fetched: Fetched
    ) -> tuple[Fetched, list[Post], str | None]:
        """A feed's posts; when the address gives an HTML page that announces a feed
        (<link rel="alternate">), that feed's, and the feed is remembered."""
        try:
            return (
                fetched,
                parse.feed_posts(fetched, source, self.zone, self.now, embeds=self.embeds),
                None,
            )
        except ParseError:
            found = parse.discover_feed(fetched)
            if found is None or found == fetched.url:
                raise
        log.info("%s: %s is a page; following its feed %s", source.id, fetched.url, found)
        fetched = await self.fetcher.get(found, source_id=source.id, now=self.now)
        return (
            fetched,
            parse.feed_posts(fetched, source, self.zone, self.now, embeds=self.embeds),
            found,
        )

    async def _listing(self, source: Source, fetched: Fetched) -> tuple[list[ListItem], set[str]]:
        """The items of the list page and, while the newest posts run past a page's end,
        of the pages after it (up to page.backfill); with the ids already stored.

        A page whose last item is new means more new items may follow. Pinned (置顶) old
        items sit at the top of a page, so they never stop the paging."""
        page = source.page
        items = parse.list_items(fetched, source, self.zone, self.now)
        known = self.store.existing_ids(parse.item_post_id(source.id, i) for i in items)
        read = 1
        while page and page.more and read < page.backfill:
            if parse.item_post_id(source.id, items[-1]) in known:
                break
            url = parse.list_page_url(page, read)
            try:
                more = await self.fetcher.get(url, source_id=source.id, now=self.now)
                found = parse.list_items(more, source, self.zone, self.now)
            except SourceError as exc:  # past the last page, or a broken one: stop here
                log.info("%s: list page %s not read: %s", source.id, url, exc)
                break
            seen = {item.url for item in items}
            items += [item for item in found if item.url not in seen]
            known |= self.store.existing_ids(parse.item_post_id(source.id, i) for i in found)
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
                return parse.article_post(
                    page, item, source, self.zone, self.now, embeds=self.embeds
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

    def _failed(
        self, source: Source, state: SourceState, error: SourceError, started: float
    ) -> SourceResult:
        failures = state.failures + 1
        kind, message = error.kind, str(error)
        self.store.record(
            replace(
                state,
                failures=failures,
                error_kind=kind,
                last_error=message.splitlines()[0],
                last_fetch_at=self.now,
                next_fetch_at=self.now + self._backoff(source, failures, error),
            )
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

"""One crawl: fetch -> parse -> store for each source, concurrently and in isolation. A
source's failure is recorded on its state and returned as a value; only an unusable
database stops the crawl."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from hub import parse, reprints
from hub.audited import FetchAttempt
from hub.config import Config, Source
from hub.errors import FetchError, ParseError, SourceError, StoreError
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, ListItem, Parsed, SourceResult, SourceState
from hub.parse import Reading
from hub.pipeline.catalogues import catalogue
from hub.pipeline.claims import Claims, Given, Held, Keep, Leased, Terms, always_held, terms
from hub.pipeline.decide import (
    Failure,
    Pace,
    Success,
    after_failure,
    after_success,
    failure_kind,
    feed_window,
    is_due,
    page_window,
    withdrawal,
)
from hub.pipeline.ending import after_sources
from hub.pipeline.project import user_agent
from hub.pipeline.reading import Reader
from hub.workers import Workers

if TYPE_CHECKING:
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
Progress = Callable[[SourceResult], None]
Stopping = Callable[[], bool]  # asked before each source: has a stop been requested?
MAX_LOGGED_NOTES = 10  # per source and crawl; the rest are counted
UNAVAILABLE = frozenset({"network", "timeout", "http", "gone"})  # the site's failures
T = TypeVar("T")


def parse_workers() -> Workers:
    """Worker processes for the parse stage; one set can serve crawl after crawl."""
    workers = Workers(preload=["hub.parse.read", "hub.reprints"])
    workers.start()
    return workers


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
    leasing: Terms | None = None,
) -> list[SourceResult]:
    """Fetch, parse and store every source (or the due ones, or `only` these ids).
    A failing source is recorded on its state; the others go on. Once `stopping()` is
    true no more sources are begun (see `crawl_sources`). Parsing runs in `workers`,
    or in worker processes started for this crawl. On a database crawlers share, the
    sources are leased (`claims`), by `leasing` or by terms made for this crawl."""
    leasing = leasing or terms(config, store)
    if leasing is not None:
        chosen = [s for s in config.sources if not only or s.id in only]
        states: dict[str, SourceState] = {}
    else:
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
                leasing=leasing,
                due_only=due_only,
            )
        )


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
    leasing: Terms | None = None,
    due_only: bool = False,
) -> list[SourceResult]:
    """Crawl the sources, `fetch.concurrency` at a time: with `leasing`, those of them
    this crawl can lease (the due ones, with `due_only`), else all of them. Once
    `stopping()` says so, no further source is begun; those under way finish (each
    within its deadlines), and the others keep their state: still due, they are
    crawled next time.

    Only fetching runs on the event loop. Parsing runs in `workers` (other processes)
    and the database in a thread of its own, so that neither a heavy feed nor a slow
    disk holds up the answers other sources are waiting for: a request's deadline
    measures its server, not the rest of the crawl."""
    with ThreadPoolExecutor(1, thread_name_prefix="hub-store") as database:
        claims: Claims = (
            Leased(store, sources, now, leasing, database, due_only=due_only)
            if leasing is not None
            else Given(store, sources, states)
        )
        async with Fetcher(config.fetch, user_agent, transport) as fetcher:
            crawler = Crawler(
                config, store, now, fetcher=fetcher, workers=workers, database=database
            )
            results: list[SourceResult] = []

            async def worker() -> None:
                while not (stopping is not None and stopping()):
                    job = await claims.next()
                    if job is None:
                        return
                    result = await crawler.crawl(job.source, job.state, job.keep, job.held)
                    results.append(result)
                    if progress is not None:
                        progress(result)

            try:
                await asyncio.gather(*(worker() for _ in range(config.fetch.concurrency)))
            finally:
                await claims.close()
            order = {source.id: n for n, source in enumerate(sources)}
            results.sort(key=lambda result: order[result.source_id])
            await after_sources(
                config,
                store,
                now,
                results,
                fetcher=fetcher,
                reader=crawler.reader,
                database=database,
                stopping=stopping,
            )
    return results


class Crawler:
    """What the sources of one crawl share: the fetcher, the parse stage behind its
    workers, the store (behind its one thread), and the crawl's time."""

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
        self.fetcher, self.reader, self.database = fetcher, Reader(workers), database
        self.zone = config.site.zone
        self.embeds = frozenset(config.site.embed_hosts)

    async def _stored(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the store's thread."""
        return await asyncio.get_running_loop().run_in_executor(self.database, function, *args)

    async def crawl(
        self, source: Source, state: SourceState, keep: Keep, held: Held = always_held
    ) -> SourceResult:
        """Crawl one source; its next state is handed to `keep` (on the store's thread).
        `held`: whether the crawl still holds the source (its lease, on a database
        crawlers share), asked before anything but new posts is written."""
        started = time.monotonic()
        pace = Pace(timedelta(seconds=self.config.interval(source)), self.config.schedule.jitter)
        try:
            new, changed, found = await self._crawl(source, state, held)
        except SourceError as exc:
            failed = Failure(
                failure_kind(exc.kind, state),
                str(exc),
                exc.retry_after if isinstance(exc, FetchError) else None,
            )
        except StoreError:
            raise  # the database is unusable: fatal for the whole run
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("unexpected error while crawling %s", source.id)
            failed = Failure("internal", f"{type(exc).__name__}: {exc}")
        else:
            await self._stored(keep, after_success(state, found, self.now, pace))
            for note in found.notes[:MAX_LOGGED_NOTES]:
                log.warning("%s: %s", source.id, note)
            log.info(
                "%s: %d new, %d changed%s%s",
                *(source.id, new, changed),
                " (not modified)" if found.not_modified else "",
                f", {len(found.notes)} notes" if found.notes else "",
            )
            return SourceResult(
                source.id,
                new,
                changed,
                found.not_modified,
                seconds=time.monotonic() - started,
                notes=found.notes,
            )
        await self._stored(keep, after_failure(state, failed, self.now, pace))
        log.warning("%s failed (%s): %s", source.id, failed.kind, failed.message)
        return SourceResult(
            source.id,
            error_kind=failed.kind,
            error=failed.message,
            seconds=time.monotonic() - started,
        )

    async def _crawl(
        self, source: Source, state: SourceState, held: Held
    ) -> tuple[int, int, Success]:
        """(new, changed, what the crawl found)."""
        fetched = await self._open(source, state)
        feed_url = state.feed_url
        if fetched.status == 304:
            return 0, 0, Success(True, fetched.headers, feed_url, 0)
        reading = Reading(source, self.zone, self.now, self.embeds)
        # whole: the source listed everything it has, so what it lacks is gone (a service
        # catalogue's feed, or every page of it)
        whole = bool(source.services and source.feed)
        if source.feed:
            fetched, parsed, found = await self._feed(reading, fetched)
            feed_url = found or feed_url
            since = None if source.services else feed_window(p.published for p in parsed.posts)
            listed = {p.id for p in parsed.posts}
        elif source.services:
            items, whole = await catalogue(self.fetcher, self.reader, reading, fetched)
            parsed = parse.service_posts(items, reading)
            since, listed = None, {p.id for p in parsed.posts}
        else:
            parsed, items = await self._articles(reading, fetched)
            since = page_window([item.published for item in items])
            listed = {parse.item_post_id(source.id, item) for item in items}
        new, changed = await self._stored(
            self.store.save, parsed.posts, self.now, reprints.SKETCHER
        )
        shrunk, notes = 0, parsed.notes
        if whole and not parsed.dropped:  # a catalogue: what it lacks may be gone
            kept, lacking = await self._stored(self.store.unlisted, source.id, listed)
            whole, shrunk, held_back = withdrawal(kept, len(listed), lacking, state.shrunk)
            notes += (held_back,) if held_back else ()
        # an item left out whole (over its budget, say) is still listed upstream: with
        # one left out, what the source no longer lists cannot be told this time
        if (since is not None or source.services) and not parsed.dropped:
            # a crawler whose lease another took over may hold an older listing: what it
            # lacks is not withdrawn (the new holder judges that)
            if await self._stored(held):
                await self._stored(
                    partial(self.store.mark_removed, withdraw=whole or not source.services),
                    *(source.id, listed, None if whole else since, self.now),
                )
            else:
                log.warning("%s: its lease was taken over; no post marked withdrawn", source.id)
        return new, changed, Success(False, fetched.headers, feed_url, new, notes, shrunk)

    async def _open(self, source: Source, state: SourceState) -> Fetched:
        """The source's own address, each fetch recorded for the availability audit: it
        failed when the site gave no answer or an error status (a fetch hub declined,
        by robots.txt or the address guard, is not the site's failure)."""
        try:
            fetched = await self.fetcher.get(
                state.feed_url or source.url,
                source_id=source.id,
                now=self.now,
                # a catalogue's first page unchanged says nothing of its other pages
                etag="" if source.services else state.etag,
                last_modified="" if source.services else state.last_modified,
            )
        except FetchError as exc:
            if exc.kind in UNAVAILABLE:
                failed = FetchAttempt(source.id, self.now, ok=False, seconds=0.0)
                await self._stored(self.store.record_fetch, failed)
            raise
        attempt = FetchAttempt(source.id, self.now, ok=True, seconds=fetched.seconds)
        await self._stored(self.store.record_fetch, attempt)
        return fetched

    async def _feed(self, reading: Reading, fetched: Fetched) -> tuple[Fetched, Parsed, str | None]:
        """A feed's posts; when the address gives an HTML page that announces a feed
        (<link rel="alternate">), that feed's, and the feed is remembered."""
        try:
            return fetched, await self.reader.feed(fetched, reading), None
        except ParseError:
            found = await self.reader.discover(fetched)
            if found is None or found == fetched.url:
                raise
        log.info("%s: %s is a page; following its feed %s", reading.source_id, fetched.url, found)
        fetched = await self.fetcher.get(found, source_id=reading.source_id, now=self.now)
        return fetched, await self.reader.feed(fetched, reading), found

    async def _known(self, source_id: str, items: list[ListItem]) -> set[str]:
        ids = [parse.item_post_id(source_id, item) for item in items]
        return await self._stored(self.store.existing_ids, ids)

    async def _listing(self, reading: Reading, fetched: Fetched) -> tuple[list[ListItem], set[str]]:
        """The items of the list page and, while the newest posts run past a page's end,
        of the pages after it (up to page.backfill); with the ids already stored.

        A page whose last item is new means more new items may follow. Pinned (置顶) old
        items sit at the top of a page, so they never stop the paging."""
        page, source_id = reading.source.page, reading.source_id
        items = await self.reader.list_items(fetched, reading)
        known = await self._known(source_id, items)
        read = 1
        while page and page.more and read < page.backfill:
            if parse.item_post_id(source_id, items[-1]) in known:
                break
            url = parse.list_page_url(page, read)
            try:
                more = await self.fetcher.get(url, source_id=source_id, now=self.now)
                found = await self.reader.list_items(more, reading)
            except SourceError as exc:  # past the last page, or a broken one: stop here
                log.info("%s: list page %s not read: %s", source_id, url, exc)
                break
            seen = {item.url for item in items}
            items += [item for item in found if item.url not in seen]
            known |= await self._known(source_id, found)
            read += 1
        return items, known

    async def _articles(self, reading: Reading, fetched: Fetched) -> tuple[Parsed, list[ListItem]]:
        """The posts behind the list's new items, and every item listed. An article that
        cannot be fetched or read is skipped with a note, and asked for again next time."""
        source_id = reading.source_id
        items, known = await self._listing(reading, fetched)
        wanted = [item for item in items if parse.item_post_id(source_id, item) not in known]

        async def follow(item: ListItem) -> Parsed | SourceError:
            try:
                page = await self.fetcher.get(item.url, source_id=source_id, now=self.now)
                return await self.reader.article(page, item, reading)
            except SourceError as exc:
                return exc

        results = await asyncio.gather(*(follow(item) for item in wanted))
        made = [r for r in results if isinstance(r, Parsed)]
        errors = [r for r in results if isinstance(r, SourceError)]
        if errors and not made:
            raise errors[0]  # every article failed: the source is failing
        skipped = tuple(f"article skipped, will retry: {error}" for error in errors)
        return sum(made, Parsed(notes=skipped)), items

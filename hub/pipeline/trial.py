"""One source run without storing anything (`hub sources test ID`), for an entry written
by hand or by detection alike: its list (or feed), what paging finds, and the first
items' article pages read as the crawl would read them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from hub import parse
from hub.config import Config, Source
from hub.errors import ParseError, SourceError
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, ListItem
from hub.parse import Reading
from hub.pipeline.detecting import Sample
from hub.pipeline.project import user_agent
from hub.pipeline.reading import Reader
from hub.workers import Workers

PREVIEW = 10  # items whose article page is read


@dataclass(frozen=True, slots=True)
class Trial:
    """What one run of a source read, stored nowhere."""

    source: Source
    items: tuple[ListItem, ...]  # the first list page's (a feed's entries)
    samples: tuple[Sample, ...]  # the first items' posts, or why not
    paging: str  # one line on the pages after the first
    problems: tuple[str, ...] = ()  # what would go wrong in a crawl, a line each
    requests: int = 0
    seconds: float = 0.0


def trial(
    config: Config,
    source: Source,
    now: datetime,
    *,
    count: int = PREVIEW,
    transport: Transport | None = None,
    workers: Workers | None = None,
) -> Trial:
    """Run `source` once (see the module's doc); its own address failing is the
    FetchError or ParseError a crawl would record."""

    async def run(workers: Workers) -> Trial:
        async with Fetcher(config.fetch, user_agent(config), transport) as fetcher:
            return await _trial(config, source, now, count, fetcher=fetcher, reader=Reader(workers))

    if workers is not None:
        return asyncio.run(run(workers))
    with Workers(preload=["hub.parse.read"]) as started:
        return asyncio.run(run(started))


async def _trial(
    config: Config, source: Source, now: datetime, count: int, *, fetcher: Fetcher, reader: Reader
) -> Trial:
    started = time.monotonic()
    reading = Reading(source, config.site.zone, now, frozenset(config.site.embed_hosts))
    asked = 0

    async def get(url: str) -> Fetched:
        nonlocal asked
        asked += 1
        return await fetcher.get(url, source_id=source.id, now=now)

    fetched = await get(source.url)
    if source.feed:
        try:
            parsed = await reader.feed(fetched, reading)
        except ParseError:  # a page that announces its feed, as the crawl follows it
            found = await reader.discover(fetched)
            if found is None or found == fetched.url:
                raise
            parsed = await reader.feed(await get(found), reading)
        items = tuple(ListItem(p.url, p.title, p.published) for p in parsed.posts)
        samples = tuple(Sample(i, p) for i, p in zip(items[:count], parsed.posts, strict=False))
        seconds = time.monotonic() - started
        return Trial(source, items, samples, "a feed: no paging", requests=asked, seconds=seconds)
    items = tuple(await reader.list_items(fetched, reading))
    paging = "no `more:`: only the first page is read"
    problems: list[str] = []
    page = source.page
    if page is not None and page.more:
        url = parse.list_page_url(page, 1)
        try:
            second = await reader.list_items(await get(url), reading)
        except SourceError as exc:
            paging = f"the second page ({url}) did not read: {exc}"
            problems.append(paging)
        else:
            fresh = {i.url for i in second} - {i.url for i in items}
            paging = f"the second page ({url}) lists {len(fresh)} more items"
            paging += f"; up to {page.backfill} pages are read per crawl"
            if not fresh:
                problems.append(f"the second page ({url}) lists nothing the first does not")
    if source.services:
        samples = tuple(Sample(item) for item in items[:count])
        seconds = time.monotonic() - started
        return Trial(source, items, samples, paging, tuple(problems), asked, seconds)

    async def follow(item: ListItem) -> Sample:
        try:
            parsed = await reader.article(await get(item.url), item, reading)
        except SourceError as exc:
            return Sample(item, error=str(exc))
        return Sample(item, parsed.posts[0] if parsed.posts else None)

    samples = tuple(await asyncio.gather(*(follow(item) for item in items[:count])))
    problems += [f"{s.item.url}: {s.error}" for s in samples if s.error]
    seconds = time.monotonic() - started
    return Trial(source, items, samples, paging, tuple(problems), asked, seconds)

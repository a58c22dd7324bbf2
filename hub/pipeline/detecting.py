"""A source made from a column's address (`hub sources add URL`): the feed the page or
its address offers, else the list on the page found without selectors, its paging
checked on the second page, and its article pages' body and date found on a few of
them, in a handful of requests through the crawl's fetcher (the guard, robots.txt, the
per-host pause). Nothing is stored; what is found is a `sources:` entry to review."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from hub import parse
from hub.config import Config, Page, Source, add_source, source_entry
from hub.errors import ConfigError, FetchError, ParseError, SourceError
from hub.fetch import Fetcher, Transport
from hub.models import Fetched, ListItem, Post
from hub.parse import Reading
from hub.pipeline.project import user_agent
from hub.pipeline.reading import Reader
from hub.workers import Workers

SAMPLES = 3  # article pages read to find the body
DEADLINE = 90.0  # seconds for a whole detection, every request and parse
DETECT_LIMIT = 20.0  # seconds of a worker's time to study one page


@dataclass(frozen=True, slots=True)
class Sample:
    """A list item and what its article page gave (a post, or why not)."""

    item: ListItem
    post: Post | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """One item of a preview: what a crawl would make of it."""

    published: datetime | None  # the article's date, else the list's
    title: str  # the article's (a cut title completed), else the list's
    text: str | None  # the start of the body; None when its page was not read
    error: str = ""  # why its page did not read


def preview(items: Sequence[ListItem], samples: Sequence[Sample], count: int) -> list[Line]:
    """The first `count` items, each with what its article page gave, where it was read."""
    read = {sample.item.url: sample for sample in samples}
    lines = []
    for item in items[:count]:
        sample = read.get(item.url)
        post = sample.post if sample else None
        text = " ".join(post.text.split()) if post else ("" if sample else None)
        lines.append(
            Line(
                post.published if post and post.published else item.published,
                post.title if post else item.title,
                text,
                sample.error if sample else "",
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class Detection:
    """A source made from an address, and what it reads there."""

    source: Source
    found: str  # what the source is: "feed", "page"
    items: tuple[ListItem, ...]  # the first page's items, as a crawl reads them
    samples: tuple[Sample, ...]  # items whose article page was read
    paging: str  # one line on the list's paging
    body: str  # one line on how the article body is found
    notes: tuple[str, ...] = ()
    requests: int = 0  # sent by detection itself (robots.txt and redirects not counted)
    seconds: float = 0.0


class Detector:
    """One detection's fetcher and parse stage, counting its requests."""

    def __init__(self, config: Config, fetcher: Fetcher, reader: Reader, now: datetime) -> None:
        self.config, self.fetcher, self.reader, self.now = config, fetcher, reader, now
        self.requests = 0

    async def get(self, url: str, source_id: str) -> Fetched:
        self.requests += 1
        return await self.fetcher.get(url, source_id=source_id, now=self.now)

    def reading(self, source: Source) -> Reading:
        return Reading(source, self.config.site.zone, self.now)


def detect(
    config: Config,
    url: str,
    now: datetime,
    *,
    source_id: str = "",
    name: str = "",
    group: str = "",
    transport: Transport | None = None,
    workers: Workers | None = None,
) -> Detection:
    """Detect the source at `url` (see the module's doc): a ParseError (kind empty)
    when nothing there reads as a list or a feed, a FetchError when the address cannot
    be fetched."""

    if source_id and not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", source_id):
        raise ConfigError(
            f"{source_id!r} is no source id: lower-case letters, digits, - and _, as jyj-gzdt"
        )

    async def run(workers: Workers) -> Detection:
        async with Fetcher(config.fetch, user_agent(config), transport) as fetcher:
            session = Detector(config, fetcher, Reader(workers), now)
            try:
                return await asyncio.wait_for(
                    detect_source(session, url, source_id, name, group), DEADLINE
                )
            except TimeoutError as exc:
                raise FetchError(
                    f"detection took longer than {DEADLINE:g}s ({url}): the site is slow",
                    kind="timeout",
                ) from exc

    if workers is not None:
        return asyncio.run(run(workers))
    with Workers(preload=["hub.parse.read", "hub.parse.detect"]) as started:
        return asyncio.run(run(started))


async def detect_source(
    session: Detector, url: str, source_id: str, name: str, group: str
) -> Detection:
    started = time.monotonic()
    config = session.config
    source_id = source_id or suggest_id(url, {s.id for s in config.sources})
    fetched = await session.get(url, source_id)
    provisional = Source(id=source_id, name=name or source_id, group=group, feed=fetched.url)
    try:  # the address may be a feed itself
        posts = await session.reader.feed(fetched, session.reading(provisional))
    except ParseError:
        pass
    else:
        if posts.posts:
            title = await session.reader.feed_title(fetched, session.reading(provisional))
            named = provisional.model_copy(update={"name": name or title or source_id})
            return _feed(named, posts.posts, session, started=started)
    layout = await session.reader.workers.run(
        parse.detect_list,
        fetched,
        None,
        config.site.zone,
        session.now,
        limit=DETECT_LIMIT,
    )
    name = name or suggest_name(layout.title) or source_id
    for feed in layout.feeds[:2]:  # the feed the page offers, when it reads
        offered = provisional.model_copy(update={"name": name, "feed": feed})
        found = await _try_feed(session, feed, offered)
        if found is not None:
            return _feed(*found, session, started=started, where=f"offered by {url}")
    if layout.page is None or not layout.items:
        raise ParseError(
            f"no list of linked, dated items found on {fetched.url}"
            + (
                f" (it offers {', '.join(layout.feeds)}, which did not read)"
                if layout.feeds
                else ""
            ),
            kind="empty",
        )
    page, paging_note = await _check_paging(session, layout.page, layout, source_id)
    source = Source(id=source_id, name=name, group=group, page=page)
    samples, body = await _bodies(session, source, list(layout.items))
    return Detection(
        source=source.model_copy(update={"page": page.model_copy(update={"article": body[0]})}),
        found="page",
        items=layout.items,
        samples=samples,
        paging=paging_note,
        body=body[1],
        notes=(f"other lists on the page, if this is not the column: {'; '.join(layout.others)}",)
        if layout.others
        else (),
        requests=session.requests,
        seconds=time.monotonic() - started,
    )


async def _try_feed(
    session: Detector, url: str, source: Source
) -> tuple[Source, tuple[Post, ...]] | None:
    try:
        fetched = await session.get(url, source.id)
        parsed = await session.reader.feed(fetched, session.reading(source))
    except SourceError:
        return None
    return (source, parsed.posts) if parsed.posts else None


def _feed(
    source: Source, posts: Sequence[Post], session: Detector, *, started: float, where: str = ""
) -> Detection:
    items = tuple(ListItem(p.url, p.title, p.published) for p in posts)
    return Detection(
        source=source,
        found="feed",
        items=items,
        samples=tuple(Sample(item, post) for item, post in zip(items, posts, strict=True)),
        paging="a feed: no paging",
        body="the feed's own text",
        notes=(f"a feed, {where}",) if where else ("a feed",),
        requests=session.requests,
        seconds=time.monotonic() - started,
    )


async def _check_paging(
    session: Detector, page: Page, layout: parse.ListLayout, source_id: str
) -> tuple[Page, str]:
    """The page settings with `more:` kept only when the second page reads with them
    and lists items the first does not."""
    note = layout.paging.note
    if not page.more:
        return page, note
    second = parse.list_page_url(page, 1)
    source = Source(id=source_id, name=source_id, page=page)
    try:
        fetched = await session.get(second, source_id)
        found = await session.reader.list_items(fetched, session.reading(source))
    except SourceError as exc:
        return page.model_copy(update={"more": "", "backfill": 1}), (
            f"{note}, but the second page ({second}) did not read: {exc}"
        )
    first = {item.url for item in layout.items}
    fresh = [item for item in found if item.url not in first]
    if not fresh:
        return page.model_copy(update={"more": "", "backfill": 1}), (
            f"{note}, but the second page ({second}) repeats the first"
        )
    pages = f"{layout.paging.pages} pages; " if layout.paging.pages else ""
    return page, f"{note} ({pages}page 2 lists {len(fresh)} more items)"


def _first(items: list[ListItem], count: int) -> list[ListItem]:
    """The first `count` items below the pinned ones at the list's top (an old notice
    pinned there may be laid out unlike the rest): those the preview shows first."""
    pinned = 0
    for n, item in enumerate(items):  # a pinned item is older than one below it
        later = [i.published for i in items[n + 1 :] if i.published is not None]
        if item.published is not None and later and item.published < max(later):
            pinned += 1
        else:
            break
    return (items[pinned:] or items)[:count]


async def _bodies(
    session: Detector, source: Source, items: list[ListItem]
) -> tuple[tuple[Sample, ...], tuple[str, str]]:
    """A few article pages read: the body selector found on them, and each one's post
    as the crawl will make it with that selector."""
    chosen = _first(items, SAMPLES)
    pages: list[tuple[ListItem, Fetched]] = []
    samples: dict[str, Sample] = {}
    for item in chosen:
        try:
            pages.append((item, await session.get(item.url, source.id)))
        except SourceError as exc:
            samples[item.url] = Sample(item, error=str(exc))
    body: tuple[str, str] = await session.reader.workers.run(
        parse.detect_body, tuple(f for _, f in pages), source.encoding, limit=DETECT_LIMIT
    )
    page = source.page
    if page is None:
        raise ValueError(f"source {source.id} has no page: settings")
    reading = session.reading(
        source.model_copy(update={"page": page.model_copy(update={"article": body[0]})})
    )
    for item, fetched in pages:
        try:
            parsed = await session.reader.article(fetched, item, reading)
            samples[item.url] = Sample(item, parsed.posts[0] if parsed.posts else None)
        except SourceError as exc:
            samples[item.url] = Sample(item, error=str(exc))
    return tuple(samples[i.url] for i in chosen if i.url in samples), body


_NAME = re.compile(
    r"[\u4e00-\u9fff（）()]*(?:局|委员会|委|办公室|办|政府|街道|镇|乡|中心|院|馆|所|站|队|会)$"
)


def suggest_name(title: str) -> str:
    """The department's name from a page title such as 工作动态_桐溪县教育局 or
    桐溪县教育局-工作动态: the part that reads as a body's name, else the title."""
    parts = [p.strip() for p in re.split(r"[_|\-—－–·]+", title) if p.strip()]
    named = [p for p in parts if _NAME.search(p)]
    return (named or parts or [""])[0][:60]


def suggest_id(url: str, taken: set[str]) -> str:
    """An id from the address (its first path segment, else its host's first label),
    made unique among `taken`."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s and "." not in s]
    host = (parts.hostname or "source").split(".")
    raw = segments[0] if segments else (host[1] if host[0] == "www" and len(host) > 1 else host[0])
    base = re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_")[:56] or "source"
    if not base[0].isalnum():
        base = "s" + base
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def unread(found: Detection) -> str:
    """Why a detected list page source should not be added as it is: none of the
    article pages read gave a body. "" when one did (or the source is a feed)."""
    if found.found != "page" or any(s.post is not None and s.post.text for s in found.samples):
        return ""
    why = "; ".join(dict.fromkeys(s.error for s in found.samples if s.error)) or "no body"
    return f"none of the {len(found.samples)} article pages read gave a body ({why})"


def save_source(live: Config, source: Source, comment: str, now: datetime) -> tuple[str, str]:
    """Append `source` to channels.yaml's `sources:` (the rest of the file as it was),
    keeping the previous file beside it: (the kept file's name, the diff). A source
    whose id is taken, or a file the entry would make invalid, is refused untouched."""
    from hub.pipeline.preview import save_rules  # noqa: PLC0415 (the site's modules)

    if any(s.id == source.id for s in live.sources):
        raise ConfigError(f"a source with id {source.id!r} is already in {live.path.name}")
    text = live.path.read_text(encoding="utf-8")
    try:
        changed = add_source(text, source_entry(source, comment))
    except ValueError as exc:
        raise ConfigError(f"{live.path.name}: {exc}") from exc
    return save_rules(live, changed, now)

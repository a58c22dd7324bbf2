"""A service catalogue's crawl (`kind: services`): every list page of it read, and
whether the listing is whole, so that a service it no longer lists can be taken off."""

from __future__ import annotations

import logging

from hub import parse
from hub.errors import FetchError, SourceError
from hub.fetch import Fetcher
from hub.models import Fetched, ListItem
from hub.parse import Reading
from hub.pipeline.reading import Reader

log = logging.getLogger("hub.pipeline")


async def catalogue(
    fetcher: Fetcher, reader: Reader, reading: Reading, fetched: Fetched
) -> tuple[list[ListItem], bool]:
    """The catalogue's items, its list pages read up to page.backfill, and whether they
    are all of them: the pages ran out before the limit (a page not found, or one that
    repeats the page before it, as sites answer a number past the last). Any other
    failure, a page without items (a login or maintenance page answered 200) or one
    repeating the first page or an earlier one (a cache) leaves the listing partial:
    nothing is taken for gone."""
    page, source_id = reading.source.page, reading.source_id
    items = await reader.list_items(fetched, reading)
    previous = [_key(item) for item in items]
    read = 1
    while page and page.more and read < page.backfill:
        url = parse.list_page_url(page, read)
        try:
            more = await fetcher.get(url, source_id=source_id, now=reading.now)
            found = await reader.list_items(more, reading)
        except SourceError as exc:
            log.info("%s: list page %s not read: %s", source_id, url, exc)
            return items, _past_the_end(exc)
        keys = [_key(item) for item in found]
        if keys == previous:  # a site that answers every page number with its last page,
            return items, read > 1  # unless that is the first (a cache, a redirect)
        seen = {_key(item) for item in items}
        new = [item for item in found if _key(item) not in seen]
        if not new:  # an earlier page again: not a site's way of ending its list
            return items, False
        items += new
        previous = keys
        read += 1
    return items, not (page and page.more)


def _key(item: ListItem) -> tuple[str, str]:
    return item.url, item.title


def _past_the_end(error: SourceError) -> bool:
    """Whether a list page's error means the list has no such page."""
    return isinstance(error, FetchError) and error.status in (404, 410)

"""A service catalogue's crawl (`kind: services`): every list page of it read, and
whether the listing is whole, so that a service it no longer lists can be taken off."""

from __future__ import annotations

import logging

from hub import parse
from hub.errors import FetchError, ParseError, SourceError
from hub.fetch import Fetcher
from hub.models import Fetched, ListItem
from hub.parse import Reading
from hub.pipeline.reading import Reader

log = logging.getLogger("hub.pipeline")


async def catalogue(
    fetcher: Fetcher, reader: Reader, reading: Reading, fetched: Fetched
) -> tuple[list[ListItem], bool]:
    """The catalogue's items, its list pages read up to page.backfill, and whether they
    are all of them: the pages ran out (a page not found, or without items, or repeating
    the last) before the limit. A page that failed otherwise leaves the listing partial,
    and nothing is taken for gone."""
    page, source_id = reading.source.page, reading.source_id
    items = await reader.list_items(fetched, reading)
    read = 1
    while page and page.more and read < page.backfill:
        url = parse.list_page_url(page, read)
        try:
            more = await fetcher.get(url, source_id=source_id, now=reading.now)
            found = await reader.list_items(more, reading)
        except SourceError as exc:
            log.info("%s: list page %s not read: %s", source_id, url, exc)
            return items, _past_the_end(exc)
        seen = {item.url for item in items}
        new = [item for item in found if item.url not in seen]
        if not new:  # a site that answers every page number with its last page
            return items, True
        items += new
        read += 1
    return items, not (page and page.more)


def _past_the_end(error: SourceError) -> bool:
    """Whether a list page's error means the list has no such page."""
    if isinstance(error, FetchError):
        return error.status in (404, 410)
    return isinstance(error, ParseError) and error.kind == "empty"

"""Detection's parse half, for a page nobody wrote selectors for: a list page's best
list as a source's `page:` settings, with the items the crawl will read by them, its
paging and the feeds it points to; and the body selector of a few of its article
pages. Pure, like the rest of the stage: the fetching is the pipeline's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from hub.config import Page
from hub.errors import ParseError
from hub.models import Fetched, ListItem
from hub.parse.encoding import decode
from hub.parse.page import parse_list
from hub.parse.page.paging import Paging
from hub.parse.page.study import study_articles, study_list
from hub.parse.read import shallow_enough

BACKFILL = 3  # list pages a detected source reads at most per crawl


@dataclass(frozen=True, slots=True)
class ListLayout:
    """What detection made of a list page."""

    page: Page | None  # its settings, None when no list of linked items was found
    items: tuple[ListItem, ...]  # the items the crawl will read by them
    paging: Paging
    feeds: tuple[str, ...]  # feeds it announces or links to
    title: str  # the page's <title>
    lists: int  # lists of linked items found on it
    others: tuple[str, ...] = ()  # the runners-up, as `item` selectors with their counts


def detect_list(fetched: Fetched, encoding: str | None, zone: tzinfo, now: datetime) -> ListLayout:
    text = decode(fetched.content, fetched.headers, encoding)
    shallow_enough(text, fetched.url)
    study = study_list(text, fetched.url, zone, now)
    if not study.lists:
        return ListLayout(None, (), study.paging, study.feeds, study.title, 0)
    best = study.lists[0]
    more = study.paging.more
    pages = study.paging.pages
    page = Page(
        url=fetched.url,
        item=best.item,
        title=best.title,
        link=best.link,
        date=best.date,
        more=more,
        backfill=max(1, min(BACKFILL, pages or BACKFILL)) if more else 1,
    )
    try:
        items = parse_list(text, fetched.url, page, zone, now)
    except ParseError:
        items = []
    others = tuple(
        f"{guess.item} ({guess.count} items, {guess.dated} dated)" for guess in study.lists[1:]
    )
    return ListLayout(
        page, tuple(items), study.paging, study.feeds, study.title, len(study.lists), others
    )


def detect_body(pages: Sequence[Fetched], encoding: str | None) -> tuple[str, str]:
    """(selector, how it was found) for the body of these article pages of a source."""
    texts = []
    for fetched in pages:
        text = decode(fetched.content, fetched.headers, encoding)
        shallow_enough(text, fetched.url)
        texts.append(text)
    return study_articles(texts) if texts else ("", "no article page read")

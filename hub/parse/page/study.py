"""What a page nobody wrote selectors for offers: its lists, its paging, the feeds it
points to (`lists`, `paging`), and where its article pages keep their text (`body`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from hub.parse.html import join_url
from hub.parse.page import alternates
from hub.parse.page.body import body_selector
from hub.parse.page.lists import ListGuess, guess_lists
from hub.parse.page.paging import Paging, guess_paging
from hub.parse.page.soup import soup_of, text_of

_FEED_PATH = re.compile(r"(?:\.(?:xml|rss|atom)|/(?:rss|feed|atom)/?)$", re.I)
_FEED_TEXT = re.compile(r"rss|atom|订阅", re.I)


@dataclass(frozen=True, slots=True)
class Study:
    """A list page as detection found it."""

    lists: tuple[ListGuess, ...]  # best first
    paging: Paging
    feeds: tuple[str, ...]  # feeds it announces or links to, in page order
    title: str  # its <title>


def study_list(text: str, url: str, zone: tzinfo, now: datetime) -> Study:
    soup = soup_of(text)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    return Study(
        tuple(guess_lists(soup, url, zone, now)),
        guess_paging(text, soup, url),
        feed_links(soup, url),
        " ".join(title.split())[:200],
    )


def feed_links(soup: BeautifulSoup, url: str) -> tuple[str, ...]:
    """<link rel="alternate"> feeds, then links that look like a feed's (RSS订阅)."""
    found = alternates(soup, url)
    for anchor in soup.find_all("a", href=True):
        target = join_url(url, str(anchor["href"]))
        path = urlsplit(target).path
        if _FEED_PATH.search(path) and (
            _FEED_TEXT.search(text_of(anchor) or str(anchor.get("title") or ""))
            or _FEED_TEXT.search(path)
        ):
            found.append(target)
    return tuple(dict.fromkeys(f for f in found if f))


def study_articles(texts: Sequence[str]) -> tuple[str, str]:
    """(selector, how) of the body of these article pages of one source."""
    return body_selector([soup_of(text) for text in texts])

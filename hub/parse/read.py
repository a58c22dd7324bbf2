"""What the crawl asks of the parse stage: a feed's entries, each entry's post, a list
page's items, an article page's post, the next list page, a page's announced feed."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin

from hub.config import Page
from hub.errors import ParseError
from hub.models import Fetched, ListItem, Parsed, post_id
from hub.parse import limits
from hub.parse.dates import parse_date
from hub.parse.encoding import as_utf8, decode
from hub.parse.entry import Entries, Reading, department, entry_post, make_post, unique
from hub.parse.feed import read_entries
from hub.parse.html import nesting, sanitize, to_text
from hub.parse.identity import identity_key
from hub.parse.jsonfeed import looks_like_json_feed, read_json_entries
from hub.parse.page import discover_feed as page_feed
from hub.parse.page import parse_article, parse_list


def feed_entries(fetched: Fetched, reading: Reading) -> Entries:
    """A feed source's response (RSS, Atom, RDF or JSON Feed) read as far as its entries:
    the cheap part, done for the whole document at once."""
    if looks_like_json_feed(fetched.content, fetched.headers.get("content-type", "")):
        title, entries, notes = read_json_entries(fetched.content, url=fetched.url)
        return Entries(title, tuple(entries), tuple(notes))
    content, headers = as_utf8(fetched.content, fetched.headers, reading.source.encoding)
    title, entries = read_entries(content, headers, url=fetched.url)
    return Entries(title, tuple(entries))


def read_feed(fetched: Fetched, reading: Reading) -> tuple[str, Parsed]:
    """The feed's own title (plain text) and its posts, all in this process (the crawl
    makes each entry's post in a worker of its own, `entry_post`)."""
    found = feed_entries(fetched, reading)
    parsed = Parsed(notes=found.notes)
    for entry in found.entries:
        parsed += entry_post(entry, reading)
    return found.title, unique(parsed)


def feed_posts(fetched: Fetched, reading: Reading) -> Parsed:
    """The posts of a feed source's response, with notes on what was left out or cut."""
    return read_feed(fetched, reading)[1]


def list_items(fetched: Fetched, reading: Reading) -> list[ListItem]:
    """The items of a list-page source's response."""
    source = reading.source
    if source.page is None:
        raise ValueError(f"source {source.id} has no page: settings")
    text = decode(fetched.content, fetched.headers, source.encoding)
    shallow_enough(text, fetched.url)
    # a catalogue's services may share a link; a column's items never do
    return parse_list(
        text, fetched.url, source.page, reading.zone, reading.now, by_name=source.services
    )


def item_post_id(source_id: str, item: ListItem) -> str:
    """The id the article behind a list item will have, known before fetching it."""
    return post_id(source_id, identity_key(None, item.url, item.title, ""))


def article_post(fetched: Fetched, item: ListItem, reading: Reading) -> Parsed:
    """The post an article page holds; the list item supplies the full title."""
    source, zone, now = reading.source, reading.zone, reading.now
    selector = source.page.article if source.page else ""
    text = decode(fetched.content, fetched.headers, source.encoding)
    shallow_enough(text, fetched.url)
    article = parse_article(text, fetched.url, selector)
    body = sanitize(article.body_html, article.base or fetched.url, reading.embeds)
    if not to_text(body):
        raise ParseError(f"the article body on {fetched.url} is empty", kind="empty")
    return make_post(
        source.id,
        limits.label(item.title, item.url),
        guid=None,
        link=item.url,
        title=full_title(item.title, article.title),
        body=body,
        # the article's own date usually carries the time of day; the list's only the day
        published=parse_date(article.published, zone, now) or item.published,
        updated=None,
        author=article.department,
        attachments=article.attachments,
    )


_CUT = ("...", "…", "..", "……")


def full_title(listed: str, page: str) -> str:
    """The list's title, unless the list cut it (…) and the article page's title is the
    whole of it."""
    if not listed:
        return page
    for mark in _CUT:
        stem = listed.removesuffix(mark).rstrip()
        if stem != listed and page.startswith(stem) and len(page) > len(stem):
            # a <title> goes on with the site's name: 标题_县教育局, 标题 - 县教育局
            return stem + re.split(r"_|\s[-|–—]\s|\|", page[len(stem) :], maxsplit=1)[0]
    return listed


def service_posts(items: list[ListItem], reading: Reading) -> Parsed:
    """A service catalogue's items as they are: each service a post of its name, the
    link to its 办事指南 or online application, its department (the source's own when
    the catalogue names none) and its topic; no page behind it is fetched."""
    source = reading.source
    parsed = Parsed()
    links = Counter(item.url for item in items)
    for item in items:
        # a link several services share (one 在线办理 page), or one that differs from
        # another only after its "#" (/portal/#/guide?id=7), is no service's own: the
        # name tells them apart
        shared = links[item.url] > 1 or "#" in item.url
        parsed += make_post(
            source.id,
            limits.label(item.title, item.url),
            guid=f"{item.title} {item.url}" if shared else None,
            link=item.url,
            title=item.title,
            body="",
            published=item.published,
            updated=None,
            author=department(item.department) or source.department,
            categories=(item.topic,) if item.topic else (),
        )
    return unique(parsed)


def shallow_enough(text: str, url: str) -> None:
    """A page nested too deep to parse in reasonable time is refused before parsing."""
    depth = nesting(text)
    if depth > limits.MAX_NESTING:
        raise ParseError(
            f"{url} nests {depth:,} elements deep (at most {limits.MAX_NESTING:,}): not read"
        )


def list_page_url(page: Page, index: int) -> str:
    """The URL of list page `index` after the first (1: the second page)."""
    path = page.more.replace("{index}", str(index)).replace("{page}", str(index + 1))
    return urljoin(page.url, path)


def discover_feed(fetched: Fetched) -> str | None:
    """The feed a page announces (<link rel="alternate">), when a feed URL led to HTML."""
    head = fetched.content[:4096].lower()
    if b"<html" not in head and b"<!doctype html" not in head:
        return None
    return page_feed(decode(fetched.content, fetched.headers), fetched.url)

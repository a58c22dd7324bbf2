"""What the crawl asks of the parse stage: a feed's posts, a list page's items, an
article page's post, the next list page, a page's announced feed."""

from __future__ import annotations

from urllib.parse import urljoin

from hub.config import Page
from hub.errors import ParseError
from hub.models import Fetched, ListItem, Post, post_id
from hub.parse.dates import parse_date
from hub.parse.encoding import as_utf8, decode
from hub.parse.entry import Reading
from hub.parse.feed import parse_feed
from hub.parse.html import one_line, sanitize, to_text
from hub.parse.identity import identity_key
from hub.parse.jsonfeed import looks_like_json_feed, parse_json_feed
from hub.parse.page import discover_feed as page_feed
from hub.parse.page import parse_article, parse_list


def feed_posts(fetched: Fetched, reading: Reading) -> list[Post]:
    """The posts of a feed source's response (RSS, Atom, RDF or JSON Feed)."""
    return read_feed(fetched, reading)[1]


def read_feed(fetched: Fetched, reading: Reading) -> tuple[str, list[Post]]:
    """The feed's own title (plain text) and its posts."""
    if looks_like_json_feed(fetched.content, fetched.headers.get("content-type", "")):
        return parse_json_feed(fetched.content, url=fetched.url, reading=reading)
    content, headers = as_utf8(fetched.content, fetched.headers, reading.source.encoding)
    return parse_feed(content, headers, url=fetched.url, reading=reading)


def list_items(fetched: Fetched, reading: Reading) -> list[ListItem]:
    """The items of a list-page source's response."""
    source = reading.source
    if source.page is None:
        raise ValueError(f"source {source.id} has no page: settings")
    text = decode(fetched.content, fetched.headers, source.encoding)
    return parse_list(text, fetched.url, source.page, reading.zone, reading.now)


def item_post_id(source_id: str, item: ListItem) -> str:
    """The id the article behind a list item will have, known before fetching it."""
    return post_id(source_id, identity_key(None, item.url, item.title, ""))


def article_post(fetched: Fetched, item: ListItem, reading: Reading) -> Post:
    """The post an article page holds; the list item supplies the full title."""
    source, zone, now = reading.source, reading.zone, reading.now
    selector = source.page.article if source.page else ""
    text = decode(fetched.content, fetched.headers, source.encoding)
    article = parse_article(text, fetched.url, selector)
    body = sanitize(article.body_html, fetched.url, reading.embeds)
    plain = to_text(body)
    if not plain:
        raise ParseError(f"the article body on {fetched.url} is empty", kind="empty")
    # The article's own date usually carries the time of day; the list's only the day.
    published = parse_date(article.published, zone, now) or item.published
    return Post(
        source_id=source.id,
        key=identity_key(None, item.url, item.title, plain),
        url=item.url,
        title=item.title or one_line(article.title),
        content_html=body,
        text=plain,
        published=published,
        author=one_line(article.department),
        attachments=article.attachments,
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

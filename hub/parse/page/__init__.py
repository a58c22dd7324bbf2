"""HTML list pages and article pages of sites with no feed -> items and bodies; owns
beautifulsoup4. Selectors are CSS; `selector@attr` reads an attribute instead of text.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bs4 import BeautifulSoup, Tag

from hub.config import Page
from hub.errors import ParseError
from hub.models import Attachment, ListItem
from hub.parse.dates import parse_date
from hub.parse.html import file_name, join_url, one_line
from hub.parse.page.body import densest_block, printed_date
from hub.parse.page.lists import EDGE_DATE, inside
from hub.parse.page.soup import base_of, soup_of
from hub.parse.selectors import split_selector

SCOPE = ":scope"  # a selector for the item itself

# Government CMSs (TRS, Hanweb, ...) print these in the <head> of every article page.
META_TITLE = ("articletitle", "title", "og:title")
META_DATE = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time")
META_SOURCE = ("contentsource", "source")


ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".wps",
    ".et",
    ".dps",
    ".ofd",
    ".zip",
    ".rar",
    ".7z",
    ".csv",
    ".txt",
}
FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}


@dataclass(frozen=True, slots=True)
class Article:
    """What an article page yields before sanitizing."""

    title: str
    body_html: str  # raw inner HTML of the body element
    published: str  # the printed date, unparsed
    department: str  # ContentSource, when the page names one
    attachments: tuple[Attachment, ...] = ()
    base: str = ""  # what its relative links resolve against (<base href>, else its URL)


# what a list prints before a title to mark it, not part of it
_MARK = re.compile(r"^\s*(?:[\[【(（](?:置顶|推荐|最新|新|热|荐|图|图文|视频)[\]】)）]|置顶)\s*")


def _bare_title(name: str, date: str) -> str:
    """A list's title without the date printed in it (the date's selector inside the
    title's: <a><span>11-30</span>标题</a>, or the title's own: [11-30] 标题) and
    without a mark before it ([置顶])."""
    name = _MARK.sub("", name) or name
    if date and date in name and date != name:
        around = rf"[\[【(（]?\s*{re.escape(date)}\s*[\]】)）]?"
        name = " ".join(re.sub(around, " ", name, count=1).split())
    elif date and date == name:
        name = EDGE_DATE.sub("", name)
    return name


def find(scope: Tag, css: str) -> Tag | None:
    """What `css` finds for an item: inside it; the item itself (`:scope`, or nothing);
    or with a leading `+`, the element right after it (`+ dd`: a <dt>'s date)."""
    if not css or css == SCOPE:
        return scope
    if css.startswith("+"):
        after = scope.find_next_sibling(True)
        parent = scope.parent
        if not isinstance(after, Tag) or not isinstance(parent, Tag):
            return None
        matching = parent.select(f":scope > {css[1:].strip()}")
        return after if any(node is after for node in matching) else None
    return scope.select_one(css)


def _value(scope: Tag, selector: str, *, default_attr: str = "") -> str:
    """The text (or attribute) `selector` finds in `scope`."""
    css, attr = split_selector(selector)
    node = find(scope, css)
    if node is None:
        return ""
    if attr:
        return str(node.get(attr) or "").strip()
    if default_attr and (preferred := node.get(default_attr)):
        return " ".join(str(preferred).split())
    return node.get_text(" ", strip=True)


def _within(item: Tag, date: str, title: str) -> bool:
    """Whether the item's date is printed in its title: the same node (the date at one
    end of the title's text), or a part of it (<a><span>11-30</span>标题</a>)."""
    if date == title:
        return True
    date_node = find(item, split_selector(date)[0])
    title_node = find(item, split_selector(title)[0])
    return date_node is not None and title_node is not None and inside(date_node, title_node)


def parse_list(
    text: str, url: str, page: Page, zone: tzinfo, now: datetime, *, by_name: bool = False
) -> list[ListItem]:
    """The linked items of a list page, in page order: each link once, or with `by_name`
    each link and name once (a catalogue's services that share one page)."""
    item, title, link, date = page.item, page.title, page.link, page.date
    soup = soup_of(text)
    base = base_of(soup, url)
    items: list[ListItem] = []
    seen: set[str] = set()
    for node in soup.select(item):
        css, attr = split_selector(link)
        anchor = find(node, css)
        href = str(anchor.get(attr or "href") or "").strip() if anchor is not None else ""
        absolute = join_url(base, href) if href and not href.startswith("#") else ""
        if not absolute:
            continue
        name = _value(node, title, default_attr="title")  # a@title beats truncated text
        printed = _value(node, date) if date else ""
        if date == SCOPE and anchor is not None:  # the item's text, less its title's
            printed = printed.replace(anchor.get_text(" ", strip=True), " ")
        name = _bare_title(name, printed if date and _within(node, date, title) else "")
        key = f"{absolute} {name}" if by_name else absolute
        if key in seen or not name:
            continue
        seen.add(key)
        department = _value(node, page.department) if page.department else ""
        topic = _value(node, page.topic) if page.topic else ""
        items.append(ListItem(absolute, name, parse_date(printed, zone, now), department, topic))
    if not items:
        raise ParseError(f"the item selector {item!r} found no linked items on {url}", kind="empty")
    return items


def parse_article(text: str, url: str, selector: str) -> Article:
    """The body of an article page by the source's selector, else by the page's meta tags
    and its largest block of paragraphs."""
    soup = soup_of(text)
    meta = _meta(soup)
    title = meta.get("title") or _first_text(soup, "h1") or _first_text(soup, "title")
    body = soup.select_one(selector) if selector else None
    if body is None:
        body = densest_block(soup)
    if body is None:
        raise ParseError(
            f"no article body found on {url}"
            + (f" (selector {selector!r} matched nothing)" if selector else ""),
            kind="layout-changed" if selector else "parse",
        )
    base = base_of(soup, url)
    return Article(
        title,
        body.decode_contents(),
        meta.get("date") or printed_date(soup),
        meta.get("source", ""),
        _attachments(soup, base),
        base,
    )


def _attachments(soup: BeautifulSoup, base: str) -> tuple[Attachment, ...]:
    found: dict[str, Attachment] = {}
    for anchor in soup.find_all("a", href=True):
        url = join_url(base, str(anchor["href"]))
        name = file_name(url)
        if not url or posixpath.splitext(name)[1].lower() not in ATTACHMENT_EXTENSIONS:
            continue
        title = one_line(anchor.get_text(" ", strip=True)) or name
        found.setdefault(url, Attachment(title, url))
    return tuple(found.values())


def discover_feed(text: str, url: str) -> str | None:
    """The feed an HTML page announces with <link rel="alternate">, if any."""
    return next(iter(alternates(soup_of(text), url)), None)


def alternates(soup: BeautifulSoup, url: str) -> list[str]:
    """The feeds a page announces with <link rel="alternate">, in page order."""
    found = []
    for link in soup.find_all("link", href=True):
        raw = link.get("rel")
        rels = {str(r).lower() for r in (raw if isinstance(raw, list) else str(raw or "").split())}
        kind = str(link.get("type") or "").split(";")[0].strip().lower()
        if (
            "alternate" in rels
            and kind in FEED_TYPES
            and (address := join_url(url, str(link["href"])))
        ):
            found.append(address)
    return found


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or tag.get("property") or "").strip().lower()
        content = str(tag.get("content") or "").strip()
        if not content:
            continue
        for key, names in (("title", META_TITLE), ("date", META_DATE), ("source", META_SOURCE)):
            if name in names and key not in found:
                found[key] = content
    return found


def _first_text(soup: BeautifulSoup, name: str) -> str:
    node = soup.find(name)
    return node.get_text(" ", strip=True) if isinstance(node, Tag) else ""

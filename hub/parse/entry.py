"""One feed entry, whatever the format, -> a Post: the rules every feed parser shares."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import unquote, urljoin, urlsplit

from hub.config import Source
from hub.models import Attachment, Post
from hub.parse.html import links, one_line, safe_url, to_text
from hub.parse.identity import identity_key
from hub.parse.page import ATTACHMENT_EXTENSIONS


@dataclass(frozen=True)
class Reading:
    """What one parse needs to know beyond the bytes: whose they are (the source and its
    settings), the site's time zone and the crawl's time (for dates), and the hosts
    whose embeds may stay."""

    source: Source
    zone: tzinfo
    now: datetime
    embeds: frozenset[str] = frozenset()

    @property
    def source_id(self) -> str:
        return self.source.id


def entry_post(
    *,
    source_id: str,
    guid: str | None,
    link: str,
    title: str,
    body: str,
    published: datetime | None,
    updated: datetime | None,
    author: str = "",
    categories: Iterable[str] = (),
    attachments: tuple[Attachment, ...] = (),
) -> Post | None:
    """A post from an entry's parts (`body` already sanitized); None for an empty entry."""
    title, text, link = one_line(title), to_text(body), safe_url(link)
    if not title and not text:
        return None
    first = published or updated  # an entry dated only by its update is dated by it
    return Post(
        source_id=source_id,
        key=identity_key(guid, link, title, text),
        url=link,
        title=title or text[:60],
        content_html=body,
        text=text,
        published=first,
        updated=updated if updated != first else None,
        author=one_line(author),
        categories=tuple(categories),
        attachments=attachments,
    )


def attachments(listed: Iterable[tuple[str, str]], body: str, base: str) -> tuple[Attachment, ...]:
    """A feed entry's documents: those its format lists as (url, title), then those its
    body links to; absolute, http(s) only, each once."""
    found: dict[str, Attachment] = {}
    for href, title in listed:
        url = safe_url(urljoin(base, href))
        if url:
            name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url
            found[url] = Attachment(one_line(title) or name, url)
    for href, title in links(body):  # the body was sanitized: its links are absolute
        url = safe_url(href)
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if url and posixpath.splitext(name)[1].lower() in ATTACHMENT_EXTENSIONS:
            found.setdefault(url, Attachment(title or name, url))
    return tuple(found.values())

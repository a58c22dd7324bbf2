"""One feed entry, whatever the format, -> a Post: the rules every feed parser shares,
and the caps every post is held to."""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from hub.config import Source
from hub.models import Attachment, Parsed, Post
from hub.parse import limits
from hub.parse.dates import parse_date
from hub.parse.html import (
    file_name,
    join_url,
    links,
    nesting,
    one_line,
    safe_url,
    sanitize,
    text_to_html,
    to_text,
)
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


@dataclass(frozen=True, slots=True)
class Entry:
    """A feed entry as its format gave it, before anything in it is trusted: raw strings,
    read cheaply from the whole document; making a Post of it (`entry_post`) is the
    costly part, done one entry at a time."""

    guid: str | None
    link: str  # as given: absolute, or relative to `base`
    base: str  # the feed's address
    title: str  # may hold markup
    body: str  # HTML, or plain text when `body_is_text`
    body_is_text: bool = False
    body_base: str = ""  # the body's own base (xml:base), if it has one
    published: str = ""  # as printed
    updated: str = ""
    author: str = ""
    categories: tuple[str, ...] = ()
    enclosures: tuple[tuple[str, str], ...] = ()  # (href, title)


@dataclass(frozen=True, slots=True)
class Entries:
    """A feed read as far as its entries."""

    title: str  # the feed's own, plain text
    entries: tuple[Entry, ...]
    notes: tuple[str, ...] = ()


def entry_post(entry: Entry, reading: Reading) -> Parsed:
    """The post an entry makes (none for an empty entry), with notes on what was cut or
    why it was dropped."""
    item = limits.label(entry.title, entry.guid or entry.link)
    depth = nesting(entry.body)
    if depth > limits.MAX_NESTING:
        return Parsed(
            notes=(
                f"{item}: dropped: its body nests {depth:,} elements deep "
                f"(at most {limits.MAX_NESTING:,})",
            ),
            dropped=1,
        )
    given = limits.raw(entry.link.strip(), limits.MAX_URL)
    link = join_url(entry.base, given) if given else ""  # (joining "" gives the feed's own)
    base = link or entry.base
    if entry.body_is_text:
        body = text_to_html(entry.body)
    else:
        body = sanitize(entry.body, entry.body_base or base, reading.embeds)
    zone, now = reading.zone, reading.now
    return make_post(
        reading.source_id,
        item,
        guid=entry.guid,
        link=link,
        title=entry.title,
        body=body,
        published=parse_date(entry.published, zone, now),
        updated=parse_date(entry.updated, zone, now),
        # a catalogue's service is its department's; the catalogue's own when it names none
        author=department(entry.author) or reading.source.department
        if reading.source.services
        else entry.author,
        categories=entry.categories,
        attachments=attachments(entry.enclosures, body, base),
    )


def department(name: str) -> str:
    """A department's name as one string whatever spaces a page put in it (县 市场监督
    管理局), for its services to be grouped under one name."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def entry_posts(entries: Sequence[Entry], reading: Reading) -> Parsed:
    """The posts of several entries (`entry_post` each), in one call."""
    return sum((entry_post(entry, reading) for entry in entries), Parsed())


def make_post(
    source_id: str,
    item: str,
    *,
    guid: str | None,
    link: str,
    title: str,
    body: str,
    published: datetime | None,
    updated: datetime | None,
    author: str = "",
    categories: Iterable[str] = (),
    attachments: tuple[Attachment, ...] = (),
) -> Parsed:
    """A post from its parts (`body` already sanitized), every field held to its cap
    (`limits`); none for an empty one."""
    notes: list[str] = []
    if len(body) > limits.MAX_BODY:  # cut, then cleaned again: no tag is left half open
        notes.append(f"{item}: body cut to {limits.MAX_BODY:,} characters (of {len(body):,})")
        body = limits.cut_markup(body, sanitize)
    text = to_text(body)
    title = limits.cut(
        one_line(limits.raw(title, limits.MAX_TITLE)), limits.MAX_TITLE, "title", item, notes
    )
    link = safe_url(link)
    if len(link) > limits.MAX_URL:
        notes.append(f"{item}: link of {len(link):,} characters left out")
        link = ""
    if not title and not text:
        return Parsed(notes=tuple(notes))
    first = published or updated  # an entry dated only by its update is dated by it
    kept = [c for c in (one_line(limits.raw(c, limits.MAX_CATEGORY)) for c in categories) if c]
    if len(kept) > limits.MAX_CATEGORIES:
        notes.append(f"{item}: {len(kept):,} categories, the first {limits.MAX_CATEGORIES} kept")
    if len(attachments) > limits.MAX_ATTACHMENTS:
        notes.append(
            f"{item}: {len(attachments):,} attachments, the first {limits.MAX_ATTACHMENTS} kept"
        )
    post = Post(
        source_id=source_id,
        key=identity_key(guid, link, title, text),
        url=link,
        title=title or text[:60],
        content_html=body,
        text=text,
        published=first,
        updated=updated if updated != first else None,
        author=limits.cut(
            one_line(limits.raw(author, limits.MAX_AUTHOR)),
            limits.MAX_AUTHOR,
            "author",
            item,
            notes,
        ),
        categories=tuple(
            limits.cut(c, limits.MAX_CATEGORY, "category", item, notes)
            for c in kept[: limits.MAX_CATEGORIES]
        ),
        attachments=tuple(
            Attachment(
                limits.cut(a.title, limits.MAX_ATTACHMENT_NAME, "attachment name", item, notes),
                a.url,
            )
            for a in attachments[: limits.MAX_ATTACHMENTS]
            if len(a.url) <= limits.MAX_URL
        ),
    )
    return Parsed((post,), tuple(notes))


def unique(parsed: Parsed) -> Parsed:
    """The posts with one of each id, the first listed (the newest) kept; a repeated id
    is noted, not silently replaced."""
    seen: dict[str, Post] = {}
    notes = list(parsed.notes)
    for post in parsed.posts:
        if post.id in seen:
            notes.append(
                f"{limits.label(post.title, post.key)}: listed again with the same id "
                f"({post.key[:80]}); the first kept"
            )
            continue
        seen[post.id] = post
    return Parsed(tuple(seen.values()), tuple(notes), parsed.dropped)


def attachments(listed: Iterable[tuple[str, str]], body: str, base: str) -> tuple[Attachment, ...]:
    """A feed entry's documents: those its format lists as (url, title), then those its
    body links to; absolute, http(s) only, each once."""
    found: dict[str, Attachment] = {}
    for href, title in listed:
        if url := join_url(base, href):
            found[url] = Attachment(one_line(title) or file_name(url) or url, url)
    for href, title in links(body):  # the body was sanitized: its links are absolute
        url = safe_url(href)
        name = file_name(url)
        if url and posixpath.splitext(name)[1].lower() in ATTACHMENT_EXTENSIONS:
            found.setdefault(url, Attachment(one_line(title) or name, url))
    return tuple(found.values())

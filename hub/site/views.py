"""The portal's addresses and what its templates are given: stable URL patterns, and
plain values for posts, sections and departments. Pure."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any

from hub.audited import SourceAudit
from hub.config import SECTION, Config
from hub.models import Attachment, Results, SourceState

FEED_FORMATS = ("xml", "atom", "json")  # RSS 2.0, Atom 1.0, JSON Feed 1.1


def copy_path(kept: Path) -> str:
    """Where a copy kept in data/files is on the portal: at a stable address, /f/NAME."""
    return f"f/{kept.name}"


def post_path(post_id: str, filed: datetime, zone: tzinfo) -> str:
    local = filed.astimezone(zone)
    return f"p/{local:%Y}/{local:%m}/{post_id}.html"


def channel_path(slug: str, page: int = 1) -> str:
    return f"c/{slug}/" if page == 1 else f"c/{slug}/{page}/"


def source_path(source_id: str, page: int = 1) -> str:
    return f"s/{source_id}/" if page == 1 else f"s/{source_id}/{page}/"


def month_path(base: str, month: str, page: int = 1) -> str:
    """A month of a section's or a department's posts (`base` its own path, `month`
    YYYY-MM), beyond what its paged list shows."""
    return f"{base}{month}/" if page == 1 else f"{base}{month}/{page}/"


NEAR = 2  # page numbers shown either side of the current one
JUMPS = 60  # past this many pages, the jump list offers every tenth


def pages_near(page: int, pages: int) -> range:
    """The numbers a pager shows around `page`: five when there are as many."""
    first = max(1, min(page - NEAR, pages - 2 * NEAR))
    return range(first, min(pages, first + 2 * NEAR) + 1)


def pages_to_jump(pages: int) -> list[int]:
    """The pages a pager's jump list offers (none when the numbers show them all)."""
    if pages <= 2 * NEAR + 1:
        return []
    if pages <= JUMPS:
        return list(range(1, pages + 1))
    return sorted({1, pages, *range(10, pages, 10)})


def feed_path(slug: str, kind: str) -> str:
    """A section's feed (`slug` empty: everything) in one of FEED_FORMATS."""
    return f"c/{slug}/feed.{kind}" if slug else f"feed.{kind}"


@dataclass(frozen=True)
class ChannelLink:
    slug: str
    title: str
    path: str
    description: str = ""
    column_type: str = ""

    @property
    def feed_path(self) -> str:
        return feed_path(self.slug, "xml")

    def feed(self, kind: str) -> str:
        return feed_path(self.slug, kind)


@dataclass(frozen=True)
class Copy:
    """Where else a post was published: the department and its copy on the portal."""

    department: str
    path: str


@dataclass(frozen=True)
class Neighbour:
    """The post before or after another in its section."""

    title: str
    path: str


@dataclass(frozen=True)
class PostView:
    id: str
    path: str
    title: str
    date: datetime
    updated: datetime | None
    department: str
    source_id: str
    source_path: str
    channels: tuple[ChannelLink, ...]
    summary: str
    content_html: str
    original_url: str
    attachments: tuple[Attachment, ...]
    kept: tuple[str, ...] = ()  # each attachment's copy on the portal (a path), or ""
    pinned: tuple[str, ...] = ()  # channel slugs where an editor pinned it on top
    original: Copy | None = None  # for a reprint: the post it reprints
    copies: tuple[Copy, ...] = ()  # for an original: its reprints ("also published by")
    version: str = ""  # the stored post's hash: changes whenever its content does

    def listing(self) -> tuple[Any, ...]:
        """What a list of posts can show of this one (a section's or a department's
        page; their keys are made of it, not of the whole post, which a list never
        shows): keep it in step with the lists' templates."""
        shown = (self.id, self.path, self.title, self.date, self.updated, self.department)
        return (*shown, self.summary, self.pinned, self.channels, self.original, self.copies)

    @cached_property
    def stamp(self) -> str:
        """A digest of `listing()`: what the keys of pages that list this post are made
        of (made once per view; a long-running hub keeps the views of unchanged posts)."""
        return hashlib.sha256(repr(self.listing()).encode()).hexdigest()[:16]

    @property
    def listed(self) -> bool:
        """Shown in sections, on the home page and in feeds: reprints are shown once,
        as their original."""
        return self.original is None

    @property
    def section(self) -> ChannelLink | None:
        """The section the post is read in: its first."""
        return self.channels[0] if self.channels else None

    def attachment_types(self) -> list[dict[str, Any]]:
        """Attachments with their media types, as JSON Feed wants them."""
        return [
            {
                "url": a.url,
                "title": a.title,
                "mime_type": mimetypes.guess_type(a.url)[0] or "application/octet-stream",
            }
            for a in self.attachments
        ]


@dataclass(frozen=True)
class SourceView:
    id: str
    name: str
    group: str
    url: str
    path: str
    count: int
    state: SourceState
    latest: datetime | None
    audit: SourceAudit | None = None

    @property
    def health(self) -> str:
        return self.state.health


def link_reprints(views: list[PostView], canonical_of: dict[str, str]) -> list[PostView]:
    """Views that know their original (reprints) or their copies (originals)."""
    by_id = {view.id: view for view in views}
    copies: dict[str, list[Copy]] = {}
    for view in views:
        canonical = canonical_of.get(view.id, view.id)
        if canonical != view.id and canonical in by_id:
            copies.setdefault(canonical, []).append(Copy(view.department, view.path))
    linked = []
    for view in views:
        canonical = canonical_of.get(view.id, view.id)
        if canonical != view.id and canonical in by_id:
            first = by_id[canonical]
            linked.append(replace(view, original=Copy(first.department, first.path)))
        elif view.id in copies:
            ordered = tuple(sorted(copies[view.id], key=lambda c: c.path))
            linked.append(replace(view, copies=ordered))
        else:
            linked.append(view)
    return linked


SEARCH_FORM = ("q", "section", "source", "group", "since", "until", "sort", "page")


def search_context(
    config: Config, form: Mapping[str, str], results: Results | None, error: str = ""
) -> dict[str, Any]:
    """What search.html is given: the request as typed (q, section, source, group,
    since, until, sort, page), one page of results (None before anything is asked), the
    filters' options, and an error to show instead of results."""
    groups = dict.fromkeys(s.group for s in config.sources if s.group)
    return {
        "query": form.get("q", ""),
        "form": {k: str(form.get(k, "")) for k in SEARCH_FORM},
        "results": results,
        "hits": results.hits if results else None,
        "choices": {
            "sections": [(c.slug, c.title) for c in config.channels]
            + ([(SECTION, config.services.title)] if config.catalogues else []),
            "sources": [(s.id, s.name) for s in config.sources],
            "groups": [(g, g) for g in groups],
        },
        "error": error,
    }

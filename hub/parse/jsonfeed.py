"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) -> entries. feedparser 6 reads
only XML, so hub reads JSON Feed itself, trusting no value to have the type the spec
gives it."""

from __future__ import annotations

import json
from typing import Any

from hub.errors import ParseError
from hub.parse import limits
from hub.parse.entry import Entry
from hub.parse.html import one_line


def looks_like_json_feed(content: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or content.lstrip()[:1] == b"{"


def read_json_entries(content: bytes, *, url: str) -> tuple[str, list[Entry], list[str]]:
    """The feed's title, its entries as given, and notes on what could not be read."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8, bad JSON, a 5,000-digit id
        raise ParseError(f"not a JSON feed: {str(exc)[:200]}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ParseError("not a JSON feed: no jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON feed without an items list")
    base = _string(document.get("home_page_url")) or url
    notes: list[str] = []
    entries = [_entry(item, base, notes) for item in items if isinstance(item, dict)]
    if skipped := sum(1 for item in items if not isinstance(item, dict)):
        notes.append(f"{skipped:,} items that are not JSON objects left out")
    title = one_line(limits.raw(_string(document.get("title")), limits.MAX_TITLE))
    return title, entries, notes


def _string(value: Any) -> str:
    """A JSON string as given; numbers as written; anything else (an object, a list where
    the spec says string) is not a value hub can use."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _entry(item: dict[str, Any], base: str, notes: list[str]) -> Entry:
    title = _string(item.get("title"))
    for key in ("id", "url", "external_url", "title", "content_html", "content_text"):
        if item.get(key) is not None and not _string(item.get(key)) and item.get(key) != "":
            notes.append(f"{limits.label(title, '')}: its {key} is not a string, left out")
    html = _string(item.get("content_html"))
    text = _string(item.get("content_text")) or _string(item.get("summary"))
    authors = _list(item.get("authors")) or _list([item.get("author")])
    return Entry(
        guid=_string(item.get("id")) or None,
        link=_string(item.get("url")) or _string(item.get("external_url")),
        base=base,
        title=title,
        body=html or text,
        body_is_text=not html,
        published=_string(item.get("date_published")),
        updated=_string(item.get("date_modified")),
        author=", ".join(
            _string(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")
        ),
        categories=tuple(t for t in _list(item.get("tags")) if isinstance(t, str)),
        enclosures=tuple(
            (_string(a.get("url")), _string(a.get("title")))
            for a in _list(item.get("attachments"))
            if isinstance(a, dict)
        ),
    )


def _list(value: Any) -> list[Any]:
    """A JSON array as given; anything else where the spec says array is none."""
    return value if isinstance(value, list) else []

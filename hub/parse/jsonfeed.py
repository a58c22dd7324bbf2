"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) -> Posts. feedparser 6 reads
only XML, so hub reads JSON Feed itself."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from hub.errors import ParseError
from hub.models import Post
from hub.parse.dates import parse_date
from hub.parse.entry import Reading, attachments, entry_post
from hub.parse.html import one_line, sanitize, text_to_html


def looks_like_json_feed(content: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or content.lstrip()[:1] == b"{"


def parse_json_feed(content: bytes, *, url: str, reading: Reading) -> tuple[str, list[Post]]:
    """Return the feed's title and its posts."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"not a JSON feed: {exc}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ParseError("not a JSON feed: no jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON feed without an items list")
    base = str(document.get("home_page_url") or url)
    posts = [
        p
        for item in items
        if isinstance(item, dict)
        if (p := _post(item, base, reading)) is not None
    ]
    return one_line(str(document.get("title") or "")), posts


def _post(item: dict[str, Any], base: str, reading: Reading) -> Post | None:
    zone, now = reading.zone, reading.now
    link = urljoin(base, str(item.get("url") or item.get("external_url") or ""))
    if item.get("content_html"):
        body = sanitize(str(item["content_html"]), link or base, reading.embeds)
    else:
        body = text_to_html(str(item.get("content_text") or item.get("summary") or ""))
    guid = item.get("id")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    return entry_post(
        source_id=reading.source_id,
        guid=str(guid) if guid is not None else None,
        link=link,
        title=str(item.get("title") or ""),
        body=body,
        published=parse_date(str(item.get("date_published") or ""), zone, now),
        updated=parse_date(str(item.get("date_modified") or ""), zone, now),
        author=", ".join(str(a.get("name", "")) for a in authors if isinstance(a, dict)),
        categories=(str(t) for t in item.get("tags", []) if isinstance(t, str)),
        attachments=attachments(
            (
                (str(a.get("url") or ""), str(a.get("title") or ""))
                for a in item.get("attachments") or []
                if isinstance(a, dict)
            ),
            body,
            link or base,
        ),
    )

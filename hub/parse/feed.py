"""RSS, Atom and the other syndication formats -> entries (`Entry`); owns feedparser.

feedparser is given bytes and headers, never a URL or a path, and its own sanitizer is
off: all HTML goes through our allowlist. Dates are read from the raw strings.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import feedparser

from hub.errors import ParseError
from hub.parse import limits
from hub.parse.entry import Entry
from hub.parse.html import one_line

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_entries(
    content: bytes, headers: Mapping[str, str], *, url: str
) -> tuple[str, list[Entry]]:
    """The feed's title and its entries as given, newest first as the feed lists them."""
    response_headers = {**headers, "content-location": url}
    try:
        result = feedparser.parse(
            io.BytesIO(_defuse_references(content)),
            response_headers=response_headers,
            # hub sanitizes and resolves links itself (nh3, against the entry's xml:base or
            # link); feedparser's own passes over every body cost more than all of hub's
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser raises many kinds on hostile input
        raise ParseError(f"feed could not be read: {type(exc).__name__}: {exc}") from exc
    if not result.get("version") and not result.entries:
        cause = result.get("bozo_exception")
        hint = " (an HTML page, not a feed)" if b"<html" in content[:2048].lower() else ""
        raise ParseError(f"not a feed{hint}: {cause or 'no entries found'}")
    entries = [_entry(entry, url) for entry in result.entries]
    return one_line(limits.raw(str(result.feed.get("title", "")), limits.MAX_TITLE)), entries


def _entry(entry: Any, base: str) -> Entry:
    body, body_base, is_text = _body(entry)
    # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a
    # deprecation warning; hub wants each raw string for what it is.
    return Entry(
        guid=str(entry["id"]) if entry.get("id") is not None else None,
        link=str(entry.get("link") or ""),
        base=base,
        body_base=body_base,
        title=str(entry.get("title") or ""),
        body=body,
        body_is_text=is_text,
        published=str(dict.get(entry, "published") or ""),
        updated=str(dict.get(entry, "updated") or ""),
        author=str(entry.get("author") or ""),
        categories=tuple(str(t.get("term")) for t in entry.get("tags", []) if t.get("term")),
        enclosures=tuple(
            (str(e.get("href") or ""), str(e.get("title") or ""))
            for e in entry.get("enclosures", [])
        ),
    )


def _body(entry: Any) -> tuple[str, str, bool]:
    """(the body, the base its links resolve against, whether it is plain text)."""
    details = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        details.append(entry["summary_detail"])
    if not details:
        return "", "", False
    best = next((d for d in details if d.get("type") in _HTML_TYPES), details[0])
    value = str(best.get("value") or "")
    return value, str(best.get("base") or ""), best.get("type") == "text/plain"


_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _defuse_references(content: bytes) -> bytes:
    """Numeric character references to no character at all (surrogates, beyond U+10FFFF,
    NUL) become U+FFFD; feedparser raises on them, losing the whole feed."""

    def replace(match: re.Match[bytes]) -> bytes:
        hexa, decimal = match.groups()
        point = int(hexa, 16) if hexa else int(decimal)
        valid = 0 < point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF
        return match.group(0) if valid else b"&#xFFFD;"

    return _REFERENCE.sub(replace, content)

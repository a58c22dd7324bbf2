"""Source lists as OPML, the format every feed reader exchanges: read 1.0 and 2.0
tolerantly (missing types, nested folders), write 2.0 with one folder per group.
Pure: text in, text out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from hub.errors import HubError


@dataclass(frozen=True)
class Outline:
    """One subscription of an OPML file."""

    title: str
    feed: str  # xmlUrl; empty for a page with no feed
    page: str  # htmlUrl
    group: str  # the innermost folder it sits in


def read(text: str) -> list[Outline]:
    """The subscriptions of an OPML document, folders becoming groups."""
    try:
        root = ET.fromstring(text)  # noqa: S314 (no external entities are resolved)
    except ET.ParseError as exc:
        raise HubError(f"not an OPML file: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise HubError("not an OPML file: no <opml><body>")
    found: list[Outline] = []
    _walk(body, "", found)
    return found


def _walk(node: ET.Element, group: str, found: list[Outline]) -> None:
    for outline in node.findall("outline"):
        title = (outline.get("title") or outline.get("text") or "").strip()
        feed = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        page = (outline.get("htmlUrl") or outline.get("htmlurl") or "").strip()
        if feed or page:
            found.append(Outline(title or feed or page, feed, page, group))
        if len(outline):  # a folder (with or without a type); its innermost name wins
            _walk(outline, title or group, found)


@dataclass(frozen=True)
class Listed:
    """A source as it goes into an OPML file."""

    id: str
    name: str
    group: str
    feed: str
    page: str


def write(title: str, sources: Iterable[Listed], now: datetime) -> str:
    """An OPML 2.0 document: one folder per group, in the order groups first appear."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for source in sources:
        group = source.group or "其他"
        if group not in folders:
            folders[group] = ET.SubElement(body, "outline", text=group, title=group)
        attributes = {"text": source.name, "title": source.name}
        if source.feed:
            attributes.update(type="rss", xmlUrl=source.feed)
        else:
            attributes["type"] = "link"
        if source.page:
            attributes["htmlUrl"] = source.page
        ET.SubElement(folders[group], "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def slug_for(url: str, taken: set[str]) -> str:
    """A source id for a URL: its host's distinctive part and its first path word."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.").split(".")
    words = [w for w in host if w not in ("gov", "cn", "com", "org", "net")][:2]
    first = next((p for p in parts.path.split("/") if p and "." not in p), "")
    base = re.sub(r"[^a-z0-9]+", "-", "-".join([*words, first]).lower()).strip("-")[:48]
    base = base or "source"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate

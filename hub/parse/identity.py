"""How a post is recognised again on the next crawl: raw GUID, canonical link, content hash."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a visit, not a page.
TRACKING = {
    "spm",
    "from",
    "isappinstalled",
    "share_token",
    "share_from",
    "scene",
    "clicktime",
    "enterid",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "timestamp",
    "_t",
}
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_link(url: str) -> str:
    """The link without its scheme, fragment, default port, www. and tracking parameters,
    so http->https moves and shared-link decorations do not make a new post."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # not an address at all (http://[oops/, a port of letters)
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING and not k.lower().startswith("utm_")
    ]
    path = parts.path or "/"
    return urlunsplit(("", host, path, urlencode(sorted(query)), ""))


def identity_key(guid: str | None, link: str | None, title: str, text: str) -> str:
    """The identity of a post within its source, tagged by what it was derived from."""
    if guid and guid.strip():
        guid = guid.strip()
        # A GUID that is a URL (often a relative one that feedparser resolved against the
        # feed's address) must survive an http->https or www. move of the feed.
        if guid.lower().startswith(("http://", "https://")):
            return "guid:" + canonical_link(guid)
        return "guid:" + guid
    if link and link.strip():
        return "link:" + canonical_link(link)
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:32]
    return "hash:" + digest

"""A post's outbound links, and which site an address belongs to: what the link checks
ask of a post before they ask the network (`pipeline.linking`). No IO."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from hub.models import Post
from hub.parse.html import links, safe_url

MAX_LINKS = 200  # per post: a page of a thousand links is a directory, not a post
MAX_URL = 2000  # characters; a longer address is no link a reader follows
# Second-level names under a country code that are public suffixes (gov.cn, com.cn,
# co.uk, ...): a site under one is named by three labels, elsewhere by two.
_GENERIC = frozenset({"gov", "com", "net", "org", "edu", "ac", "mil", "co", "or", "ne", "go"})


def outbound(post: Post, skip_hosts: Iterable[str] = ()) -> tuple[str, ...]:
    """The http(s) addresses a post links to — the links of its HTML, then its
    attachments — without fragments, each once: not the post's own address, not in-page
    anchors, not `mailto:` and the like, not those of `skip_hosts` (or their subdomains)."""
    own = _defragmented(post.url)
    hosts = tuple(host.lower().rstrip(".") for host in skip_hosts)
    found: dict[str, None] = {}
    hrefs = [href for href, _ in links(post.content_html)]
    for href in [*hrefs, *(a.url for a in post.attachments)]:
        url = _defragmented(safe_url(href))
        if not url or url == own or len(url) > MAX_URL or skipped(url, hosts):
            continue
        found[url] = None
        if len(found) >= MAX_LINKS:
            break
    return tuple(found)


def skipped(url: str, hosts: Iterable[str]) -> bool:
    """Whether `url`'s host is one of `hosts` or under one of them."""
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in hosts)


def host_of(url: str) -> str:
    """The host of an address, lower case without a final dot ('' for none)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def site(host: str) -> str:
    """The site a host belongs to, without a public suffix list: an address is its own
    site; otherwise the last two labels (`example.com`), or three under a generic
    second level of a country code (`example.gov.cn`, `example.co.uk`). So
    `www.example.gov.cn`, `rsj.example.gov.cn` and `example.gov.cn` are one site, and
    `old-dept.gov.cn` and `casino-xyz.com` are two."""
    host = host.lower().rstrip(".").removeprefix("www.")
    try:
        return str(ipaddress.ip_address(host.strip("[]")))  # an address is its own site
    except ValueError:
        pass
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC else 2
    return ".".join(labels[-keep:])


def same_site(url: str, final: str) -> bool:
    """Whether following `url` ended on its own site (`http` to `https`, `www.` added or
    dropped, another host of the same site: all the same)."""
    return site(host_of(url)) == site(host_of(final))


def _defragmented(url: str) -> str:
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (what raises for a port that is no number)
    except ValueError:
        return ""
    if not parts.hostname:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))

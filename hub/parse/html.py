"""Sanitize third-party HTML by an allowlist and turn it into plain text; owns nh3."""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit

import nh3

from hub.characters import FORBIDDEN, INVISIBLE

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
# Dropped with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "select",
    "textarea",
    "button",
    "noscript",
    "template",
    "svg",
    "math",
    "head",
    "title",
}
# In plain text, only what is never shown goes; the fallback text inside <object> or
# <iframe> is what a reader would see without the plugin, so it stays.
TEXT_DROP = {"script", "style", "template", "head", "title", "noscript"}
URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK = re.compile(
    r"<(?=/?(?:p|div|br|li|h[1-6]|tr|table|blockquote|pre|dd|dt|figure|section)\b)", re.I
)
_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
# Start and end tags, for estimating how deep a parser's stack of open elements grows.
# A tag's start, or the end of one: one pass over the text finds both, and a tag's end is
# the first ">" after its start (quoted ">" in attributes are rare enough not to matter).
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)|(>)")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)
# Closed by the next of their kind or by their parent, so they never pile up.
_IMPLIED_END = frozenset(
    {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody"}
    | {"tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp"}
)
_NEWLINES = re.compile(r"\s*\n\s*")


def sanitize(fragment: str, base_url: str, embeds: frozenset[str] = frozenset()) -> str:
    """Keep only allowlisted tags and attributes; make links absolute against `base_url`;
    links get rel="noopener noreferrer", images referrerpolicy="no-referrer". Iframes are
    kept only when they show an https page of a host in `embeds`, and are sandboxed."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        try:
            url = urljoin(base_url, value.strip())
            parts = urlsplit(url)
        except ValueError:  # not an address at all (http://[oops/): the attribute goes
            return None
        if tag == "iframe":
            return url if parts.scheme == "https" and parts.hostname in embeds else None
        return url if parts.scheme in URL_SCHEMES else None

    # One attribute per tag only: nh3 adds several in a random order per process, which
    # would change a post's hash, and so "update" it, on every crawl.
    added = {"img": {"referrerpolicy": "no-referrer"}}
    tags, drop, attributes = TAGS, DROP_WITH_CONTENT, ATTRIBUTES
    if embeds:
        tags, drop = TAGS | {"iframe"}, DROP_WITH_CONTENT - {"iframe"}
        attributes = {
            **ATTRIBUTES,
            "iframe": {"src", "width", "height", "title", "allowfullscreen"},
        }
        added["iframe"] = {"sandbox": "allow-scripts allow-same-origin allow-presentation"}
    cleaned = nh3.clean(
        FORBIDDEN.sub("", fragment),
        tags=tags,
        clean_content_tags=drop,
        attributes=attributes,
        attribute_filter=absolute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values=added,
        strip_comments=True,
    )
    cleaned = FORBIDDEN.sub("", cleaned)  # what its character references decoded to
    if embeds:  # an iframe whose address was refused has no src left: drop it
        cleaned = _BARE_IFRAME.sub("", cleaned)
    # An image the source gave no text for: screen readers would read its file name;
    # alt="" says there is nothing to read (hub cannot invent the description).
    return _NO_ALT.sub('<img alt=""', cleaned).strip()


_NO_ALT = re.compile(r"<img(?![^>]*\salt=)")
_BARE_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.DOTALL)
_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def links(cleaned: str) -> list[tuple[str, str]]:
    """(href, text) of each link in HTML that `sanitize` produced (html5ever's
    serialization: double-quoted attributes, href first), without parsing it again."""
    return [(html.unescape(href), one_line(text)) for href, text in _ANCHOR.findall(cleaned)]


def safe_url(url: str) -> str:
    """The URL if readers may follow it (http, https), else '' (also for what is no URL
    at all, such as `http://[::1/x`)."""
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def join_url(base: str, href: str) -> str:
    """`href` made absolute against `base`, if readers may follow it; else ''."""
    try:
        return safe_url(urljoin(base, href.strip()))
    except ValueError:
        return ""


def file_name(url: str) -> str:
    """The last part of a URL's path, decoded, as a name people read: one line, without
    what text may not hold."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return one_line(unquote(posixpath.basename(path)))


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment; block elements become line breaks."""
    marked = _BLOCK.sub("\n<", FORBIDDEN.sub(" ", fragment))
    stripped = nh3.clean(marked, tags=set(), clean_content_tags=TEXT_DROP)
    text = FORBIDDEN.sub(" ", html.unescape(stripped))  # &#xFFFF; is a character too
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def text_to_html(text: str) -> str:
    """Plain text (a feed's text/plain content) as escaped paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def one_line(fragment: str) -> str:
    """A title: plain text on one line, without the invisible characters that could
    make it read as something else."""
    return " ".join(INVISIBLE.sub("", to_text(fragment)).split())


def nesting(fragment: str) -> int:
    """How deep elements nest in `fragment`, about as an HTML parser's stack of open
    elements would grow: void elements and those whose end is implied do not count, and
    `<div/>` opens a div as it does in HTML. One linear pass, so it can be asked of any
    text before parsing it."""
    depth = deepest = 0
    opened: tuple[bool, str] | None = None  # (closing, name) of the tag being read
    for match in _TAG.finditer(fragment):
        closing, name, end = match.groups()
        if not end:
            opened = (bool(closing), name.lower())
            continue
        if opened is None:
            continue  # a ">" in text
        closing_tag, name = opened
        opened = None
        if name in _VOID or name in _IMPLIED_END:
            continue
        if closing_tag:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest

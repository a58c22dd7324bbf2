"""Frozen values that cross stage boundaries; no behaviour beyond deriving ids and hashes.

Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from hub.errors import ErrorKind

Health = Literal["new", "ok", "failing", "gone"]  # of a source, from its last fetch
RunKind = Literal["run", "crawl", "publish", "index", "schedule"]
How = Literal["rule", "fallback", "added", "pinned", "desk"]  # how a post came to be in a channel
Sort = Literal["relevance", "newest"]  # the orders of search results
SearchEngine = Literal["whoosh", "tantivy"]  # what keeps the search index (search.engine)
# Why an attachment's text could not be read (`hub.extract`): a password, damaged or
# unknown bytes, over a cap (a zip bomb), or what its worker process ran into.
ExtractKind = Literal[
    "encrypted", "malformed", "unsupported", "too-large", "over-time", "over-memory", "crashed"
]
# Of an outbound link, from its checks: failing until `checks.links.dead_after` failures
# in a row make it dead; moved when its redirects end on another site.
LinkStatus = Literal["unchecked", "ok", "failing", "dead", "moved"]
# Content findings (`hub.checks`), by what an inspection counts them as: 错别字 (typo),
# 表述错误 (formulation, protected), 敏感词 (sensitive), dead links, dates, broken text.
FindingKind = Literal[
    "no-title",
    "unreadable",  # U+FFFD in the text
    "garbled",  # an encoding read the wrong way (锟斤拷)
    "typo",  # 错别字: a wrong -> right pair of a list
    "formulation",  # 表述错误: an outdated or wrong formulation of a list
    "sensitive",  # 敏感词: a word that must never appear
    "protected",  # a near miss of a protected name, title or formulation
    "dead-link",  # a link or attachment that no longer answers
    "moved-link",  # a link that now leads to another site (a lapsed domain)
    "future-date",  # dated after hub first saw it
    "backdated",  # dated well before hub first saw it, on a source that is normally timely
    "date-changed",  # its date changed between crawls (伪造发稿日期 is a veto item)
]
# How much a finding matters; `checks.hold` says from which a post waits for review.
Severity = Literal["notice", "warning", "serious"]
SEVERITIES: tuple[Severity, ...] = ("notice", "warning", "serious")
SORTS: tuple[Sort, ...] = get_args(Sort)
SEARCH_ENGINES: tuple[SearchEngine, ...] = get_args(SearchEngine)
EXTRACT_KINDS: tuple[ExtractKind, ...] = get_args(ExtractKind)
DEFAULT_ENGINE: SearchEngine = "tantivy"  # docs/search.md: why


def post_id(source_id: str, key: str) -> str:
    """A short, URL-safe, stable id for a post: its source plus its identity key."""
    digest = hashlib.sha256(f"{source_id}\n{key}".encode()).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response as the fetch stage hands it to the parse stage; 304 is a value."""

    source_id: str
    url: str  # the final URL, after redirects: relative links resolve against it
    status: int  # 200, or 304 when the conditional GET found nothing new
    content: bytes  # decompressed body, capped at fetch.max_bytes
    headers: Mapping[str, str]  # lower-case names
    fetched_at: datetime
    reason: str = ""  # the status line's phrase, e.g. "Service Unavailable"
    seconds: float = 0.0  # spent waiting for answers, redirects included, not for a turn


@dataclass(frozen=True, slots=True)
class ListItem:
    """One entry of an HTML list page, before its article page is followed."""

    url: str  # absolute link to the article page
    title: str  # the full title (a@title wins over truncated link text)
    published: datetime | None  # the date printed beside the link, when there is one
    department: str = ""  # a service catalogue's: the department that provides it
    topic: str = ""  # a service catalogue's: its own topic of the service


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document linked from a post: 附件 such as a PDF, DOC or XLS file."""

    title: str  # the link text, else the file name
    url: str  # absolute


@dataclass(frozen=True, slots=True)
class Post:
    """A normalized post: absolute URLs, sanitized HTML, plain text, aware UTC datetimes."""

    source_id: str
    key: str  # identity within the source: raw GUID, else canonical link, else content hash
    url: str  # the original, on the department's site
    title: str  # plain text
    content_html: str  # sanitized by the allowlist
    text: str  # plain text of content_html, for routing and search
    published: datetime | None
    updated: datetime | None = None
    author: str = ""
    categories: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    id: str = field(default="", compare=False)  # derived: post_id(source_id, key)
    hash: str = field(default="", compare=False)  # derived: changes when the content does

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", post_id(self.source_id, self.key))
        parts: tuple[str, ...] = (
            self.url,
            self.title,
            self.content_html,
            str(self.published),
            str(self.updated),
            self.author,
            "\t".join(self.categories),
        )
        if self.attachments:  # only then, so posts without any keep their earlier hash
            parts += ("\t".join(f"{a.title}\n{a.url}" for a in self.attachments),)
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        object.__setattr__(self, "hash", digest)

    @classmethod
    def restored(cls, post_id: str, digest: str, **fields: Any) -> Post:
        """A post as the store kept it, with the id and hash derived when it was stored
        (deriving them again for every post took a fifth of reading the store)."""
        post = cls.__new__(cls)
        given = {"updated": None, "author": "", "categories": (), "attachments": ()}
        for name, value in {**given, **fields, "id": post_id, "hash": digest}.items():
            object.__setattr__(post, name, value)
        return post


FUTURE_SLACK = timedelta(days=2)  # clocks and time zones disagree a little, not more


def shown_date(published: datetime | None, seen: datetime) -> datetime:
    """A post's date as readers see it: when published, unless that is later than when
    it was seen (with some slack); then when it was seen."""
    if published is None or published > seen + FUTURE_SLACK:
        return seen
    return published


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A post as it comes back from storage, with what hub itself knows of it."""

    post: Post
    first_seen: datetime  # when hub first stored it; never changes
    filed: datetime  # the date it is filed under (its permalink month); fixed at first sight
    changed: datetime | None = None  # when hub last saw its content change upstream
    sketch: tuple[int, ...] = ()  # for finding reprints; computed when it is saved
    removed: datetime | None = None  # when hub saw the source stop listing it (撤稿)
    first_published: datetime | None = None  # the date the source gave at first sight

    @property
    def date(self) -> datetime:
        """The date readers see and lists sort by: the published date, but never later
        than hub first saw the post (a CMS dating a notice ahead, to keep it on top)."""
        return shown_date(self.post.published, self.first_seen)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the parse stage read from one response or item: its posts, and a note for
    each thing it had to leave out or cut (an over-budget item, a field over its cap, a
    repeated id), one line each."""

    posts: tuple[Post, ...] = ()
    notes: tuple[str, ...] = ()
    dropped: int = 0  # items left out whole: their posts may still be listed upstream

    def __add__(self, other: Parsed) -> Parsed:
        return Parsed(
            self.posts + other.posts, self.notes + other.notes, self.dropped + other.dropped
        )


@dataclass(frozen=True, slots=True)
class SourceState:
    """What hub remembers of a source between runs: conditional GET, backoff, health."""

    source_id: str
    etag: str = ""
    last_modified: str = ""
    next_fetch_at: datetime | None = None  # None: due now
    failures: int = 0  # consecutive
    feed_url: str = ""  # the feed found by autodiscovery when the source's URL is a page
    error_kind: ErrorKind | Literal[""] = ""  # of the last failure; "" when it was ok
    last_error: str = ""  # one line
    last_fetch_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_new_post_at: datetime | None = None
    posts: int = 0  # stored posts of this source
    notes: str = ""  # what the last crawl that read it left out or cut, a line each
    note_count: int = 0  # how many notes that crawl had (only the first few are kept)
    # a service catalogue's: whole listings in a row that lacked too many of its services
    # to take them off at once (`pipeline.decide.withdrawal`)
    shrunk: int = 0

    @property
    def health(self) -> Health:
        """new (never fetched), ok, failing, or gone (the server answered 410)."""
        if self.last_fetch_at is None:
            return "new"
        if self.error_kind == "gone":
            return "gone"
        return "failing" if self.failures else "ok"


@dataclass(frozen=True, slots=True)
class Proposal:
    """New selectors detection found for a list page source whose selectors stopped
    finding its items: shown to editors, applied only by one of them."""

    source_id: str
    made: datetime
    based_on: str  # the digest of the source's entry it would replace
    entry: str  # the proposed entry, as channels.yaml lines; "" when nothing was found
    settings: str  # JSON: the proposed `page:` settings
    items: int  # how many items they read on the first page
    titles: str  # JSON: the first few items' titles
    note: str  # one line: what was found, or why nothing


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer should look at in a post: what, where, what to write instead."""

    kind: FindingKind
    text: str  # the text found (the wrong word, the link, the date as written)
    severity: Severity
    suggestion: str = ""  # what to write instead, or what to do
    field: Literal["title", "text", "link", "date"] = "text"
    position: int = -1  # offset of `text` in the field; -1 when it has none
    note: str = ""  # one line for the reviewer

    @property
    def key(self) -> str:
        """What a dismissal is of: the same finding at another position is the same."""
        return f"{self.kind}:{self.field}:{self.text}"


@dataclass(frozen=True, slots=True)
class Link:
    """An outbound link or attachment of stored posts, as its checks left it."""

    url: str
    first_seen: datetime
    status: LinkStatus = "unchecked"
    last_checked: datetime | None = None
    failures: int = 0  # failed checks in a row
    answer: str = ""  # of the last check: the HTTP status ("404") or error kind ("timeout")
    final_url: str = ""  # where its redirects ended, when they did
    note: str = ""  # one line on the last check
    not_before: datetime | None = None  # the server asked hub to wait (Retry-After)
    posts: tuple[str, ...] = ()  # ids of the posts that carry it


@dataclass(frozen=True, slots=True)
class Attached:
    """An attachment as hub downloaded and read it: its text for search, and the copy
    kept with the portal. Keyed by its address, whichever posts carry it."""

    url: str
    fetched: datetime  # the last try
    ok: bool  # read (or kept); else `kind` says why not
    kind: str = ""  # a fetch error's kind or an extraction's (`hub.extract`): why not read
    note: str = ""  # one line: what was cut, or the error
    format: str = ""  # as its bytes say: pdf, docx, xls, ...
    size: int = 0  # bytes
    digest: str = ""  # SHA-256 of the bytes: a copy changes with it
    pages: int = 0
    text: str = ""  # capped (`hub.extract.MAX_CHARS`)
    kept: str = ""  # the copy's file name in data/files (and at /f/ on the portal), or ""
    failures: int = 0  # failed tries in a row: the next waits longer
    etag: str = ""  # the validators of the download read, for asking again
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of hub's writers, as `hub status` lists them: what it did and how long."""

    kind: RunKind  # schedule: one tick that did something
    started: datetime
    seconds: float
    sources: int = 0  # crawled
    new: int = 0
    changed: int = 0
    failed: int = 0  # sources
    published: bool = False
    error: str = ""  # one line, when the run failed as a whole


@dataclass(frozen=True, slots=True)
class Condition:
    """One field of a rule that matched a post, and what matched."""

    field: str  # source, group, tags, keywords, title_keywords, regex, url, ...
    value: str  # the keyword, group, pattern ... that matched
    where: str = ""  # title or text, for what is searched in both

    def __str__(self) -> str:
        noun = {
            "keywords": "keyword",
            "title_keywords": "keyword",
            "all_keywords": "keywords",
            "tags": "tag",
            "category": "category",
        }.get(self.field, self.field)
        return f"{noun} {self.value}" + (f" in {self.where}" if self.where else "")


@dataclass(frozen=True, slots=True)
class Placement:
    """Why a post is in a channel."""

    channel: str  # slug
    how: How  # added and pinned: by an override; desk: by an editor on the desk
    rule: int = 0  # 1-based index of the include rule that matched, for how == rule
    matched: tuple[Condition, ...] = ()

    def __str__(self) -> str:
        if self.how == "rule":
            return f"rule {self.rule}: " + ", ".join(str(c) for c in self.matched)
        return {
            "fallback": "fallback: no other channel took it",
            "added": "added by an override",
            "pinned": "pinned by an override",
            "desk": "placed by an editor on the desk",
        }[self.how]


@dataclass(frozen=True, slots=True)
class Routed:
    """Routing output: the channels a post is in, and why for each."""

    post: StoredPost
    channels: tuple[str, ...]  # channel slugs, in navigation order
    placements: Mapping[str, Placement]  # slug -> why the post is there
    pinned: tuple[str, ...] = ()  # slugs where an override or an editor pins it on top
    hidden: bool = False  # an override or the desk takes it off the portal
    ruled: tuple[str, ...] = ()  # the channels before the desk moved it (rules, overrides)
    title: str = ""  # an editor's title for the portal, instead of the post's own
    summary: str = ""  # an editor's summary for lists, instead of the text's beginning

    @property
    def shown_title(self) -> str:
        return self.title or self.post.post.title

    @property
    def reasons(self) -> dict[str, str]:
        """slug -> the explanation in words."""
        return {slug: str(placement) for slug, placement in self.placements.items()}


# Text in pieces, each marked True where it matches a search: the templates escape
# every piece and wrap the marked ones in <mark>.
Marked = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result, as the portal, the API and the CLI show it."""

    id: str
    title: str
    path: str  # the post's page on the portal, relative to the site root
    department: str
    source_id: str
    group: str
    sections: tuple[str, ...]  # channel slugs
    date: datetime | None
    title_marked: Marked
    snippet: Marked  # a piece of the text around the matches
    score: float = 0.0
    attachment: str = ""  # the name of the attachment the snippet is from, if it is


@dataclass(frozen=True, slots=True)
class Results:
    """One page of search results."""

    total: int  # matches in all pages
    page: int
    per_page: int
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...] = ()  # queries that do find something, when this did not

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The outcome of crawling one source; errors are values so the run goes on."""

    source_id: str
    new: int = 0
    changed: int = 0
    not_modified: bool = False
    error_kind: ErrorKind | Literal[""] = ""
    error: str = ""  # one line; empty on success
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # what was left out or cut (`Parsed.notes`)

    @property
    def ok(self) -> bool:
        return not self.error

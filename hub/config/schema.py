"""The shape of channels.yaml as typed, frozen models (with `types` and `checking`, the
package owns pydantic).

Validation is strict: unknown keys are errors and YAML's implicit booleans (`no`, `on`)
are not accepted where a string is meant.
"""

from __future__ import annotations

import codecs
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.audited import Column
from hub.config.alerting import Alerts
from hub.config.attachments import Attachments
from hub.config.checking import Checks
from hub.config.searching import Search, Words
from hub.config.services import Services
from hub.config.site import Site
from hub.config.types import (
    Bytes,
    Model,
    Names,
    Pause,
    Seconds,
    Url,
    as_tuple,
    check_url,
)

Rules = Annotated[tuple["Rule", ...], BeforeValidator(as_tuple)]


class Fetch(Model):
    allow_private: bool = False
    timeout: Seconds = 20.0
    max_bytes: Bytes = 15 * 1024**2
    concurrency: int = Field(default=16, ge=1, le=256)
    per_host: int = Field(default=4, ge=1, le=64)
    user_agent: str = ""
    every: Seconds = 3600.0  # how often a source is polled, unless it says otherwise
    delay: Pause = 0.25  # between two requests to one host
    robots: bool = True  # honour robots.txt
    # host:port of a bridge on this machine or network (a feed made of a WeChat account,
    # say) fetched though its address is private; every other private address refused
    bridges: Names = ()

    @field_validator("bridges")
    @classmethod
    def _host_ports(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            host, _, port = entry.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"a bridge is host:port, as 127.0.0.1:1200; not {entry!r}")
        return tuple(entry.lower() for entry in value)

    @property
    def bridged(self) -> frozenset[tuple[str, int]]:
        """(host, port) of each bridge, as a URL's hostname and port give them."""
        pairs = (entry.rpartition(":") for entry in self.bridges)
        return frozenset((host.strip("[]"), int(port)) for host, _, port in pairs)


class Schedule(Model):
    """How `hub schedule` (and `hub demo`) paces itself."""

    tick: Seconds = 60.0  # how often it looks for due sources
    publish_every: Seconds = 60.0  # at most one publish this often; changes wait for it
    jitter: float = Field(default=0.1, ge=0, le=0.5)  # share of an interval polled early
    # on a database crawlers share: how long a source stays leased to one unrenewed
    lease: Seconds = 120.0


class Audit(Model):
    """The audit's thresholds (`hub audit`, the /sources/ page): the consolidation's, and
    the inspection's, whose defaults are the national ones (国办秘函〔2019〕19号; see
    docs/audit.md); a province may set stricter ones."""

    dormant_days: int = Field(default=14, ge=1)  # no post for longer: dormant (inspection rule)
    low_activity: int = Field(default=4, ge=0)  # fewer posts in 90 days: low activity
    reprint_share: float = Field(default=0.8, gt=0, le=1)  # this share reprinted: only reprints
    overlap: float = Field(default=0.5, gt=0, le=1)  # posts shared with another: merge them
    news_days: int = Field(default=14, ge=1)  # 动态/要闻类: no dated item for longer is stale
    notice_days: int = Field(default=183, ge=1)  # 通知公告/政策文件类: 6 months
    veto_stale: int = Field(default=5, ge=1)  # stale sections that veto
    veto_long_stale: int = Field(default=10, ge=1)  # sections stale or blank that veto
    veto_blank: int = Field(default=5, ge=1)  # blank sections that veto
    window_days: int = Field(default=7, ge=1, le=30)  # availability is measured over these
    slow: Seconds = 15.0  # a fetch this slow counts as failed
    unavailable: float = Field(default=0.05, gt=0, le=1)  # failed share that vetoes


class Page(Model):
    url: Url
    item: str
    title: str = "a"
    link: str = "a"
    date: str = ""
    article: str = ""
    more: str = ""  # the next pages' URL, with {page} (2, 3, ...) or {index} (1, 2, ...)
    # a service catalogue's (`kind: services`): each item's department and topic
    department: str = ""
    topic: str = ""
    backfill: int = Field(default=1, ge=1, le=100)  # list pages read at most per crawl

    @model_validator(mode="after")
    def _paging(self) -> Page:
        if self.more and "{page}" not in self.more and "{index}" not in self.more:
            raise ValueError("`more:` needs {page} or {index} where the page number goes")
        if self.backfill > 1 and not self.more:
            raise ValueError("`backfill:` above 1 needs `more:`, the other pages' URL")
        return self


class Source(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str
    group: str = ""
    feed: Url | None = None
    page: Page | None = None
    encoding: str | None = None
    tags: Names = ()  # free labels rules can test, e.g. [文旅, 县直]
    aliases: Words = ()  # other names residents search it by (县卫健委 for 县卫生健康局)
    every: Seconds | None = None  # overrides fetch.every
    keep_removed: bool = True  # keep showing posts the source withdrew
    unit: str = ""  # the department that runs it (一单位一平台一号); its name when empty
    platform: str = ""  # where it is published (微信公众号, 微博); its URL's host when empty
    column: Column = "news"  # what pace of updates an inspection expects of it
    # posts (news, notices: routed to the sections) or services (a catalogue of 办事事项,
    # listed on the portal's /banshi/ pages and found by search, never routed)
    kind: Literal["posts", "services"] = "posts"

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        if (self.feed is None) == (self.page is None):
            raise ValueError("a source needs exactly one of `feed:` or `page:`")
        if self.kind == "posts" and self.page and (self.page.department or self.page.topic):
            raise ValueError(
                "`department:` and `topic:` are read only for a service catalogue: "
                "add `kind: services`"
            )
        return self

    @property
    def services(self) -> bool:
        return self.kind == "services"

    @property
    def url(self) -> str:
        return self.feed or (self.page.url if self.page else "")

    @property
    def department(self) -> str:
        return self.unit or self.name

    @property
    def where(self) -> str:
        """Its platform, for one unit's accounts: as given, else its address's host."""
        return self.platform or (urlsplit(self.url).hostname or "")


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"expected a date such as 2026-01-31, got {value!r}") from exc
    return value


Day = Annotated[date, BeforeValidator(_date)]
# The fields a rule may test, in the order explanations list them.
RULE_FIELDS = (
    "source",
    "group",
    "tags",
    "category",
    "author",
    "url",
    "since",
    "until",
    "max_age",
    "title_keywords",
    "keywords",
    "all_keywords",
    "regex",
)


class Rule(Model):
    """Every field given must match; a list matches when any of its items does."""

    source: Names = ()  # source ids
    group: Names = ()  # source groups
    tags: Names = ()  # source tags
    keywords: Names = ()  # any of them, in the title or the text
    title_keywords: Names = ()  # any of them, in the title
    all_keywords: Names = ()  # every one of them, in the title or the text
    regex: str = ""  # a regular expression searched in the title, then the text
    category: Names = ()  # the feed's categories of the post
    url: str = ""  # a glob (*, ?) on the original link, or re:EXPRESSION
    author: Names = ()  # any of them, inside the post's author
    max_age: Seconds | None = None  # the post is at most this old at publish time
    since: Day | None = None  # published on or after this day (site time)
    until: Day | None = None  # published on or before this day

    @model_validator(mode="after")
    def _sound(self) -> Rule:
        if not any(getattr(self, name) for name in RULE_FIELDS):
            raise ValueError(f"a rule needs at least one of {', '.join(RULE_FIELDS)}")
        for name in (
            "source",
            "group",
            "tags",
            "keywords",
            "title_keywords",
            "all_keywords",
            "category",
            "author",
        ):
            if any(not item.strip() for item in getattr(self, name)):
                raise ValueError(f"{name} must not hold empty strings")
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until: the rule could never match")
        return self


class Channel(Model):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: str
    description: str = ""
    include: Rules = ()
    exclude: Rules = ()
    fallback: bool = False
    exclusive: str = ""  # channels of one exclusive group never share a post
    priority: int = 0  # inside an exclusive group, the highest priority takes the post
    column_type: str = ""  # the ColumnType meta tag; the title when empty
    column: Column = "news"  # what pace of updates an inspection expects of it
    # 先审后发: which of its posts wait for a reviewer on the desk before the portal shows
    # them: none, those with content findings (flagged), or all
    review: Literal["none", "flagged", "all"] = "flagged"
    # a section no post has reached yet is left out of the portal's navigation, home page
    # and sitemap (a blank column fails an inspection); true shows it all the same
    show_empty: bool = False
    # where the navigation bar lists it: in its row, or in the 更多栏目 group at its end
    # (a bar that fits one row on a desktop screen)
    nav: Literal["main", "more"] = "main"

    @model_validator(mode="after")
    def _takes_something(self) -> Channel:
        if not self.include and not self.fallback:
            raise ValueError("a channel needs `include:` rules or `fallback: true`")
        return self


class Override(Model):
    """An editor's decision about one post that re-crawls and re-routing respect."""

    post: str  # the post's id (from its portal address) or its original URL
    pin: Names = ()  # channels where it is pinned on top (and placed, if no rule did)
    add: Names = ()  # channels it is placed in, whatever the rules say
    hide: bool = False  # shown nowhere: not in channels, feeds, department pages, search
    reprint_of: str = ""  # the post (id or URL) it reprints: shown once, under that one
    not_reprint: bool = False  # a post of its own, whatever its likeness to others
    note: str = ""  # why, for the next editor

    @model_validator(mode="after")
    def _decides(self) -> Override:
        if not self.post.strip():
            raise ValueError("post must name a post id or URL")
        if self.hide and (self.pin or self.add):
            raise ValueError("a hidden post cannot also be pinned or added")
        if self.reprint_of and self.not_reprint:
            raise ValueError("a post cannot both reprint another (reprint_of) and not be one")
        if not (self.hide or self.pin or self.add or self.reprint_of or self.not_reprint):
            raise ValueError(
                "an override needs pin:, add:, hide: true, reprint_of: or not_reprint: true"
            )
        return self


Overrides = Annotated[tuple[Override, ...], BeforeValidator(as_tuple)]


class Desk(Model):
    """The editors' web app (`hub desk`)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8002, ge=0, le=65535)
    # the desk listens on loopback only unless this says otherwise (then put it behind
    # HTTPS, and set secure_cookies)
    allow_remote: bool = False
    secure_cookies: bool = False  # cookies only over HTTPS
    idle: Seconds = 1800.0  # a session unused this long ends
    # the desk's address as editors' browsers reach it, behind a proxy that rewrites Host
    public_url: Annotated[str, BeforeValidator(lambda v: check_url(v) if v else v)] = ""


STORE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


def check_store_url(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in STORE_SCHEMES:
        raise ValueError(
            f"expected postgresql://user@host:port/database or sqlite:///path, got {value!r}"
        )
    if parts.password is not None:
        raise ValueError(
            "a password does not belong in channels.yaml (editors preview it and the desk "
            "saves it): put the URL with its password in the environment variable "
            "HUB_STORE_URL, or the password in ~/.pgpass"
        )
    return value


class Database(Model):
    """Where the posts are kept: the SQLite file in data/ unless a URL says otherwise
    (the environment's HUB_STORE_URL overrides it)."""

    url: Annotated[str, BeforeValidator(check_store_url)] = ""


class Document(Model):
    """The whole file, as written; cross-references are checked by the loader."""

    site: Site
    store: Database = Database()
    desk: Desk = Desk()
    fetch: Fetch = Fetch()
    schedule: Schedule = Schedule()
    audit: Audit = Audit()
    search: Search = Search()
    checks: Checks = Checks()
    alerts: Alerts = Alerts()
    services: Services = Services()
    attachments: Attachments = Attachments()
    sources: Annotated[tuple[Source, ...], BeforeValidator(as_tuple)] = Field(min_length=1)
    channels: Annotated[tuple[Channel, ...], BeforeValidator(as_tuple)] = Field(min_length=1)
    overrides: Overrides = ()


def validate(data: Any) -> tuple[Document | None, list[tuple[tuple[str | int, ...], str]]]:
    """Validate the parsed YAML; return the document or a list of (key path, message)."""
    try:
        return Document.model_validate(data), []
    except ValidationError as exc:
        return None, [(tuple(err["loc"]), _message(err)) for err in exc.errors()]


def _message(err: Any) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "string_type" and isinstance(value, bool):
        return (
            "expected text, got a boolean (YAML reads yes/no/on/off/true/false as "
            "booleans): put the value in quotes"
        )
    if kind in ("string_type", "int_type", "bool_type", "tuple_type", "model_type"):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "bool_type": "true or false",
            "tuple_type": "a list",
            "model_type": "a mapping of keys",
        }[kind]
        return f"expected {expected}, got {type(value).__name__} {value!r}"[:200]
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id: use lower-case ASCII letters, digits, - and _"
    msg = str(err["msg"])
    if kind == "too_short":
        msg = f"expected {err['ctx']['min_length']} items or more, got {len(value)}"
    return msg.removeprefix("Value error, ")

"""What the desk's pages show, gathered from the store, the rules and the last publish:
the review queue with each post's sections and why, its findings and its reprints, the
post list, one post with everything decided about it, and the log. No HTTP here."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from hub import pipeline
from hub.config import Config, Override
from hub.decisions import Decision, LogEntry
from hub.models import Finding, StoredPost
from hub.pipeline import trace
from hub.site import post_path
from hub.store import LogQuery, Store

PER_PAGE = 50
EARLIEST, LATEST = 1970, 2100  # the years a filter or a timed decision may name
LOG_PER_PAGE = 100
LOG_COLUMNS = ("id", "时间", "用户", "操作", "稿件", "栏目", "修改前", "修改后", "理由", "地址")


@dataclass(frozen=True)
class Entry:
    """One post as the desk lists it."""

    post: StoredPost
    department: str
    sections: list[tuple[str, str]]  # (section title, why), as routing places it now
    findings: tuple[Finding, ...]
    decision: Decision
    live: bool  # on the portal as last published
    portal_path: str
    reprints: list[StoredPost] = field(default_factory=list)  # its cluster, itself aside
    override: Override | None = None  # channels.yaml's decision about it

    @property
    def version(self) -> str:
        """What a reviewer approves: the post as crawled, with the editor's title and
        summary. The form sends it back, and a post changed since is not approved."""
        return self.decision.version(self.post.post.hash)

    @property
    def state(self) -> str:
        d = self.decision
        if d.taken_down:
            return "已撤稿"
        if d.review == "waiting":
            return "待审"
        if d.review == "rejected":
            return "已退回"
        return "已发布" if self.live else "未发布"


class Views:
    def __init__(self, config: Config, store: Store, now: datetime) -> None:
        self.config, self.store, self.now = config, store, now
        self.titles = {c.slug: c.title for c in config.channels}
        self.names = {s.id: s.name for s in config.sources}
        self.live = trace.load(config.data_dir).placements
        self.decisions: dict[str, Decision] = {}
        self.findings: dict[str, tuple[Finding, ...]] = {}
        self.router = pipeline.router(config, self.decisions)
        self._clusters: dict[str, tuple[str, ...]] | None = None

    def _decide(self, posts: Sequence[StoredPost]) -> None:
        """The decisions about the posts a page shows (and only those: a queue of ten
        thousand reads fifty)."""
        self.decisions.update(self.store.desk.decisions_of([p.post.id for p in posts]))
        self.findings.update(pipeline.checking.findings_for(self.config, self.store, posts))

    def entry(self, post: StoredPost, *, reprints: bool = False) -> Entry:
        routed = self.router.route(post, self.now)
        pid = post.post.id
        return Entry(
            post=post,
            department=self.names.get(post.post.source_id, post.post.source_id),
            sections=[(self.titles.get(s, s), why) for s, why in routed.reasons.items()],
            findings=self.findings.get(pid, ()),
            decision=self.decisions.get(pid, Decision(pid)),
            live=pid in self.live,
            portal_path=post_path(pid, post.filed, self.config.site.zone),
            reprints=self._cluster(post) if reprints else [],
            override=self.router.override(post),
        )

    def queue(self, page: int) -> tuple[list[Entry], int]:
        ids, total = self.store.desk.waiting(PER_PAGE, (page - 1) * PER_PAGE)
        posts = self.store.posts_of(ids)
        self._decide(posts)
        return [self.entry(p, reprints=True) for p in posts], total

    def posts(self, words: str, page: int) -> tuple[list[Entry], int]:
        posts, total = self.store.titled(words, PER_PAGE, (page - 1) * PER_PAGE)
        self._decide(posts)
        return [self.entry(p) for p in posts], total

    def one(self, post: StoredPost) -> Entry:
        self._decide([post])
        return self.entry(post, reprints=True)

    def _cluster(self, post: StoredPost) -> list[StoredPost]:
        """The posts the last publish found to be the same notice as this one."""
        if self._clusters is None:
            self._clusters = _clusters(self.config)
        cluster = self._clusters.get(post.post.id, ())
        return self.store.posts_of(pid for pid in cluster if pid != post.post.id)


def _clusters(config: Config) -> dict[str, tuple[str, ...]]:
    """post id -> the ids of its reprint cluster, as the last publish saved them."""
    try:
        saved = json.loads((config.data_dir / pipeline.REPRINTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    groups: dict[str, list[str]] = {}
    for pid, canonical in saved.items():
        groups.setdefault(str(canonical), [str(canonical)]).append(str(pid))
    return {pid: tuple(members) for members in groups.values() for pid in members}


def log_query(form: Mapping[str, str], zone: tzinfo) -> LogQuery:
    """The log's filters from a form: user, action, post, since and until (dates)."""

    def day(name: str) -> datetime | None:
        value = form.get(name, "").strip()
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            return None
        return moment if EARLIEST <= moment.year <= LATEST else None

    return LogQuery(
        since=day("since"),
        until=day("until"),
        user=form.get("user", "").strip(),
        action=form.get("action", "").strip(),
        post_id=form.get("post", "").strip(),
    )


def csv_lines(entries: Iterable[LogEntry], zone: tzinfo) -> Iterator[str]:
    """The log as CSV that Excel and WPS open as UTF-8 (a byte-order mark first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LOG_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row(entry, zone))
        yield buffer.getvalue()


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what Excel and WPS would run as a formula


def cell(value: str) -> str:
    """A value as a spreadsheet shows it, never as a formula it runs (a login name such
    as =HYPERLINK(...) is anyone's to type)."""
    return "'" + value if value.startswith(FORMULA) else value


def row(e: LogEntry, zone: tzinfo) -> list[str]:
    at = e.at.astimezone(zone).isoformat(timespec="seconds")
    return [
        cell(value)
        for value in [
            str(e.id),
            at,
            e.user,
            e.action,
            e.post_id,
            e.channel,
            e.before,
            e.after,
            e.reason,
            e.address,
        ]
    ]


def as_json(e: LogEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "user": e.user,
        "action": e.action,
        "post": e.post_id,
        "channel": e.channel,
        "before": json.loads(e.before) if e.before else None,
        "after": json.loads(e.after) if e.after else None,
        "reason": e.reason,
        "address": e.address,
    }


def chosen(values: Sequence[str]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v]

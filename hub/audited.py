"""Frozen values of the audit (`hub.audit`): what it reads that no other stage makes (each
fetch of a source's address), what it finds, and the report's tables as an office files
them. Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

AuditState = Literal["active", "low-activity", "dormant", "failing", "gone", "new"]
# What an inspection expects of a column's updates: 动态/要闻类 (news), 通知公告/政策文件类
# (notice), or no set pace (static: a special topic, history), which it does not check.
Column = Literal["news", "notice", "static"]
# The inspection's single-veto items the audit can count (国办秘函〔2019〕19号)
VetoItem = Literal["home", "stale", "long-stale", "blank", "unavailable", "account-stale"]
MergeReason = Literal["only-reprints", "overlap"]


@dataclass(frozen=True, slots=True)
class FetchAttempt:
    """One fetch of a source's own address (its feed or list page), as the availability
    audit counts it."""

    source_id: str
    at: datetime
    ok: bool  # an answer with a status below 400 (304 included)
    seconds: float  # waiting for the answer; 0 when there was none


@dataclass(frozen=True, slots=True)
class Freshness:
    """How recently a source or a section was updated, by the inspection's reading: an
    item without a date is no update."""

    column: Column
    limit: int  # days its column type may go without a dated item (0: not checked)
    posts: int  # all its posts, dated or not
    last_dated: datetime | None  # the latest dated item (never later than hub saw it)
    days_since: int | None  # whole days since last_dated
    stale: bool  # has posts, but no dated item within `limit` days

    @property
    def blank(self) -> bool:
        """Never had a post (空白栏目)."""
        return self.posts == 0


@dataclass(frozen=True, slots=True)
class SourceAudit:
    """One source in the consolidation audit: how alive it is and how much of it is
    its own."""

    source_id: str
    state: AuditState
    posts: int  # stored, all time
    posts_30: int  # published in the last 30 days
    posts_90: int
    posts_180: int
    last_post: datetime | None
    days_since: int | None  # since the last post; None when it has none
    reprints: int  # of its posts, how many are another department's notice reprinted
    reprints_of: str = ""  # the source it reprints most, if any
    freshness: Freshness | None = None  # by dated items and its column type
    fetches: int = 0  # of its own address in the availability window
    failed: int = 0  # of those: no answer, an error status, or too slow

    @property
    def reprint_share(self) -> float:
        return self.reprints / self.posts if self.posts else 0.0

    @property
    def unavailable(self) -> float:
        """The share of its fetches in the window that failed or were too slow."""
        return self.failed / self.fetches if self.fetches else 0.0


@dataclass(frozen=True, slots=True)
class SectionAudit:
    """One section (channel) of the portal, as the inspection sees a column."""

    slug: str
    freshness: Freshness


@dataclass(frozen=True, slots=True)
class Veto:
    """One single-veto item of the inspection: what was found, against its line."""

    item: VetoItem
    found: int  # sections, or sources
    line: int  # found at or above the line vetoes
    subjects: tuple[str, ...] = ()  # the section slugs or source ids concerned

    @property
    def vetoed(self) -> bool:
        return self.found >= self.line


@dataclass(frozen=True, slots=True)
class Duplicate:
    """More than one account of one unit on one platform (一单位一平台一号)."""

    unit: str
    platform: str
    sources: tuple[str, ...]  # ids


@dataclass(frozen=True, slots=True)
class FindingTally:
    """One source's content findings in one quarter, by what an inspection counts."""

    source_id: str
    quarter: str  # 2026Q2, in the site's time zone
    typo: int = 0  # 错别字
    formulation: int = 0  # 表述错误 (and near misses of protected names)
    sensitive: int = 0  # 敏感词
    links: int = 0  # dead or moved links
    other: int = 0  # dates, broken text, no title

    @property
    def total(self) -> int:
        return self.typo + self.formulation + self.sensitive + self.links + self.other


@dataclass(frozen=True, slots=True)
class MergeCandidate:
    """Two sources one publication could serve: one only reprints the other, or they
    publish the same notices."""

    source_id: str  # the one to merge
    into: str  # where its readers would find the same
    reason: MergeReason
    share: float  # of source_id's posts (only-reprints) or the smaller one's (overlap)
    shared: int  # posts in common


@dataclass(frozen=True, slots=True)
class AuditReport:
    sources: tuple[SourceAudit, ...]
    merges: tuple[MergeCandidate, ...]
    sections: tuple[SectionAudit, ...] = ()
    portal: Freshness | None = None  # the whole portal, as its home page shows it
    vetoes: tuple[Veto, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    findings: tuple[FindingTally, ...] = ()  # by source, then quarter


Cell = str | int | float


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of a report, as a spreadsheet's sheet and a page's table both show it."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""  # a line under the title: what the table counts, and by which rule

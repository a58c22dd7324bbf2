"""What the inspection indicators of government websites and new media check (国办秘函
〔2019〕19号; docs/audit.md), counted on what the portal shows: how recently each source
and section had a dated item, blank and stale sections against the veto counts, each
source's availability, one unit's several accounts on one platform, and content
findings per source and quarter. No IO.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo

from hub.audited import (
    Column,
    Duplicate,
    FetchAttempt,
    FindingTally,
    Freshness,
    SectionAudit,
    SourceAudit,
    Veto,
)
from hub.config import Audit, Channel, Source
from hub.models import Finding, FindingKind, StoredPost, shown_date

# What an inspection counts each kind of finding as; the rest are `other`.
CATEGORY: Mapping[FindingKind, str] = {
    "typo": "typo",  # 错别字
    "formulation": "formulation",  # 表述错误
    "protected": "formulation",  # a protected name or title written wrong is one too
    "sensitive": "sensitive",  # 敏感词
    "dead-link": "links",
    "moved-link": "links",
}


def limit_of(column: Column, thresholds: Audit) -> int:
    """The days a column of this type may go without a dated item; 0: not checked."""
    return {"news": thresholds.news_days, "notice": thresholds.notice_days, "static": 0}[column]


def freshness(
    posts: Sequence[StoredPost], column: Column, thresholds: Audit, now: datetime
) -> Freshness:
    """An item without a date is no update; one dated ahead counts from when hub saw it."""
    limit = limit_of(column, thresholds)
    last = max(
        (shown_date(p.post.published, p.first_seen) for p in posts if p.post.published),
        default=None,
    )
    days = max(0, (now - last).days) if last is not None else None
    late = last is None or now - last > timedelta(days=limit)
    return Freshness(column, limit, len(posts), last, days, bool(posts) and limit > 0 and late)


def sections(
    channels: Sequence[Channel],
    placed: Iterable[tuple[StoredPost, Sequence[str]]],
    thresholds: Audit,
    now: datetime,
) -> tuple[SectionAudit, ...]:
    """`placed`: each post the portal shows, with the channels it is in."""
    by_channel: dict[str, list[StoredPost]] = defaultdict(list)
    for stored, slugs in placed:
        for slug in slugs:
            by_channel[slug].append(stored)
    return tuple(
        SectionAudit(c.slug, freshness(by_channel.get(c.slug, []), c.column, thresholds, now))
        for c in channels
    )


def availability(
    fetches: Iterable[FetchAttempt], thresholds: Audit, now: datetime
) -> dict[str, tuple[int, int]]:
    """Source id -> (fetches, failed) in the window: a fetch fails with no answer, an
    error status, or an answer that took `audit.slow` or longer."""
    since = now - timedelta(days=thresholds.window_days)
    counted: dict[str, tuple[int, int]] = {}
    for attempt in fetches:
        if since < attempt.at <= now:
            made, failed = counted.get(attempt.source_id, (0, 0))
            bad = not attempt.ok or attempt.seconds >= thresholds.slow
            counted[attempt.source_id] = (made + 1, failed + bad)
    return counted


def vetoes(
    found: Sequence[SectionAudit],
    portal: Freshness,
    accounts: Sequence[SourceAudit],
    thresholds: Audit,
) -> tuple[Veto, ...]:
    """The single-veto items, each with what was found and its line."""
    checked = [s for s in found if s.freshness.column != "static"]
    stale = tuple(s.slug for s in checked if s.freshness.stale)
    blank = tuple(s.slug for s in found if s.freshness.blank)
    # 应更新但长期未更新: every column that should be updated and is not, blank ones
    # included (the first national census counted blank columns among them)
    overdue = tuple(s.slug for s in checked if s.freshness.stale or s.freshness.blank)
    down = tuple(
        a.source_id for a in accounts if a.fetches and a.unavailable >= thresholds.unavailable
    )
    idle = tuple(
        a.source_id
        for a in accounts
        if a.freshness is not None
        and (a.freshness.stale or (a.freshness.blank and a.state != "new"))
    )
    return (
        Veto("home", int(portal.stale or portal.blank), 1),
        Veto("stale", len(stale), thresholds.veto_stale, stale),
        Veto("blank", len(blank), thresholds.veto_blank, blank),
        Veto("long-stale", len(overdue), thresholds.veto_long_stale, overdue),
        Veto("unavailable", len(down), 1, down),
        Veto("account-stale", len(idle), 1, idle),
    )


def duplicates(sources: Sequence[Source]) -> tuple[Duplicate, ...]:
    """Units with more than one source on one platform (一单位一平台一号)."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source in sources:
        groups[(source.department, source.where)].append(source.id)
    return tuple(
        Duplicate(unit, platform, tuple(ids))
        for (unit, platform), ids in sorted(groups.items())
        if len(ids) > 1
    )


def quarter(when: datetime, zone: tzinfo) -> str:
    local = when.astimezone(zone)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def tallies(
    posts: Iterable[StoredPost], findings: Mapping[str, Sequence[Finding]], zone: tzinfo
) -> tuple[FindingTally, ...]:
    """Findings per source and quarter of the post's date."""
    counted: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for stored in posts:
        for finding in findings.get(stored.post.id, ()):
            key = (stored.post.source_id, quarter(stored.date, zone))
            counted[key][CATEGORY.get(finding.kind, "other")] += 1
    return tuple(
        FindingTally(
            sid,
            period,
            typo=n["typo"],
            formulation=n["formulation"],
            sensitive=n["sensitive"],
            links=n["links"],
            other=n["other"],
        )
        for (sid, period), n in sorted(counted.items())
    )

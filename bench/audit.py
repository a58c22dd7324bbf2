"""The audit of 100 sources over two years of posts (a post every weekday or so from each,
an hourly fetch of each for 30 days, findings on some posts), with the self-check
report as .xlsx; beside the plain version a first attempt would write, which scans
every post once per source and once per section.

    python -m bench.audit
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bench.common import START, Row, best
from hub import workbook
from hub.audit import Evidence, audit
from hub.audit.sheets import sheets
from hub.audited import FetchAttempt
from hub.config import Audit, Channel, Rule, Source
from hub.models import Finding, Post, Routed, SourceState, StoredPost

ZONE = ZoneInfo("Asia/Shanghai")
CHANNELS = 24
POSTS_PER_WEEK = 5


def county(sources: int, years: int, rng: random.Random) -> Evidence:
    listed = [
        Source(
            id=f"s{n}",
            name=f"单位{n}",
            unit=f"单位{n // 2}",  # every second unit runs two accounts
            platform="微信公众号" if n % 3 else "",
            feed=f"https://u{n}.example.gov.cn/feed.xml",
            column="notice" if n % 5 == 0 else "news",
        )
        for n in range(sources)
    ]
    channels = [
        Channel(
            slug=f"c{n}",
            title=f"栏目{n}",
            include=(Rule(keywords=(f"词{n}",)),),
            column="notice" if n % 4 == 0 else "news",
        )
        for n in range(CHANNELS)
    ]
    routed: list[Routed] = []
    findings: dict[str, tuple[Finding, ...]] = {}
    per_source = years * 52 * POSTS_PER_WEEK
    for source in listed:
        for n in range(per_source):
            when = START - timedelta(days=rng.uniform(0, 365 * years))
            post = Post(source.id, str(n), f"{source.url}/{n}", "标题", "", "正文", when)
            if rng.random() < 0.05:
                post = Post(source.id, str(n), f"{source.url}/{n}", "标题", "", "正文", None)
            stored = StoredPost(post, when, when)
            picked = tuple(f"c{k}" for k in rng.sample(range(CHANNELS), rng.randint(1, 2)))
            routed.append(Routed(stored, picked, {}))
            if rng.random() < 0.02:
                findings[post.id] = (Finding("typo", "x", "warning"),)
    fetches = [
        FetchAttempt(s.id, START - timedelta(hours=h), rng.random() > 0.02, rng.uniform(0.1, 20))
        for s in listed
        for h in range(24 * 30)
    ]
    states = {s.id: SourceState(s.id, last_fetch_at=START) for s in listed}
    return Evidence(listed, channels, routed, states, {}, fetches, findings)


def plain(evidence: Evidence, thresholds: Audit) -> dict[str, int | None]:
    """Days since the last dated item of each source and section, and failed fetches of
    each source, by scanning everything for each of them."""
    found: dict[str, int | None] = {}
    for source in evidence.sources:
        dates = [
            r.post.post.published
            for r in evidence.routed
            if r.post.post.source_id == source.id and r.post.post.published
        ]
        found[source.id] = (START - max(dates)).days if dates else None
        since = START - timedelta(days=thresholds.window_days)
        found[source.id + ":failed"] = sum(
            1
            for a in evidence.fetches
            if a.source_id == source.id and a.at > since and (not a.ok or a.seconds >= 15)
        )
    for channel in evidence.channels:
        dates = [
            r.post.post.published
            for r in evidence.routed
            if channel.slug in r.channels and r.post.post.published
        ]
        found[channel.slug] = (START - max(dates)).days if dates else None
    return found


def rows(repeat: int, sources: int = 100, years: int = 2) -> Sequence[Row]:
    evidence = county(sources, years, random.Random(14))
    thresholds = Audit()
    size = f"{sources} sources × {years} years ({len(evidence.routed):,} posts)"
    report, seconds = best(
        lambda: audit(evidence, thresholds=thresholds, zone=ZONE, now=START), repeat
    )
    expected, baseline = best(lambda: plain(evidence, thresholds), repeat)
    days = {a.source_id: a.freshness.days_since for a in report.sources if a.freshness}
    same = all(days[s.id] == expected[s.id] for s in evidence.sources)
    tables = sheets(report, evidence.sources, evidence.channels, thresholds, ZONE)
    data, writing = best(lambda: workbook.workbook("bench", tables, START), repeat)
    return [
        Row(f"audit, {size}", seconds, "s", f"{len(evidence.fetches):,} fetches"),
        Row(
            "  plain scans per source and section",
            baseline,
            "s",
            f"{baseline / seconds:.1f}x hub's time; same answers: {same}",
        ),
        Row(f"audit report .xlsx, {sources} sources", writing, "s", f"{len(data) / 1024:,.0f} KB"),
    ]


if __name__ == "__main__":
    for row in rows(1):
        print(f"{row.name:<50} {row.value:>10.3f} {row.unit:<4} {row.note}")

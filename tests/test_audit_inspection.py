"""The inspection indicators of the audit (`hub.audit.inspection`), on a fixture county
whose answer to each indicator is known: sections fresh, stale, undated, blank and
static; sources whose fetches fail, are slow, or fall outside the window; one unit's
two accounts on one platform; findings either side of a quarter's end in the site's
time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.audit import Evidence, audit
from hub.audited import AuditReport, Column, FetchAttempt
from hub.config import Audit, Channel, Source
from hub.models import Finding, FindingKind, Post, Routed, SourceState, StoredPost

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def stored(
    source: str, key: str, published: datetime | None, seen: datetime | None = None
) -> StoredPost:
    post = Post(source, key, f"https://example.org/{source}/{key}", key, "<p>x</p>", "x", published)
    first_seen = seen or published or NOW - timedelta(days=1)
    return StoredPost(post, first_seen, first_seen)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def channel(slug: str, column: Column = "news") -> Channel:
    return Channel(slug=slug, title=slug, fallback=True, column=column)


def source(
    sid: str, name: str, unit: str = "", platform: str = "", column: Column = "news"
) -> Source:
    return Source(
        id=sid,
        name=name,
        feed=f"https://{sid}.example.org/feed",
        unit=unit,
        platform=platform,
        column=column,
    )


# Sections, with the days since their last dated item (None: undated posts only; a
# blank section has none at all), and what each is by the national rules.
SECTIONS: dict[str, tuple[Column, Sequence[float | None]]] = {
    "fresh": ("news", (3, 40)),
    "old-20": ("news", (20,)),  # stale
    "old-15": ("news", (15, 16)),  # stale: more than 14 days
    "undated": ("news", (None, None)),  # stale: an item without a date is no update
    "edge-14": ("news", (14,)),  # exactly two weeks: not stale; stale by a 10-day rule
    "old-30": ("news", (30,)),  # stale
    "notice-100": ("notice", (100,)),  # within 6 months
    "notice-200": ("notice", (200,)),  # stale
    "blank-1": ("news", ()),
    "blank-2": ("news", ()),
    "blank-3": ("notice", ()),
    "static-blank": ("static", ()),  # blank, but no pace is asked of it
    "static-old": ("static", (400,)),  # never stale
    "blank-4": ("news", ()),
}


def county() -> tuple[Evidence, list[Routed]]:
    routed: list[Routed] = []
    for slug, (_, ages) in SECTIONS.items():
        for n, age in enumerate(ages):
            post = stored("edu", f"{slug}-{n}", None if age is None else ago(age))
            routed.append(Routed(post, (slug,), {}))
    # the department's posts with findings, either side of 1 April in Beijing time
    march = stored("edu", "march", datetime(2026, 3, 31, 15, 0, tzinfo=UTC))  # 23:00 local
    april = stored("edu", "april", datetime(2026, 3, 31, 16, 30, tzinfo=UTC))  # 00:30 local
    notices = stored("notices", "n", ago(100))
    undated = stored("weibo", "w", None)
    routed += [Routed(p, ("fresh",), {}) for p in (march, april, notices, undated)]
    findings: dict[str, Sequence[Finding]] = {
        march.post.id: (finding("typo"), finding("sensitive")),
        april.post.id: (finding("dead-link"), finding("protected"), finding("garbled")),
    }
    sources = [
        source("edu", "教育局", "县教育局", "微信公众号"),
        source("notices", "教育局通知", "县教育局", "微信公众号", column="notice"),
        source("weibo", "教育局微博", "县教育局", "微博"),
        source("quiet", "空账号"),  # fetched, never posted
        source("unborn", "新账号"),  # never fetched
    ]
    states = {
        sid: SourceState(sid, last_fetch_at=ago(0.1))
        for sid in ("edu", "notices", "weibo", "quiet")
    }
    fetches = [
        *(FetchAttempt("edu", ago(n / 20), ok=n >= 5, seconds=1.0) for n in range(100)),
        *(
            FetchAttempt("notices", ago(n / 20), ok=True, seconds=15.0 if n < 4 else 2.0)
            for n in range(99)
        ),
        FetchAttempt("notices", ago(1), ok=True, seconds=14.9),
        *(FetchAttempt("notices", ago(8), ok=False, seconds=0.0) for _ in range(20)),  # too old
        FetchAttempt("notices", NOW + timedelta(hours=1), ok=False, seconds=0.0),  # not yet
    ]
    channels = [channel(slug, column) for slug, (column, _) in SECTIONS.items()]
    evidence = Evidence(sources, channels, routed, states, {}, fetches, findings)
    return evidence, routed


def run(evidence: Evidence, **thresholds: int) -> AuditReport:
    return audit(evidence, thresholds=Audit(**thresholds), zone=ZONE, now=NOW)


def finding(kind: FindingKind) -> Finding:
    return Finding(kind, "x", "warning")


def test_each_section_is_fresh_stale_or_blank_by_its_column_type() -> None:
    report = run(county()[0])
    found = {s.slug: s.freshness for s in report.sections}
    assert [slug for slug, f in found.items() if f.stale] == [
        "old-20",
        "old-15",
        "undated",
        "old-30",
        "notice-200",
    ]
    assert [slug for slug, f in found.items() if f.blank] == [
        "blank-1",
        "blank-2",
        "blank-3",
        "static-blank",
        "blank-4",
    ]
    assert (found["fresh"].days_since, found["fresh"].limit) == (3, 14)
    assert found["undated"].days_since is None and found["undated"].posts == 2
    assert (found["notice-200"].days_since, found["notice-200"].limit) == (200, 183)
    assert found["static-old"].limit == 0 and not found["static-old"].stale


def test_the_veto_counts_against_their_lines() -> None:
    vetoes = {v.item: v for v in run(county()[0]).vetoes}
    assert (vetoes["stale"].found, vetoes["stale"].line, vetoes["stale"].vetoed) == (5, 5, True)
    assert (vetoes["blank"].found, vetoes["blank"].vetoed) == (5, True)  # the static one too
    # stale or blank among the columns that should be updated: 5 + 4
    assert (vetoes["long-stale"].found, vetoes["long-stale"].line) == (9, 10)
    assert not vetoes["long-stale"].vetoed
    assert not vetoes["home"].vetoed  # the portal had a dated item 3 days ago


def test_a_province_may_set_ten_days() -> None:
    vetoes = {v.item: v for v in run(county()[0], news_days=10).vetoes}
    assert vetoes["stale"].found == 6 and "edge-14" in vetoes["stale"].subjects
    assert (vetoes["long-stale"].found, vetoes["long-stale"].vetoed) == (10, True)


def test_availability_counts_failed_and_slow_fetches_in_the_window() -> None:
    report = run(county()[0])
    found = {s.source_id: s for s in report.sources}
    assert (found["edu"].fetches, found["edu"].failed) == (100, 5)
    assert found["edu"].unavailable == 0.05  # at the line: vetoed
    # 4 at 15 s count, 14.9 s does not; fetches 8 days ago and in the future are outside
    assert (found["notices"].fetches, found["notices"].failed) == (100, 4)
    assert found["weibo"].fetches == 0 and found["weibo"].unavailable == 0
    vetoes = {v.item: v for v in report.vetoes}
    assert vetoes["unavailable"].subjects == ("edu",)
    assert run(county()[0], slow=14).vetoes[4].subjects == ("edu", "notices")


def test_accounts_stale_by_their_own_column_and_dated_items_only() -> None:
    report = run(county()[0])
    found = {s.source_id: s.freshness for s in report.sources}
    edu, notices, weibo = found["edu"], found["notices"], found["weibo"]
    assert edu is not None and edu.days_since == 3 and not edu.stale
    assert notices is not None and (notices.limit, notices.stale) == (183, False)
    assert weibo is not None and weibo.stale and weibo.days_since is None
    vetoes = {v.item: v for v in report.vetoes}
    # never posted though fetched: an account left blank; never fetched: not judged yet
    assert vetoes["account-stale"].subjects == ("weibo", "quiet")


def test_one_unit_with_two_accounts_on_one_platform() -> None:
    report = run(county()[0])
    assert [(d.unit, d.platform, d.sources) for d in report.duplicates] == [
        ("县教育局", "微信公众号", ("edu", "notices"))
    ]


def test_findings_are_counted_per_source_and_quarter_in_the_site_time_zone() -> None:
    tallies = run(county()[0]).findings
    assert [(t.source_id, t.quarter) for t in tallies] == [("edu", "2026Q1"), ("edu", "2026Q2")]
    first, second = tallies
    assert (first.typo, first.sensitive, first.total) == (1, 1, 2)
    assert (second.links, second.formulation, second.other, second.total) == (1, 1, 1, 3)


def test_a_portal_with_only_undated_items_fails_the_home_page_rule() -> None:
    evidence, routed = county()
    undated = [Routed(stored("edu", f"u{n}", None), r.channels, {}) for n, r in enumerate(routed)]
    evidence = Evidence(evidence.sources, evidence.channels, undated, evidence.states)
    report = run(evidence)
    assert report.portal is not None and report.portal.stale
    assert next(v for v in report.vetoes if v.item == "home").vetoed

"""Dates a reviewer should see (伪造发稿日期 is a single-veto item of the inspections). Pure.

- **future-date**: dated later than hub first saw the post, by more than
  `checks.dates.future` (a CMS dating a notice ahead keeps it on top of its list).
- **backdated**: dated earlier than hub first saw it by more than `checks.dates.backdated`,
  on a source whose posts usually appear within `checks.dates.timely` of their date
  (`Timing.usual_delay`, the median), and not found in the source's first crawls
  (those are its back catalogue, old by nature).
- **date-changed**: the date differs by a day or more from the one the source gave when
  hub first stored the post (a day-only date made precise, 00:00 becoming 09:30, is not
  a change).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.config import DateChecks
from hub.models import Finding, FindingKind, Severity, StoredPost

BACK_CATALOGUE = timedelta(days=2)  # posts first seen this soon after a source's first
CHANGED = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Timing:
    """What a source's history says about its dates."""

    started: datetime  # when hub first stored a post of it
    usual_delay: timedelta | None  # median of first seen - published, over posts seen new


def timings(posts: Iterable[StoredPost]) -> dict[str, Timing]:
    """Per source, from its stored posts."""
    by_source: dict[str, list[StoredPost]] = {}
    for stored in posts:
        by_source.setdefault(stored.post.source_id, []).append(stored)
    found: dict[str, Timing] = {}
    for source_id, of_source in by_source.items():
        started = min(s.first_seen for s in of_source)
        fresh = [
            (s.first_seen - s.post.published).total_seconds()
            for s in of_source
            if s.post.published is not None and s.first_seen > started + BACK_CATALOGUE
        ]
        delay = timedelta(seconds=statistics.median(fresh)) if len(fresh) >= 5 else None
        found[source_id] = Timing(started, delay)
    return found


def check(
    stored: StoredPost,
    rules: DateChecks,
    timing: Timing | None,
    weight: Callable[[FindingKind], Severity],
    zone_day: Callable[[datetime], str],
) -> list[Finding]:
    published = stored.post.published
    if published is None:
        return []
    found: list[Finding] = []
    seen = stored.first_seen
    if published > seen + timedelta(seconds=rules.future):
        found.append(
            Finding(
                "future-date",
                zone_day(published),
                weight("future-date"),
                f"first seen {zone_day(seen)}: check the date",
                "date",
            )
        )
    elif (
        timing is not None
        and timing.usual_delay is not None
        and timing.usual_delay < timedelta(seconds=rules.timely)
        and seen > timing.started + BACK_CATALOGUE
        and published < seen - timedelta(seconds=rules.backdated)
    ):
        found.append(
            Finding(
                "backdated",
                zone_day(published),
                weight("backdated"),
                f"first seen {zone_day(seen)}, {(seen - published).days} days later",
                "date",
            )
        )
    first = stored.first_published
    if rules.changed and first is not None and abs(published - first) >= CHANGED:
        found.append(
            Finding(
                "date-changed",
                zone_day(published),
                weight("date-changed"),
                f"first published as {zone_day(first)}",
                "date",
            )
        )
    return found

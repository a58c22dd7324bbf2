"""The audit of a county's accounts: the consolidation's (`activity`: alive, dormant,
only reprints, merge candidates) and the inspection's (`inspection`: dated updates per
source and section, blank and stale sections, availability, one unit's accounts per
platform, findings per quarter); `sheets` lays the report out for an office to file.
Pure: an `Evidence` and the time in, an `AuditReport` out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from hub.audit import inspection
from hub.audit.activity import activity
from hub.audited import AuditReport, FetchAttempt
from hub.config import Audit, Channel, Source
from hub.models import Finding, Routed, SourceState, StoredPost

__all__ = ["Evidence", "audit"]


@dataclass(frozen=True)
class Evidence:
    """What the audit reads: the sources and sections of channels.yaml, the posts the
    portal shows (routed), what hub knows of each source, reprints (post id -> its
    cluster's canonical post), the fetches of each source's own address, and the
    content findings of the posts that have any."""

    sources: Sequence[Source]
    channels: Sequence[Channel]
    routed: Sequence[Routed]
    states: Mapping[str, SourceState]
    canonical_of: Mapping[str, str] = field(default_factory=dict)
    fetches: Sequence[FetchAttempt] = ()
    findings: Mapping[str, Sequence[Finding]] = field(default_factory=dict)


def audit(evidence: Evidence, *, thresholds: Audit, zone: tzinfo, now: datetime) -> AuditReport:
    posts = [r.post for r in evidence.routed]
    found, merges = activity(
        evidence.sources,
        posts,
        evidence.states,
        evidence.canonical_of,
        thresholds=thresholds,
        now=now,
    )
    by_source: dict[str, list[StoredPost]] = defaultdict(list)
    for stored in posts:
        by_source[stored.post.source_id].append(stored)
    reached = inspection.availability(evidence.fetches, thresholds, now)
    columns = {s.id: s.column for s in evidence.sources}
    accounts = tuple(
        replace(
            a,
            freshness=inspection.freshness(
                by_source.get(a.source_id, []), columns[a.source_id], thresholds, now
            ),
            fetches=reached.get(a.source_id, (0, 0))[0],
            failed=reached.get(a.source_id, (0, 0))[1],
        )
        for a in found
    )
    sections = inspection.sections(
        evidence.channels, ((r.post, r.channels) for r in evidence.routed), thresholds, now
    )
    portal = inspection.freshness(posts, "news", thresholds, now)
    return AuditReport(
        accounts,
        merges,
        sections=sections,
        portal=portal,
        vetoes=inspection.vetoes(sections, portal, accounts, thresholds),
        duplicates=inspection.duplicates(evidence.sources),
        findings=inspection.tallies(posts, evidence.findings, zone),
    )

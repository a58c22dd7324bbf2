"""The consolidation audit: which accounts are alive, which are dormant, which only
reprint another's notices, which publish the same as another.

This is the review that starts a consolidation (in one county, 84 accounts audited, 62
merged): a dormant account is one with no post for more than `audit.dormant_days` (the
inspection rule for government new media is two weeks); an account most of whose
posts are other departments' notices has nothing of its own to keep; two accounts
that share most notices can become one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import combinations

from hub.audited import AuditState, MergeCandidate, SourceAudit
from hub.config import Audit, Source
from hub.models import SourceState, StoredPost

WINDOWS = (30, 90, 180)  # days
MIN_SHARED = 3  # fewer posts in common is coincidence, not a reason to merge


def activity(
    sources: Sequence[Source],
    posts: Sequence[StoredPost],
    states: Mapping[str, SourceState],
    canonical_of: Mapping[str, str],
    *,
    thresholds: Audit,
    now: datetime,
) -> tuple[tuple[SourceAudit, ...], tuple[MergeCandidate, ...]]:
    """Each source's activity, and the merge candidates. `canonical_of`: post id -> its
    reprint cluster's canonical post id (for posts published more than once), as
    `reprints.clusters` gives it."""
    by_source: dict[str, list[StoredPost]] = defaultdict(list)
    for stored in posts:
        by_source[stored.post.source_id].append(stored)
    source_of = {stored.post.id: stored.post.source_id for stored in posts}
    origins = _reprinted_origins(posts, canonical_of, source_of)
    found = tuple(
        _one(
            s,
            by_source.get(s.id, []),
            states.get(s.id),
            origins.get(s.id),
            thresholds=thresholds,
            now=now,
        )
        for s in sources
    )
    return found, _merges(found, canonical_of, source_of, thresholds)


def _reprinted_origins(
    posts: Sequence[StoredPost], canonical_of: Mapping[str, str], source_of: Mapping[str, str]
) -> dict[str, Counter[str]]:
    """Per source: whose notices it reprinted, and how many."""
    origins: dict[str, Counter[str]] = defaultdict(Counter)
    for stored in posts:
        own = stored.post.source_id
        canonical = canonical_of.get(stored.post.id)
        if canonical is not None and source_of.get(canonical, own) != own:
            origins[own][source_of[canonical]] += 1
    return origins


def _one(
    source: Source,
    posts: Sequence[StoredPost],
    state: SourceState | None,
    origins: Counter[str] | None,
    *,
    thresholds: Audit,
    now: datetime,
) -> SourceAudit:
    last = max((p.date for p in posts), default=None)
    days_since = (now - last).days if last is not None else None
    counts = [sum(1 for p in posts if p.date > now - timedelta(days=d)) for d in WINDOWS]
    origins = origins or Counter()
    return SourceAudit(
        source_id=source.id,
        state=_state(state, days_since, counts[1], thresholds),
        posts=len(posts),
        posts_30=counts[0],
        posts_90=counts[1],
        posts_180=counts[2],
        last_post=last,
        days_since=days_since,
        reprints=sum(origins.values()),
        reprints_of=origins.most_common(1)[0][0] if origins else "",
    )


def _state(
    state: SourceState | None, days_since: int | None, posts_90: int, thresholds: Audit
) -> AuditState:
    """A fetch problem first (it may be why nothing is new), then activity."""
    health = state.health if state is not None else "new"
    if health in ("gone", "failing"):
        return health
    if health == "new" and days_since is None:
        return "new"
    if days_since is None or days_since > thresholds.dormant_days:
        return "dormant"
    return "low-activity" if posts_90 < thresholds.low_activity else "active"


def _merges(
    found: Sequence[SourceAudit],
    canonical_of: Mapping[str, str],
    source_of: Mapping[str, str],
    thresholds: Audit,
) -> tuple[MergeCandidate, ...]:
    merges = [
        MergeCandidate(s.source_id, s.reprints_of, "only-reprints", s.reprint_share, s.reprints)
        for s in found
        if s.reprints >= MIN_SHARED and s.reprint_share >= thresholds.reprint_share
    ]
    counted = {s.source_id: s.posts for s in found}
    taken = {(m.source_id, m.into) for m in merges} | {(m.into, m.source_id) for m in merges}
    for (a, b), shared in sorted(_shared(canonical_of, source_of).items()):
        smaller, larger = sorted((a, b), key=lambda sid: (counted.get(sid, 0), sid))
        share = shared / max(1, counted.get(smaller, 0))
        if shared >= MIN_SHARED and share >= thresholds.overlap and (a, b) not in taken:
            merges.append(MergeCandidate(smaller, larger, "overlap", share, shared))
    return tuple(sorted(merges, key=lambda m: (-m.share, m.source_id, m.into)))


def _shared(
    canonical_of: Mapping[str, str], source_of: Mapping[str, str]
) -> Counter[tuple[str, str]]:
    """Pairs of sources, and how many reprint clusters have posts of both."""
    clusters: dict[str, set[str]] = defaultdict(set)
    for pid, canonical in canonical_of.items():
        if pid in source_of:
            clusters[canonical].add(source_of[pid])
    shared: Counter[tuple[str, str]] = Counter()
    for members in clusters.values():
        for pair in combinations(sorted(members), 2):
            shared[pair] += 1
    return shared

"""The stored posts routed with the rules on disk and the desk's decisions, and sorted by
review: what the portal would show now. Shared by publishing, the desk, the editors'
questions and `hub check`, without the portal's machinery."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from hub.config import Config
from hub.decisions import Decision, Policy
from hub.models import Routed, StoredPost
from hub.pipeline import checking, trace
from hub.route import Router
from hub.route.review import Gate, gate

if TYPE_CHECKING:
    from hub.store import Store


def router(config: Config, decisions: Mapping[str, Decision] | None = None) -> Router:
    return Router(config.channels, config.sources, config.site.zone, config.overrides, decisions)


def policies(config: Config) -> dict[str, Policy]:
    return {c.slug: c.review for c in config.channels}


def settle(
    config: Config,
    store: Store,
    now: datetime,
    live: Mapping[str, Collection[str]] | None = None,
    decisions: Mapping[str, Decision] | None = None,
    *,
    published_at: datetime | None = None,
    keep: bool = False,
) -> Gate:
    """Every stored post of a configured source routed with the current rules and the
    desk's decisions, sorted by review (`hub.route.review`). Posts hidden by an
    override or the desk, or withdrawn upstream where that hides them, are left out.
    `live`: the posts the portal shows now, with their channels there, as published at
    `published_at` (the last publish's, when not given). `keep`: keep the findings of
    posts checked anew in the store (a publish)."""
    if decisions is None:
        decisions = store.desk.decisions()
    if live is None:
        last = trace.load(config.data_dir)
        live, published_at = last.placements, last.published_at
    configured = {s.id for s in config.sources if not s.services}
    hide_removed = {s.id for s in config.sources if not s.keep_removed}
    posts = [
        p
        for p in store.posts()
        if p.post.source_id in configured and not (p.removed and p.post.source_id in hide_removed)
    ]
    found = checking.findings_of(config, posts, store, keep=keep, edits=decisions)
    routed = router(config, decisions).route_all(posts, now)
    gated = gate(
        routed,
        policies(config),
        decisions,
        live,
        lambda post: checking.holding(config, found.get(post.id, ())),
        published_at=published_at,
    )
    gated.findings = found
    return gated


def services(
    config: Config,
    store: Store,
    now: datetime,
    decisions: Mapping[str, Decision] | None = None,
) -> list[StoredPost]:
    """The services of the catalogues (`kind: services`) the portal lists: each one
    its catalogue still lists and the desk has not taken down, under the name an
    editor gave it."""
    catalogues = {s.id for s in config.catalogues}
    if not catalogues:
        return []
    if decisions is None:
        decisions = store.desk.decisions()
    shown = []
    for stored in store.posts():
        if stored.post.source_id not in catalogues or stored.removed:
            continue
        decision = decisions.get(stored.post.id)
        if decision is not None and decision.hidden(now):
            continue
        if decision is not None and decision.title:
            shown.append(replace(stored, post=replace(stored.post, title=decision.title)))
        else:
            shown.append(stored)
    return shown


def route(config: Config, store: Store, now: datetime) -> list[Routed]:
    """What the portal shows: the posts routing placed and review lets through."""
    return settle(config, store, now).shown


def due(decisions: Iterable[Decision], since: datetime, now: datetime) -> bool:
    """Whether a timed decision (publish at, take down at, a pin's end) fell due after
    `since` and by `now`: the portal must be published again."""
    return any(since < moment <= now for d in decisions for moment in d.moments())


def channel_counts(config: Config, routed: Sequence[Routed]) -> dict[str, int]:
    counts = {c.slug: 0 for c in config.channels}
    for r in routed:
        for slug in r.channels:
            counts[slug] += 1
    return counts

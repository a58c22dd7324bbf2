"""The stored posts routed with the rules on disk: what the portal would show now. Shared
by publishing, the editors' questions and `hub check`, without the portal's machinery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from hub.config import Config
from hub.models import Routed
from hub.route import Router

if TYPE_CHECKING:
    from hub.store import Store


def router(config: Config) -> Router:
    return Router(config.channels, config.sources, config.site.zone, config.overrides)


def route(config: Config, store: Store, now: datetime) -> list[Routed]:
    """Every stored post of a configured source, routed with the current rules; posts
    hidden by an override, or withdrawn upstream where that hides them, are left out."""
    configured = {s.id for s in config.sources}
    hide_removed = {s.id for s in config.sources if not s.keep_removed}
    routed = router(config).route_all(
        (
            p
            for p in store.posts()
            if p.post.source_id in configured
            and not (p.removed and p.post.source_id in hide_removed)
        ),
        now,
    )
    return [r for r in routed if not r.hidden]


def channel_counts(config: Config, routed: Sequence[Routed]) -> dict[str, int]:
    counts = {c.slug: 0 for c in config.channels}
    for r in routed:
        for slug in r.channels:
            counts[slug] += 1
    return counts

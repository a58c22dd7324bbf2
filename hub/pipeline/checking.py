"""Content checks over stored posts, as publishing, the desk and the audit ask for them:
each post's findings, and whether they hold it for review (`checks.hold`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hub import checks
from hub.config import Config
from hub.models import SEVERITIES, Finding, StoredPost


def findings_of(config: Config, posts: Iterable[StoredPost]) -> dict[str, tuple[Finding, ...]]:
    """Post id -> its findings, for the posts that have any."""
    found: dict[str, tuple[Finding, ...]] = {}
    for stored in posts:
        if result := checks.findings(stored.post, config.checks.weight):
            found[stored.post.id] = result
    return found


def holding(config: Config, found: Sequence[Finding]) -> tuple[Finding, ...]:
    """The findings that hold a post for review where the policy is `flagged`."""
    least = SEVERITIES.index(config.checks.hold)
    return tuple(f for f in found if SEVERITIES.index(f.severity) >= least)

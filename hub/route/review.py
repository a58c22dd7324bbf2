"""先审后发: which routed posts the portal may show, and which wait for a reviewer. Pure.

A post is under the strictest review policy of the channels it enters: `all` holds every
post back until a reviewer approves it; `flagged` holds back the posts with content
findings of the severity `checks.hold` names (`hub.checks`); `none` holds back nothing.
An approval is of one version of a post: when the source changes the post, it is
reviewed again if its policy asks. A rejected post stays off the portal until a
reviewer approves it.

The channels a post enters are those the rules (and channels.yaml) give it and those
an editor adds: taking a post out of a channel on the desk does not take it out of that
channel's review. An approval covers the editor's title and summary too: an edit after
it is reviewed again (`Decision.version`).

A post that the live portal already shows in a channel whose policy was made stricter,
with no review on record, is not pulled: it is approved on the spot on hub's behalf,
and the desk's log says so. Pulling every post a policy change touches would empty
columns, which inspections fail. A live post that *moves* into a stricter channel (a
new rule, an editor's add), or that its source changed since the portal was last
published, is reviewed like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub.decisions import POLICIES, Decision, Policy
from hub.models import Finding, Post, Routed

Findings = Callable[[Post], Sequence[Finding]]  # those that hold a post


@dataclass
class Gate:
    """The routed posts sorted by what review makes of them."""

    shown: list[Routed] = field(default_factory=list)
    waiting: list[Routed] = field(default_factory=list)  # not shown until approved
    new_waiting: list[Routed] = field(default_factory=list)  # of those, not yet marked
    rejected: list[Routed] = field(default_factory=list)
    grandfathered: list[Routed] = field(default_factory=list)  # shown, approved on the spot
    released: list[str] = field(default_factory=list)  # marked waiting, now needing none
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)  # by post id


def policy(channels: Iterable[str], policies: Mapping[str, Policy]) -> Policy:
    """The strictest policy of `channels`."""
    ranks = [POLICIES.index(policies.get(slug, "flagged")) for slug in channels]
    return POLICIES[max(ranks, default=0)]


def needs_review(
    routed: Routed,
    policies: Mapping[str, Policy],
    findings: Findings,
    channels: Iterable[str] | None = None,
) -> bool:
    """Whether the policies of the post's channels (the rules' and the editors', unless
    `channels` says which) hold it back."""
    entered = (*routed.channels, *routed.ruled) if channels is None else channels
    strictest = policy(entered, policies)
    return strictest == "all" or (strictest == "flagged" and bool(findings(routed.post.post)))


def gate(
    routed: Sequence[Routed],
    policies: Mapping[str, Policy],
    decisions: Mapping[str, Decision],
    live: Mapping[str, Collection[str]],
    findings: Findings,
    *,
    published_at: datetime | None = None,
) -> Gate:
    """Sort posts that routing did not hide. `live`: the posts the portal shows now,
    each with its channels there, as published at `published_at`."""
    result = Gate()
    for item in routed:
        if item.hidden:
            continue
        post = item.post.post
        decision = decisions.get(post.id)
        review = decision.review if decision is not None else ""
        same = decision is not None and decision.reviewed_hash == decision.version(post.hash)
        if review == "rejected":
            result.rejected.append(item)
        elif review == "approved" and same:
            result.shown.append(item)
        elif not needs_review(item, policies, findings):
            result.shown.append(item)
            if review == "waiting":
                result.released.append(post.id)
        elif review == "waiting":
            result.waiting.append(item)
        elif (
            # shown already in a channel whose policy became stricter: not pulled
            review == ""
            and post.id in live
            and not _changed_since(item, published_at)
            and needs_review(item, policies, findings, live[post.id])
        ):
            result.shown.append(item)
            result.grandfathered.append(item)
        else:  # never reviewed, or changed since its approval
            result.waiting.append(item)
            result.new_waiting.append(item)
    return result


def _changed_since(item: Routed, published_at: datetime | None) -> bool:
    changed = item.post.changed
    return changed is not None and (published_at is None or changed > published_at)

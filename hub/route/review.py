"""先审后发: which routed posts the portal may show, and which wait for a reviewer. Pure.

A post is under the strictest review policy of the channels it enters: `all` holds every
post back until a reviewer approves it; `flagged` holds back the posts with content
findings (`hub.checks`); `none` holds back nothing. An approval is of one version of
a post: when the source changes the post, it is reviewed again if its policy asks. A
rejected post stays off the portal until a reviewer approves it.

A post that the live portal already shows, with no review on record (its channel's
policy was made stricter, or the post moved into a stricter channel), is not pulled:
it is approved on the spot on hub's behalf, and the desk's log says so. Pulling every
post a policy change touches would empty columns, which inspections fail.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from hub.decisions import POLICIES, Decision, Policy
from hub.models import Post, Routed

Findings = Callable[[Post], Sequence[str]]


@dataclass
class Gate:
    """The routed posts sorted by what review makes of them."""

    shown: list[Routed] = field(default_factory=list)
    waiting: list[Routed] = field(default_factory=list)  # not shown until approved
    new_waiting: list[Routed] = field(default_factory=list)  # of those, not yet marked
    rejected: list[Routed] = field(default_factory=list)
    grandfathered: list[Routed] = field(default_factory=list)  # shown, approved on the spot
    released: list[str] = field(default_factory=list)  # marked waiting, now needing none


def policy(routed: Routed, policies: Mapping[str, Policy]) -> Policy:
    """The strictest policy of the channels the post enters."""
    ranks = [POLICIES.index(policies.get(slug, "flagged")) for slug in routed.channels]
    return POLICIES[max(ranks, default=0)]


def needs_review(routed: Routed, policies: Mapping[str, Policy], findings: Findings) -> bool:
    strictest = policy(routed, policies)
    return strictest == "all" or (strictest == "flagged" and bool(findings(routed.post.post)))


def gate(
    routed: Sequence[Routed],
    policies: Mapping[str, Policy],
    decisions: Mapping[str, Decision],
    live: Collection[str],
    findings: Findings,
) -> Gate:
    """Sort posts that routing did not hide. `live`: the ids the portal shows now."""
    result = Gate()
    for item in routed:
        if item.hidden:
            continue
        post = item.post.post
        decision = decisions.get(post.id)
        review = decision.review if decision is not None else ""
        same = decision is not None and decision.reviewed_hash == post.hash
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
        elif review == "" and post.id in live:
            result.shown.append(item)
            result.grandfathered.append(item)
        else:  # never reviewed, or changed since its approval
            result.waiting.append(item)
            result.new_waiting.append(item)
    return result

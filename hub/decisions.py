"""What editors decide on the desk, as frozen values: a post's review and placement, the
people who may decide, and the record of every decision. No behaviour beyond reading
a decision at a moment.

Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

Policy = Literal["none", "flagged", "all"]  # a channel's review policy (channels.yaml)
POLICIES: tuple[Policy, ...] = get_args(Policy)  # from the most to the least lenient
Review = Literal["waiting", "approved", "rejected"]
Role = Literal["editor", "reviewer", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)  # each may do what the ones before it may


def may(role: Role, needed: Role) -> bool:
    """Whether someone of `role` may do what needs `needed`."""
    return ROLES.index(role) >= ROLES.index(needed)


def version(post_hash: str, title: str = "", summary: str = "") -> str:
    if not title and not summary:
        return post_hash
    joined = "\x00".join((post_hash, title, summary)).encode()
    return hashlib.sha256(joined).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Decision:
    """The desk's decisions about one post. A post without one is as the rules place it."""

    post_id: str
    review: Review | Literal[""] = ""  # "" : never needed a review
    reviewed_hash: str = ""  # the content that was approved or rejected
    reviewed_by: str = ""
    reason: str = ""  # of a rejection
    taken_down: bool = False  # 撤稿: shown nowhere
    show_at: datetime | None = None  # 定时发布: not shown before
    hide_at: datetime | None = None  # 定时下线: not shown from
    pins: tuple[tuple[str, datetime | None], ...] = ()  # (channel, until or None: for good)
    add: tuple[str, ...] = ()  # channels it is placed in, whatever the rules say
    remove: tuple[str, ...] = ()  # channels it is taken out of
    title: str = ""  # the displayed title, when an editor changed it
    summary: str = ""  # the displayed summary, when an editor wrote one
    reprint_of: str = ""  # the post id it reprints (an editor's merge)
    not_reprint: bool = False  # an editor split it from a wrong merge

    def hidden(self, now: datetime) -> bool:
        """Off the portal at `now`: taken down, not yet due, or past its time."""
        return (
            self.taken_down
            or (self.show_at is not None and now < self.show_at)
            or (self.hide_at is not None and now >= self.hide_at)
        )

    def pinned(self, now: datetime) -> tuple[str, ...]:
        """The channels where it is pinned at `now`."""
        return tuple(slug for slug, until in self.pins if until is None or now < until)

    def version(self, post_hash: str) -> str:
        """What a reviewer approves: the post's content with the editor's title and
        summary, so that an edit after the approval is reviewed again."""
        return version(post_hash, self.title, self.summary)

    def moments(self) -> tuple[datetime, ...]:
        """When its place on the portal changes by itself: a publish is due then."""
        times = [self.show_at, self.hide_at, *(until for _, until in self.pins)]
        return tuple(t for t in times if t is not None)


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    disabled: bool = False
    password_hash: str = ""  # argon2id; never the password
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the desk's audit trail: who did what, when, to which post or channel,
    with the values before and after (JSON text) and the reason given."""

    id: int
    at: datetime
    user: str
    action: str
    post_id: str = ""
    channel: str = ""
    before: str = ""
    after: str = ""
    reason: str = ""
    address: str = ""  # the client's address, for logins and desk actions

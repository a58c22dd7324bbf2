"""What a crawl decides about a source, as pure functions of (state, outcome, now,
settings): its next state after a success or a failure (backoff, Retry-After, gone,
empty → layout-changed), its next poll, and the window in which a post it no longer
lists counts as withdrawn. No IO and no clock, so each rule is a row of a table test."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hub.errors import ErrorKind
from hub.models import SourceState

MAX_BACKOFF = timedelta(hours=24)
GONE_RECHECK = timedelta(days=7)  # a source that answered 410 is asked again weekly
KEPT_NOTES = 10  # of the last crawl's notes, kept with the source's state
CLOCK_SLACK = timedelta(minutes=5)  # clocks corrected by NTP move by less than this


@dataclass(frozen=True)
class Pace:
    """How often a source is polled: its interval and the share of it that may be
    polled early (`schedule.jitter`)."""

    interval: timedelta
    jitter: float = 0.0


@dataclass(frozen=True)
class Success:
    """What one successful crawl of a source found."""

    not_modified: bool  # the conditional GET answered 304
    headers: Mapping[str, str]  # of the response the posts came from (lower-case names)
    feed_url: str  # the feed autodiscovery found, or ""
    new: int  # posts stored for the first time
    notes: tuple[str, ...] = ()  # what the parse stage left out or cut
    shrunk: int = 0  # a catalogue's: whole listings in a row that lacked too many services


@dataclass(frozen=True)
class Failure:
    """Why one crawl of a source failed."""

    kind: ErrorKind
    message: str
    retry_after: float | None = None  # seconds the server asked for (429, 503)


def after_success(state: SourceState, found: Success, now: datetime, pace: Pace) -> SourceState:
    """The state after a successful crawl: validators kept for the next conditional
    GET (a 304 keeps the previous ones), failures forgotten, the next poll set."""
    fresh = not found.not_modified  # a 304 carries no new validators
    return replace(
        state,
        etag=found.headers.get("etag", "") if fresh else state.etag,
        last_modified=found.headers.get("last-modified", "") if fresh else state.last_modified,
        feed_url=found.feed_url,
        failures=0,
        error_kind="",
        last_error="",
        last_fetch_at=now,
        last_ok_at=now,
        last_new_post_at=now if found.new else state.last_new_post_at,
        next_fetch_at=now + polled_after(state.source_id, now, pace),
        notes=state.notes if found.not_modified else "\n".join(found.notes[:KEPT_NOTES]),
        note_count=state.note_count if found.not_modified else len(found.notes),
        shrunk=found.shrunk,
    )


# A whole listing (a service catalogue's) that lacks a few of the items hub keeps from
# it has dropped them; one that lacks many has more likely failed in a way that answered
# 200 (a login page, a cut feed, a page from a cache): they are taken off only when
# WITHDRAW_AFTER whole listings in a row lack that many.
WITHDRAW_FEW = 2
WITHDRAW_SHARE = 0.1
WITHDRAW_MOST = 20  # taken off at once at most, however large the catalogue
WITHDRAW_AFTER = 3


def withdrawal(kept: int, listed: int, lacking: int, shrunk: int) -> tuple[bool, int, str]:
    """For a whole listing of `listed` items that lacks `lacking` of the `kept` ones
    hub shows: whether to take those off now, the source's next `shrunk`, and a note
    when they are held back."""
    if lacking == 0:
        return False, 0, ""
    if listed and (
        lacking <= max(WITHDRAW_FEW, min(kept * WITHDRAW_SHARE, WITHDRAW_MOST))
        or shrunk + 1 >= WITHDRAW_AFTER
    ):
        return True, 0, ""
    shrunk = shrunk + 1 if listed else shrunk  # nothing listed: never all gone
    return (
        False,
        shrunk,
        f"the catalogue lists {listed} services and lacks {lacking} of the {kept} shown: "
        f"none taken off unless it lacks them {WITHDRAW_AFTER} crawls in a row "
        f"({shrunk} so far)",
    )


def failure_kind(kind: ErrorKind, state: SourceState) -> ErrorKind:
    """A list page whose selectors find nothing has changed its layout when they found
    posts before; before any post, nothing says they ever matched."""
    return "layout-changed" if kind == "empty" and state.posts else kind


def after_failure(state: SourceState, failed: Failure, now: datetime, pace: Pace) -> SourceState:
    """The state after a failed crawl: one more failure in a row, and the next poll
    backed off (`backoff`)."""
    failures = state.failures + 1
    return replace(
        state,
        failures=failures,
        error_kind=failed.kind,
        last_error=(failed.message.splitlines() or [""])[0],
        last_fetch_at=now,
        next_fetch_at=now + backoff(failures, failed, pace),
    )


def backoff(failures: int, failed: Failure, pace: Pace) -> timedelta:
    """Exponential from the source's interval, capped at a day; longer when the server
    asked (Retry-After); a week for a source that is gone (410)."""
    if failed.kind == "gone":
        return GONE_RECHECK
    wait = min(pace.interval * (1 << min(failures - 1, 16)), MAX_BACKOFF)
    asked = failed.retry_after
    return max(wait, timedelta(seconds=asked)) if asked else wait


def polled_after(source_id: str, now: datetime, pace: Pace) -> timedelta:
    """The interval less a jitter that differs by source and by poll, so sources sharing
    an interval and a host drift apart. Drawn from the source and the time, not from a
    random generator: a crawl is repeatable."""
    seed = hashlib.blake2b(f"{source_id}@{now.isoformat()}".encode(), digest_size=4)
    fraction = int.from_bytes(seed.digest(), "big") / 2**32
    return pace.interval * (1 - pace.jitter * fraction)


def is_due(state: SourceState | None, now: datetime) -> bool:
    """Whether a source is to be polled now: its time has come, or the clock stepped back
    to before its last poll (then its next time, counted from a clock that was ahead,
    means nothing, and waiting for it would stall the source for as long as the step).
    A source backing off, or asked by its server to wait, is then asked once more, and
    waits again from the corrected clock."""
    if state is None or state.next_fetch_at is None or state.next_fetch_at <= now:
        return True
    return state.last_fetch_at is not None and now < state.last_fetch_at - CLOCK_SLACK


def feed_window(published: Iterable[datetime | None]) -> datetime | None:
    """From when a feed's listing is complete: its oldest dated item (feeds list newest
    first and pin nothing); a post of the source published since then that the feed no
    longer lists was withdrawn upstream. None, when no item is dated: no window."""
    dated = [p for p in published if p is not None]
    return min(dated) if dated else None


def page_window(published: list[datetime | None]) -> datetime | None:
    """From when a list page's listing is complete: the date of its last item, since a
    page may pin old items on top but ends where its coverage ends."""
    return published[-1] if published else None

"""The crawl's decisions about a source, as tables: the next state after a success or a
failure, the backoff, the jitter, and the window in which an unlisted post is withdrawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import ErrorKind
from hub.models import SourceState
from hub.pipeline.decide import (
    GONE_RECHECK,
    MAX_BACKOFF,
    Failure,
    Pace,
    Success,
    after_failure,
    after_success,
    backoff,
    failure_kind,
    feed_window,
    is_due,
    page_window,
    polled_after,
)

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
HOUR = Pace(timedelta(hours=1))
EARLIER = NOW - timedelta(days=3)
FAILING = SourceState(
    "s",
    etag='"old"',
    last_modified="Sun, 14 Jun 2026 00:00:00 GMT",
    failures=3,
    error_kind="timeout",
    last_error="no answer",
    last_new_post_at=EARLIER,
    posts=5,
)


@pytest.mark.parametrize(
    ("found", "etag", "last_modified", "new_post_at"),
    [
        (Success(False, {"etag": '"v2"'}, "", 2), '"v2"', "", NOW),  # new validators, new posts
        (Success(False, {"content-type": "text/xml"}, "", 0), "", "", EARLIER),  # none sent
        (Success(True, {"etag": '"ignored"'}, "", 0), '"old"', FAILING.last_modified, EARLIER),
    ],
    ids=["validators", "none", "304-keeps-old"],
)
def test_after_success(
    found: Success, etag: str, last_modified: str, new_post_at: datetime
) -> None:
    state = after_success(FAILING, found, NOW, HOUR)
    assert (state.etag, state.last_modified, state.last_new_post_at) == (
        etag,
        last_modified,
        new_post_at,
    )
    assert (state.failures, state.error_kind, state.last_error) == (0, "", "")
    assert state.last_fetch_at == state.last_ok_at == NOW
    assert state.next_fetch_at == NOW + timedelta(hours=1)  # no jitter in HOUR


def test_a_discovered_feed_is_remembered() -> None:
    state = after_success(
        SourceState("s"), Success(False, {}, "https://x.gov.cn/rss", 1), NOW, HOUR
    )
    assert state.feed_url == "https://x.gov.cn/rss"


@pytest.mark.parametrize(
    ("failures", "kind", "retry_after", "wait"),
    [
        (1, "network", None, timedelta(hours=1)),  # the interval
        (2, "timeout", None, timedelta(hours=2)),  # doubled
        (4, "http", None, timedelta(hours=8)),
        (6, "http", None, MAX_BACKOFF),  # 32 hours, capped at a day
        (60, "http", None, MAX_BACKOFF),  # no overflow however long it fails
        (1, "http", 7200.0, timedelta(hours=2)),  # the server asked for more
        (3, "http", 60.0, timedelta(hours=4)),  # it asked for less: backoff wins
        (1, "gone", None, GONE_RECHECK),
        (9, "gone", 60.0, GONE_RECHECK),
    ],
)
def test_backoff(
    failures: int, kind: ErrorKind, retry_after: float | None, wait: timedelta
) -> None:
    assert backoff(failures, Failure(kind, "m", retry_after), HOUR) == wait


def test_after_failure_counts_and_keeps_one_line() -> None:
    state = after_failure(FAILING, Failure("http", "HTTP 500\ntraceback"), NOW, HOUR)
    assert (state.failures, state.error_kind, state.last_error) == (4, "http", "HTTP 500")
    assert state.next_fetch_at == NOW + timedelta(hours=8)
    assert state.last_ok_at == FAILING.last_ok_at and state.etag == FAILING.etag


@pytest.mark.parametrize(
    ("kind", "posts", "decided"),
    [
        ("empty", 5, "layout-changed"),  # the selectors found posts before
        ("empty", 0, "empty"),  # they never did: nothing says they ever matched
        ("http", 5, "http"),
    ],
)
def test_failure_kind(kind: ErrorKind, posts: int, decided: ErrorKind) -> None:
    assert failure_kind(kind, SourceState("s", posts=posts)) == decided


def test_jitter_polls_early_by_a_share_that_differs_by_source_and_poll() -> None:
    pace = Pace(timedelta(hours=1), jitter=0.1)
    waits = {polled_after(s, NOW + timedelta(minutes=m), pace) for s in "abc" for m in range(3)}
    assert all(timedelta(minutes=54) <= w <= timedelta(hours=1) for w in waits)
    assert len(waits) == 9
    assert polled_after("a", NOW, pace) == polled_after("a", NOW, pace)  # repeatable


@pytest.mark.parametrize(
    ("next_fetch", "due"),
    [
        (None, True),
        (NOW - timedelta(seconds=1), True),
        (NOW, True),
        (NOW + timedelta(seconds=1), False),
    ],
)
def test_is_due(next_fetch: datetime | None, due: bool) -> None:
    assert is_due(SourceState("s", next_fetch_at=next_fetch), NOW) is due
    assert is_due(None, NOW)


D1, D2, D3 = (datetime(2026, 6, d, tzinfo=UTC) for d in (1, 2, 3))


@pytest.mark.parametrize(
    ("dates", "since"),
    [([D3, D2, D1], D1), ([D3, None, D2], D2), ([None, None], None), ([], None)],
)
def test_a_feed_covers_from_its_oldest_dated_item(
    dates: list[datetime | None], since: datetime | None
) -> None:
    assert feed_window(dates) == since


@pytest.mark.parametrize(
    ("dates", "since"),
    [
        ([D1, D3, D2], D2),  # a pinned old item on top: the page still ends at D2
        ([D3, D2, None], None),  # the last item undated: no window
        ([], None),
    ],
)
def test_a_list_page_covers_from_its_last_item(
    dates: list[datetime | None], since: datetime | None
) -> None:
    assert page_window(dates) == since


@pytest.mark.parametrize(
    ("step", "due"),
    [
        (timedelta(days=-30), True),  # the clock stepped back a month: poll, do not stall
        (timedelta(days=-1), True),
        (timedelta(minutes=-10), True),
        (timedelta(minutes=-1), False),  # NTP's small corrections change nothing
        (timedelta(minutes=30), False),  # an hour's interval is not over yet
    ],
)
def test_a_clock_stepped_back_does_not_stall_polling(step: timedelta, due: bool) -> None:
    """Issue 12: with the clock 30 days behind, `hub crawl --due` crawled nothing."""
    polled = SourceState("s", last_fetch_at=NOW, next_fetch_at=NOW + timedelta(hours=1))
    assert is_due(polled, NOW + step) is due

"""Leases on sources (hub.store.leases), on SQLite and on a real PostgreSQL, with the
clock an argument: claims take free and due sources once, a lease that runs out is
taken over, a holder whose lease was taken over writes nothing, renewals keep a lease."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub.models import Post, SourceState
from hub.pipeline.decide import CLOCK_SLACK, is_due
from hub.store import Due, Store
from tests.conftest import START
from tests.pgserver import Postgres, postgres_server  # noqa: F401 (the fixture)

MINUTE = timedelta(minutes=1)
IDS = [f"s{i:02d}" for i in range(12)]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.sqlite(tmp_path / "hub.db")
    else:
        server: Postgres = request.getfixturevalue("postgres")
        opened = Store(server.database(f"leases_{request.node.name[-12:-1]}"))
    yield opened
    opened.close()


def test_a_claim_takes_each_free_source_once(store: Store) -> None:
    first = store.leases.claim("a", IDS, now=START, duration=MINUTE, limit=5)
    second = store.leases.claim("b", IDS, now=START, duration=MINUTE, limit=100)
    taken_a = [lease.source_id for lease, _ in first]
    taken_b = [lease.source_id for lease, _ in second]
    assert len(taken_a) == 5
    assert sorted(taken_a + taken_b) == IDS
    assert store.leases.claim("c", IDS, now=START, duration=MINUTE, limit=100) == []
    assert {lease.holder for lease, _ in first} == {"a"}
    assert {lease.epoch for lease, _ in first + second} == {1}


def test_a_lease_that_runs_out_is_taken_over_and_fences_its_old_holder(store: Store) -> None:
    [(old, _)] = store.leases.claim("a", ["x"], now=START, duration=MINUTE, limit=1)
    assert store.leases.claim("b", ["x"], now=START + MINUTE / 2, duration=MINUTE, limit=1) == []
    later = START + MINUTE  # a's lease ends now: the source is free again
    [(new, _)] = store.leases.claim("b", ["x"], now=later, duration=MINUTE, limit=1)
    assert (new.holder, new.epoch) == ("b", old.epoch + 1)
    # a, who did not know, comes back with its result: it is not written
    stale = SourceState("x", etag="from a", last_fetch_at=START)
    assert not store.leases.finish(old, stale, now=later)
    assert store.state("x").etag == ""
    assert store.leases.renew([old], now=later, duration=MINUTE) == set()
    fresh = SourceState("x", etag="from b", last_fetch_at=later)
    assert store.leases.finish(new, fresh, now=later)
    assert store.state("x").etag == "from b"
    assert store.leases.leases()["x"].until is None
    assert not store.leases.finish(new, fresh, now=later)  # freed once only


def test_renewal_keeps_a_slow_source_from_being_taken(store: Store) -> None:
    [(lease, _)] = store.leases.claim("a", ["x"], now=START, duration=MINUTE, limit=1)
    moment = START
    for _ in range(5):  # five minutes of work, renewed every half minute
        moment += MINUTE / 2
        assert store.leases.renew([lease], now=moment, duration=MINUTE) == {"x"}
        assert store.leases.claim("b", ["x"], now=moment, duration=MINUTE, limit=1) == []
    assert store.leases.finish(lease, SourceState("x", etag="a"), now=moment)
    assert store.state("x").etag == "a"


def test_a_claim_takes_only_due_sources_as_is_due_judges_them(store: Store) -> None:
    at = START
    states = {
        "never": None,
        "due": SourceState("due", next_fetch_at=at - MINUTE, last_fetch_at=at - 60 * MINUTE),
        "now": SourceState("now", next_fetch_at=at, last_fetch_at=at - 60 * MINUTE),
        "later": SourceState("later", next_fetch_at=at + MINUTE, last_fetch_at=at - MINUTE),
        # the clock stepped back past the last fetch: due again (decide.is_due)
        "stepped": SourceState(
            "stepped", next_fetch_at=at + 90 * MINUTE, last_fetch_at=at + 30 * MINUTE
        ),
        "slack": SourceState("slack", next_fetch_at=at + 60 * MINUTE, last_fetch_at=at + MINUTE),
    }
    for state in states.values():
        if state is not None:
            store.record(state)
    due = Due(at, CLOCK_SLACK)
    claimed = store.leases.claim("a", list(states), now=at, duration=MINUTE, limit=99, due=due)
    assert {lease.source_id for lease, _ in claimed} == {
        sid for sid, state in states.items() if is_due(state, at)
    }
    assert {lease.source_id for lease, _ in claimed} == {"never", "due", "now", "stepped"}


def test_one_crawl_claims_a_source_once_however_often_it_is_freed(store: Store) -> None:
    [(lease, _)] = store.leases.claim("a", ["x", "y"], now=START, duration=MINUTE, limit=1)
    assert store.leases.finish(lease, None, now=START)
    since = START  # the crawl began then: x is done for it, y is still to do
    again = store.leases.claim("a", ["x", "y"], now=START, duration=MINUTE, limit=9, since=since)
    assert [lease.source_id for lease, _ in again] == ["y"]


def test_the_state_comes_with_the_lease(store: Store) -> None:
    store.record(SourceState("x", etag="e1", failures=2))
    store.save([_post("x")], START)
    [(_, state)] = store.leases.claim("a", ["x"], now=START, duration=MINUTE, limit=1)
    assert (state.etag, state.failures, state.posts) == ("e1", 2, 1)


def test_claimers_at_once_never_share_a_source(store: Store) -> None:
    """Eight threads claim one source at a time until none is left: each source is
    claimed by exactly one of them."""
    ids = [f"s{i:03d}" for i in range(80)]
    got: dict[str, list[str]] = {}

    def claimer(name: str) -> None:
        mine: list[str] = []
        while taken := store.leases.claim(name, ids, now=START, duration=MINUTE, limit=1):
            mine += [lease.source_id for lease, _ in taken]
        got[name] = mine

    threads = [threading.Thread(target=claimer, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [sid for mine in got.values() for sid in mine]
    assert sorted(claimed) == ids


def test_posts_saved_by_two_writers_at_once_are_stored_once(store: Store) -> None:
    posts = [_post("x", n) for n in range(40)]
    results: list[tuple[int, int]] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.save(posts, START))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(new for new, _ in results) == 40
    assert len({p.post.id for p in store.posts("x")}) == len(store.posts("x")) == 40


def _post(source_id: str, n: int = 0) -> Post:
    return Post(
        source_id=source_id,
        key=f"k{n}",
        url=f"http://127.0.0.1/{source_id}/{n}.html",
        title=f"通知 {n}",
        content_html="<p>正文</p>",
        text="正文",
        published=START,
    )

"""Several `hub crawl` processes sharing one real PostgreSQL split the demo county's
sources between them through leases: every source is fetched, none by two crawlers at
once, every post is stored once (the same posts one crawl on SQLite stores), and the
sources of a crawler killed with SIGKILL are crawled by another once its leases run
out; a crawler that renews its lease keeps a slow source from the others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hub import pipeline
from hub.config import Config
from hub.demo import CountyServer, World
from hub.store import Store
from tests.conftest import START, Clock, write_project
from tests.pgserver import Postgres, postgres_server  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parent.parent
LEASE = 2.0  # seconds: short, so that a dead crawler's sources come back soon


@dataclass
class Shared:
    """The demo county, a channels.yaml for it, and the PostgreSQL its crawlers share."""

    config: Config
    county: CountyServer
    url: str

    def crawler(self, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "HUB_STORE_URL": self.url,
            "SOURCE_DATE_EPOCH": str(int(START.timestamp())),
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "hub", "-c", str(self.config.path), "crawl", *args]
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def store(self) -> Store:
        return Store(self.url)

    def fetches(self) -> dict[str, int]:
        """How often the county was asked for each source's own address."""
        asked = {}
        for source in self.config.sources:
            parts = urlsplit(source.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            asked[source.id] = self.county.hits[target]
        return asked


@pytest.fixture
def shared(tmp_path: Path, county: CountyServer, postgres: Postgres) -> Iterator[Shared]:
    path = write_project(tmp_path, county)
    text = path.read_text(encoding="utf-8")
    text = text.replace("schedule:\n", f"schedule:\n  lease: {LEASE}s\n", 1)
    # answers held back by a test must not run past the deadline of their request
    path.write_text(text.replace("  timeout: 10s", "  timeout: 120s", 1), "utf-8")
    name = f"crawlers_{os.getpid()}_{tmp_path.name[-20:]}".replace("-", "_")
    yield Shared(pipeline.load(path), county, postgres.database(name))


Posts = list[tuple[str, str, str]]


def posts_of(store: Store) -> Posts:
    """Each stored post as (source, address path, title): the same whatever port the
    county listens on."""
    return sorted(
        (s.post.source_id, urlsplit(s.post.url).path, s.post.title) for s in store.posts()
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Posts:
    """The posts one crawl of the county stores on SQLite, at the same time."""
    folder = tmp_path_factory.mktemp("reference")
    with CountyServer(World(clock=Clock())) as county:
        config = pipeline.load(write_project(folder, county))
        store = pipeline.open_store(config)
        try:
            pipeline.crawl(config, store, START)
            return posts_of(store)
        finally:
            store.close()


def finished(process: subprocess.Popen[bytes], timeout: float = 300) -> str:
    _, err = process.communicate(timeout=timeout)
    said = err.decode()
    # a crawler whose share happened to be only the county's broken sources (a 500, a
    # 404) says that every source it crawled failed, with status 1
    assert process.returncode == 0 or "every one of the" in said, said
    return said


def until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def holders(store: Store) -> dict[str, set[str]]:
    """Holder -> the sources it holds a lease on now."""
    held: dict[str, set[str]] = {}
    for lease in store.leases.leases().values():
        if lease.until is not None:
            held.setdefault(lease.holder, set()).add(lease.source_id)
    return held


def test_three_crawlers_split_the_sources(shared: Shared, reference: Posts) -> None:
    ids = [source.id for source in shared.config.sources]
    shared.county.hold(*ids)  # every answer waits until each crawler has taken sources
    crawlers = [shared.crawler("--due") for _ in range(3)]
    store = shared.store()
    try:
        until(lambda: len(holders(store)) == 3)
        shared.county.release()
        for crawler in crawlers:
            finished(crawler)
        assert shared.fetches() == dict.fromkeys(ids, 1)  # each once: never two at once
        leases = store.leases.leases()
        assert {lease.epoch for lease in leases.values()} == {1}  # each claimed once
        assert len({lease.holder for lease in leases.values()}) == 3
        assert posts_of(store) == reference  # each post once, none missing
        crawled = {sid for sid, state in store.states().items() if state.last_fetch_at}
        assert crawled == set(ids)
    finally:
        shared.county.release()
        store.close()


def test_a_killed_crawlers_sources_are_crawled_once_its_leases_run_out(
    shared: Shared, reference: Posts
) -> None:
    ids = [source.id for source in shared.config.sources]
    shared.county.hold(*ids)
    store = shared.store()
    doomed = shared.crawler("--due")
    try:
        until(lambda: bool(holders(store)))
        until(lambda: sum(shared.county.hits.values()) > 0)  # it is in the middle of one
        time.sleep(0.2)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.communicate()
        [orphans] = holders(store).values()
        shared.county.release()
        assert orphans
        finished(shared.crawler("--due"))  # takes the others, and the orphans once free
        ends = [lease.until for lease in store.leases.leases().values() if lease.until]
        until(lambda: all(end <= store.leases.database_time() for end in ends))
        finished(shared.crawler("--due"))
        states = store.states()
        assert {sid for sid in ids if states[sid].last_fetch_at is not None} == set(ids)
        assert posts_of(store) == reference
        fetched = shared.fetches()
        assert {sid for sid in ids if fetched[sid] != 1} <= orphans  # asked again: killed
        assert all(fetched[sid] <= 2 for sid in orphans)
    finally:
        shared.county.release()
        store.close()


def test_a_renewed_lease_keeps_a_slow_source_from_the_others(shared: Shared) -> None:
    slow = shared.config.sources[0]
    shared.county.hold(slow.id)
    store = shared.store()
    first = shared.crawler("--due", "--source", slow.id)
    try:
        until(lambda: shared.fetches()[slow.id] == 1)
        second = shared.crawler("--due")  # runs whole, for several lease durations
        finished(second)
        time.sleep(LEASE)  # longer than the lease: only renewals keep it
        assert shared.fetches()[slow.id] == 1
        assert store.state(slow.id).last_fetch_at is None  # still under way
        shared.county.release()
        finished(first)
        assert shared.fetches()[slow.id] == 1
        assert store.state(slow.id).last_fetch_at == START
        assert store.leases.leases()[slow.id].epoch == 1
        others = [s.id for s in shared.config.sources if s.id != slow.id]
        assert all(store.state(sid).last_fetch_at == START for sid in others)
    finally:
        shared.county.release()
        store.close()

"""Shared fixtures: a controllable clock, the demo county on 127.0.0.1, a site crawled
from it once per session for the tests that only read the result, and the store of
every test in PostgreSQL when HUB_TEST_POSTGRES names a server (a fresh schema each)."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub import pipeline
from hub.config import Config
from hub.demo import CountyServer, World, channels_yaml, write_config
from hub.models import SEARCH_ENGINES, SearchEngine, SourceResult
from hub.store import Store

# 09:00 in the county (UTC+8) on a Monday in flood season.
START = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


# postgresql://user@127.0.0.1:PORT/db: every test's store is a fresh schema there
POSTGRES = os.environ.get("HUB_TEST_POSTGRES", "")
sqlite_only = pytest.mark.skipif(bool(POSTGRES), reason="about SQLite itself")


def _schema(name: str) -> str:
    """A new schema in the test server; the URL whose connections work in it alone."""
    import psycopg  # noqa: PLC0415 (only for the PostgreSQL pass)

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    joiner = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{joiner}options=-csearch_path%3D{name}"


def _drop(name: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute("SET lock_timeout = '5s'")
        try:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')
        except psycopg.errors.LockNotAvailable:  # a process of the test still holds it
            logging.getLogger(__name__).warning("schema %s left behind", name)


@pytest.fixture(scope="session", autouse=True)
def _no_store_url() -> Iterator[None]:
    """Without HUB_TEST_POSTGRES, a developer's own HUB_STORE_URL is never a test's."""
    if not POSTGRES:
        os.environ.pop("HUB_STORE_URL", None)
    yield


_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
# the schema each of the tests' wider fixtures (a site crawled once per module or
# session) was made in, by fixture name: the tests that use one read its store
_WIDE_SCHEMAS: dict[str, str] = {}


@contextmanager
def _wide_schema(fixture: str, inherited: str = "") -> Iterator[None]:
    """Within, HUB_STORE_URL names a new schema that is `fixture`'s (or `inherited`, the
    schema of a wider fixture it reads): the tests that use that fixture work in it, if
    the fixture made a store there. Left to the throwaway server, which goes with the
    run."""
    if not POSTGRES:
        yield
        return
    before = os.environ.get("HUB_STORE_URL")
    url = inherited or _schema(f"w_{uuid.uuid4().hex[:12]}")
    os.environ["HUB_STORE_URL"] = _WIDE_SCHEMAS[fixture] = url
    try:
        yield
        if not inherited and not run_sql(Path(), _TABLES):  # no store (a browser): no site
            del _WIDE_SCHEMAS[fixture]
    finally:
        if before is None:
            os.environ.pop("HUB_STORE_URL", None)
        else:
            os.environ["HUB_STORE_URL"] = before


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Iterator[Any]:
    """A module's fixture wider than one test (a site crawled once for the module)
    makes its stores in a schema of its own. (This hook is not called for session
    fixtures, which belong to no folder: `crawled` asks for its schema itself.)"""
    if fixturedef.scope == "function" or fixturedef.argname.startswith("_"):
        return (yield)
    # one that reads a wider fixture's site (`crawled`) works in that fixture's schema
    inherited = [_WIDE_SCHEMAS[n] for n in fixturedef.argnames if n in _WIDE_SCHEMAS]
    # keyed by the definition, not the name: another module's `project` is not this one
    with _wide_schema(_key(fixturedef), inherited[0] if inherited else ""):
        return (yield)


def _key(fixturedef: pytest.FixtureDef[Any]) -> str:
    return f"{fixturedef.baseid}::{fixturedef.argname}"


@pytest.fixture(autouse=True)
def _test_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's stores in a schema of its own, through HUB_STORE_URL, which the
    processes it starts inherit; a test that reads a wider fixture's site (`crawled`)
    works in that fixture's schema."""
    if not POSTGRES:
        yield
        return
    used = request._pyfuncitem._fixtureinfo.name2fixturedefs  # the definitions it uses
    keys = [*request.fixturenames, *(_key(d[-1]) for d in used.values() if d)]
    shared = [_WIDE_SCHEMAS[k] for k in keys if k in _WIDE_SCHEMAS]
    if shared:
        monkeypatch.setenv("HUB_STORE_URL", shared[0])
        yield
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("HUB_STORE_URL", _schema(name))
    yield
    _drop(name)


def run_sql(database: Path, statement: str) -> list[tuple[Any, ...]]:
    """A statement run in the test's database (the SQLite file `database`, or the
    test's schema in PostgreSQL), committed; the rows it returned."""
    if POSTGRES:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(os.environ["HUB_STORE_URL"], autocommit=True) as connection:
            cursor = connection.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []
    with sqlite3.connect(database) as db:
        return list(db.execute(statement).fetchall())


def kept_bytes(config: Config) -> bytes:
    """Everything a site keeps: the files in data/ and, on PostgreSQL, every row of the
    test's schema as text."""
    kept = b"".join(p.read_bytes() for p in config.data_dir.rglob("*") if p.is_file())
    if POSTGRES:
        tables = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        for (table,) in run_sql(config.database, tables):
            rows = run_sql(config.database, f'SELECT t::text FROM "{table}" t')  # noqa: S608
            kept += "\n".join(row for (row,) in rows).encode()
    return kept


def lose_database(config: Config) -> None:
    """The site's database gone, as if its file were deleted or the server's database
    emptied (a fresh schema)."""
    if POSTGRES:
        schema = os.environ["HUB_STORE_URL"].rsplit("%3D", 1)[1]
        run_sql(config.database, f'DROP SCHEMA "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        return
    for file in config.data_dir.glob("hub.sqlite3*"):
        file.unlink()


def new_store(path: Path) -> Store:
    """A test's own store: the SQLite file `path`, or with HUB_TEST_POSTGRES the test's
    schema (the same one for every path: one test, one database)."""
    return Store(os.environ["HUB_STORE_URL"]) if POSTGRES else Store.sqlite(path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=SEARCH_ENGINES)
def search_engine(request: pytest.FixtureRequest) -> SearchEngine:
    """Each search engine in turn: the search tests run against both."""
    engine: SearchEngine = request.param
    return engine


@pytest.fixture
def county(clock: Clock) -> Iterator[CountyServer]:
    """The simulated county, on a free port of 127.0.0.1, following `clock`."""
    with CountyServer(World(clock=clock)) as server:
        yield server


def write_project(folder: Path, county: CountyServer) -> Path:
    """A channels.yaml for `county` in `folder`; returns its path."""
    return write_config(folder / "channels.yaml", channels_yaml(county.base_url))


@pytest.fixture
def project(tmp_path: Path, county: CountyServer) -> Config:
    return pipeline.load(write_project(tmp_path, county))


@dataclass
class Crawled:
    """The demo county crawled and published once, for read-only tests."""

    config: Config
    results: list[SourceResult]
    publish: pipeline.PublishResult
    clock: Clock


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    logging.getLogger("hub").setLevel(logging.WARNING)
    clock = Clock()
    folder = tmp_path_factory.mktemp("county")
    with _wide_schema("crawled"), CountyServer(World(clock=clock)) as server:
        config = pipeline.load(write_project(folder, server))
        store = pipeline.open_store(config)
        results = pipeline.crawl(config, store, clock())
        published = pipeline.publish(config, store, clock())
        store.close()
    yield Crawled(config, results, published, clock)


def reprinted_by(canonical_of: dict[str, str]) -> dict[str, list[str]]:
    """canonical post id -> the ids of its reprints."""
    copies: dict[str, list[str]] = {}
    for post_id, canonical in canonical_of.items():
        if post_id != canonical:
            copies.setdefault(canonical, []).append(post_id)
    return copies

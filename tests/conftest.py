"""Shared fixtures: a controllable clock, the demo county on 127.0.0.1, and a site
crawled from it once per session for the tests that only read the result."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.config import Config
from hub.demo import CountyServer, World, channels_yaml, write_config
from hub.models import SEARCH_ENGINES, SearchEngine, SourceResult

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
    with CountyServer(World(clock=clock)) as server:
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

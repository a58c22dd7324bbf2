"""What every benchmark shares: a row of the printed table, a timer, the demo's clock,
real prose."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
START = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # the demo county's fixed morning
T = TypeVar("T")


@dataclass
class Row:
    name: str
    value: float
    unit: str
    note: str = ""


@contextmanager
def quiet() -> Iterator[None]:
    """hub's warnings (the demo's two broken sources, the hostile items) kept out of the
    printed figures, and the level put back after: a benchmark run by the tests must not
    silence the logs that later tests read."""
    logger = logging.getLogger("hub")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def best(step: Callable[[], T], repeat: int) -> tuple[T, float]:
    """The result and the fastest time of `repeat` runs."""
    runs = [timed(step) for _ in range(max(1, repeat))]
    return runs[0][0], min(seconds for _, seconds in runs)


def prose() -> list[str]:
    """Paragraphs of real government prose from ../shared/data when it is there (read at
    run time, never copied), else the demo county's own posts."""
    reports = DATA / "government_work_reports.jsonl"
    if reports.is_file():
        lines = reports.read_text(encoding="utf-8").splitlines()
        return [
            p.strip()
            for line in lines
            for p in json.loads(line)["content"].split("\n")
            if len(p.strip()) > 80
        ]
    from hub.demo import SOURCES, World  # noqa: PLC0415 (only without ../shared)

    world = World(clock=lambda: START)
    return ["".join(post.paragraphs) for s in SOURCES for post in world.latest(s, 40)]

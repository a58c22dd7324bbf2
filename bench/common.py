"""What every benchmark shares: a row of the printed table, a timer, the demo's clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

START = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)  # the demo county's fixed morning
T = TypeVar("T")


@dataclass
class Row:
    name: str
    value: float
    unit: str
    note: str = ""


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def best(step: Callable[[], T], repeat: int) -> tuple[T, float]:
    """The result and the fastest time of `repeat` runs."""
    runs = [timed(step) for _ in range(max(1, repeat))]
    return runs[0][0], min(seconds for _, seconds in runs)

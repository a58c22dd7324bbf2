"""Worker processes: calls run in other processes, errors come back as themselves, and a
call over its time limit or one that kills its process costs only that call."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.errors import ParseError, WorkError
from hub.workers import Workers


def pid() -> int:
    return os.getpid()


def square(n: int) -> int:
    return n * n


def fail(message: str) -> None:
    raise ParseError(message, kind="empty")


def spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def unpicklable() -> object:
    return lambda: None


@pytest.fixture
def workers() -> Iterator[Workers]:
    with Workers(size=2) as running:
        yield running


def test_calls_run_in_other_processes(workers: Workers) -> None:
    async def go() -> tuple[list[int], set[int]]:
        squares = await asyncio.gather(*(workers.run(square, n, limit=30) for n in range(10)))
        pids = await asyncio.gather(*(workers.run(pid, limit=30) for _ in range(6)))
        return list(squares), set(pids)

    squares, pids = asyncio.run(go())
    assert squares == [n * n for n in range(10)]
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_an_error_comes_back_as_itself(workers: Workers) -> None:
    with pytest.raises(ParseError, match="nothing here") as caught:
        asyncio.run(workers.run(fail, "nothing here", limit=30))
    assert caught.value.kind == "empty"
    assert asyncio.run(workers.run(square, 3, limit=30)) == 9  # the child is still good


def test_a_call_over_its_limit_costs_only_itself(workers: Workers) -> None:
    async def go() -> list[object]:
        return await asyncio.gather(
            workers.run(spin, 60, limit=0.5),
            workers.run(spin, 0.1, limit=30),
            return_exceptions=True,
        )

    started = time.monotonic()
    over, fine = asyncio.run(go())
    assert isinstance(over, WorkError) and over.over_time and "0.5s" in str(over)
    assert fine == "done"
    assert time.monotonic() - started < 30  # the spinning child was killed, not waited for
    assert asyncio.run(workers.run(square, 4, limit=30)) == 16  # and replaced


def test_a_child_that_dies_is_replaced(workers: Workers) -> None:
    with pytest.raises(WorkError, match="died"):
        asyncio.run(workers.run(die, limit=30))
    assert asyncio.run(workers.run(square, 5, limit=30)) == 25


def test_a_value_that_cannot_travel_is_an_error(workers: Workers) -> None:
    with pytest.raises(WorkError, match="pickle"):
        asyncio.run(workers.run(unpicklable, limit=30))
    assert asyncio.run(workers.run(square, 6, limit=30)) == 36


def test_one_set_serves_one_event_loop_after_another(workers: Workers) -> None:
    for n in range(3):
        assert asyncio.run(workers.run(square, n, limit=30)) == n * n


def test_closing_stops_every_child() -> None:
    workers = Workers(size=2)
    workers.start()
    pids = {asyncio.run(workers.run(pid, limit=30)) for _ in range(4)}
    workers.close()
    for child in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)


SCRIPT = """
import asyncio, os
from hub.workers import Workers
print("ran", flush=True)
workers = Workers(size=1)
child = asyncio.run(workers.run(os.getpid, limit=60))
workers.close()
print("elsewhere" if child != os.getpid() else "here", flush=True)
"""


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_child_never_runs_the_parents_main_again(tmp_path: Path, how: str) -> None:
    # multiprocessing's spawn and forkserver run the parent's __main__ again in each
    # child: a script without a main guard would start its work once per child, and a
    # script read from stdin would kill every child at birth.
    script = tmp_path / "script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    command = [sys.executable, str(script)] if how == "file" else [sys.executable, "-"]
    result = subprocess.run(
        command,
        input=None if how == "file" else SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "ran\nelsewhere\n"), result.stderr


def test_closing_while_a_call_runs_ends_it_and_every_child() -> None:
    """Ctrl-C during `hub run` closes the workers while an item is still being read."""
    workers = Workers(size=2)
    workers.start()
    pids = [asyncio.run(workers.run(pid, limit=30)) for _ in range(2)]

    async def slow() -> object:
        return await asyncio.gather(workers.run(spin, 60, limit=1), return_exceptions=True)

    import threading  # noqa: PLC0415

    outcome: list[object] = []
    caller = threading.Thread(target=lambda: outcome.extend(asyncio.run(slow())))
    caller.start()
    time.sleep(0.3)
    workers.close()  # the call is cut at its limit; close waits for it, then ends the rest
    caller.join(30)
    assert outcome and isinstance(outcome[0], WorkError), outcome
    for child in set(pids) | set(workers.pids):
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)


def test_a_module_in_the_working_folder_does_not_stand_in_for_a_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nh3.py").write_text("raise SystemExit('the wrong nh3')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with Workers(size=1, preload=["hub.parse.read"]) as workers:
        assert asyncio.run(workers.run(square, 7, limit=60)) == 49


def hog(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def abort() -> None:
    os.abort()


def test_a_call_over_the_memory_cap_raises_memory_error_and_costs_only_itself() -> None:
    with Workers(size=1, memory=256 << 20) as capped:
        first = asyncio.run(capped.run(pid, limit=30))
        with pytest.raises(MemoryError):
            asyncio.run(capped.run(hog, 1024, limit=30))
        assert asyncio.run(capped.run(hog, 64, limit=30)) == 64 << 20  # under the cap: fine
        assert asyncio.run(capped.run(pid, limit=30)) != first  # the one that ran out is gone


def test_without_a_cap_the_same_call_succeeds() -> None:
    # the cap is what stops 1 GB above: 300 MB, over the cap, is fine without one
    with Workers(size=1) as free:
        assert asyncio.run(free.run(hog, 300, limit=60)) == 300 << 20


def test_a_child_killed_by_native_code_is_a_work_error_naming_the_signal() -> None:
    with Workers(size=1, memory=256 << 20) as capped:
        with pytest.raises(WorkError, match="SIGABRT") as caught:
            asyncio.run(capped.run(abort, limit=30))
        assert not caught.value.over_time
        assert asyncio.run(capped.run(square, 7, limit=30)) == 49

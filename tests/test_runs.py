"""One writer at a time, and the record of what each run did: the lock between two
writers (at once, waiting, after a writer killed with SIGKILL) and `hub status`'s run
history."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.config import Config
from hub.errors import BusyError, HubError
from hub.models import RunRecord
from hub.store import RUNS_KEPT
from tests.conftest import new_store

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def hub(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


class Holder:
    """The writer lock held in another thread until `release()`; when it let go is kept."""

    def __init__(self, config: Config) -> None:
        self._go = threading.Event()
        self.released_at = 0.0
        held = threading.Event()

        def hold() -> None:
            with pipeline.writer_lock(config):
                held.set()
                self._go.wait(60)
                self.released_at = time.monotonic()

        self._thread = threading.Thread(target=hold)
        self._thread.start()
        assert held.wait(10)

    def release(self, after: float = 0.0) -> None:
        threading.Timer(after, self._go.set).start()

    def join(self) -> None:
        self._go.set()
        self._thread.join()


def test_a_second_writer_is_refused_at_once_or_waits(project: Config) -> None:
    holder = Holder(project)
    try:
        with (
            pytest.raises(BusyError, match=r"another hub process is writing to .*data"),
            pipeline.writer_lock(project),
        ):
            pass
        with (
            pytest.raises(BusyError, match=r"\(waited 0.1s\)"),
            pipeline.writer_lock(project, wait=0.1),
        ):
            pass
        holder.release(after=0.3)
        with pipeline.writer_lock(project, wait=30):
            acquired_at = time.monotonic()
    finally:
        holder.join()
    assert acquired_at >= holder.released_at > 0  # it waited for the holder, then took it


def test_the_command_line_exits_3_when_busy_and_waits_when_asked(project: Config) -> None:
    holder = Holder(project)
    try:
        code, _, err = hub("publish", "-c", str(project.path))
        assert code == 3
        assert err.startswith("error: another hub process is writing to ")
        assert err.count("\n") == 1
        holder.release(after=0.5)
        code, out, _ = hub("publish", "-c", str(project.path), "--wait", "60")
    finally:
        holder.join()
    assert code == 0 and "published" in out


def test_a_writer_killed_with_sigkill_holds_the_lock_no_longer(project: Config) -> None:
    script = (
        "import sys, time; from pathlib import Path; from hub import pipeline\n"
        "with pipeline.writer_lock(pipeline.load(Path(sys.argv[1]))):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(project.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "held\n"
        with pytest.raises(BusyError), pipeline.writer_lock(project):
            pass
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    with pipeline.writer_lock(project):  # at once: the kernel released it with the process
        pass


def test_shared_writers_run_together_and_keep_the_exclusive_one_out(project: Config) -> None:
    """Several crawls at once (shared), a rebuild alone (exclusive): the file lock's
    LOCK_SH on SQLite, a shared advisory lock on PostgreSQL."""
    with (
        pipeline.writer_lock(project, shared=True),
        pipeline.writer_lock(project, shared=True),
        pytest.raises(BusyError),
        pipeline.writer_lock(project),
    ):
        pass
    holder = Holder(project)
    try:
        with pytest.raises(BusyError), pipeline.writer_lock(project, shared=True):
            pass
    finally:
        holder.release(after=0)
        holder.join()
    with pipeline.writer_lock(project):
        pass


def test_runs_are_recorded_however_they_end(tmp_path: Path) -> None:
    store = new_store(tmp_path / "hub.sqlite3")
    with pipeline.recorded(store, "publish", T0) as tally:
        tally.published = True
    with pytest.raises(HubError), pipeline.recorded(store, "run", T0) as tally:
        tally.sources = 3
        raise HubError("the disk is full\nand a second line")
    with pipeline.recorded(store, "schedule", T0, always=False):
        pass  # a tick that did nothing is not worth a row
    failed, published = store.runs()
    assert (published.kind, published.published, published.error) == ("publish", True, "")
    assert (failed.kind, failed.sources, failed.error) == ("run", 3, "the disk is full")
    store.close()


def test_only_the_latest_runs_are_kept(tmp_path: Path) -> None:
    store = new_store(tmp_path / "hub.sqlite3")
    for n in range(RUNS_KEPT + 5):
        store.add_run(RunRecord("crawl", T0, seconds=float(n)))
    kept = store.runs(RUNS_KEPT + 10)
    assert len(kept) == RUNS_KEPT and kept[0].seconds == RUNS_KEPT + 4
    store.close()


def test_status_lists_the_latest_runs(project: Config) -> None:
    code, out, _ = hub("status", "-c", str(project.path))
    assert code == 0 and out.rstrip().endswith("no runs yet")
    assert hub("run", "-c", str(project.path))[0] == 0
    assert hub("publish", "-c", str(project.path))[0] == 0
    code, out, _ = hub("status", "-c", str(project.path))
    history = out.split("latest runs:\n")[1].splitlines()
    assert history[0].split() == [
        "started",
        "kind",
        "seconds",
        "sources",
        "new",
        "changed",
        "failed",
        "published",
    ]
    assert history[1].split()[2] == "publish" and history[1].split()[-1] == "yes"
    run = history[2].split()
    assert run[2] == "run" and run[4] == "52" and int(run[5]) > 1000 and run[7] == "2"
    payload = json.loads(hub("status", "-c", str(project.path), "--json")[1])
    assert [r["kind"] for r in payload["runs"]] == ["publish", "run"]
    assert payload["runs"][1]["failed"] == 2 and payload["runs"][1]["published"] is True
    assert len(payload["sources"]) == 52

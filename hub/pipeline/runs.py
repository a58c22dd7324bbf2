"""Hub's writers, one at a time, and what each did: the lock on a site's data folder
(or, with PostgreSQL, in its database) that `hub run`, `crawl`, `publish`, `index` and
the scheduler share, and the record of every run they make (its counts and duration,
for `hub status`)."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hub.config import Config
from hub.errors import BusyError, HubError, StoreError
from hub.models import RunKind, RunRecord, SourceResult

if TYPE_CHECKING:
    from hub.alerts import Alert
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
LOCK_FILE = "hub.lock"
PUBLISH_LOCK_FILE = "publish.lock"
POLL = 0.2  # seconds between attempts while waiting for the lock


STORE_URL_VARIABLE = "HUB_STORE_URL"


def store_url(config: Config) -> str:
    """The database's URL: the environment's HUB_STORE_URL (where an operator keeps a
    password), else channels.yaml's `store.url`, else the SQLite file in data/."""
    return (
        os.environ.get(STORE_URL_VARIABLE, "").strip()
        or config.store.url
        or f"sqlite:///{config.database}"
    )


def on_postgres(config: Config) -> bool:
    return store_url(config).startswith(("postgres:", "postgresql:", "postgresql+"))


@contextmanager
def writer_lock(config: Config, wait: float = 0.0, *, shared: bool = False) -> Iterator[None]:
    """Hold the site's writer lock: crawls and publishes never interleave. With `wait`,
    wait up to that many seconds for another writer to finish; then, or at once
    without it, raise BusyError. `shared` holders run beside each other (several
    crawls) and exclude the exclusive ones. The lock is the kernel's (flock) on a file
    in data/, or with PostgreSQL an advisory lock in the database, held by a
    connection: either way a writer killed with SIGKILL holds it no longer."""
    with _lock(config, LOCK_FILE, wait, "a crawl or publish is running", shared=shared):
        yield


@contextmanager
def crawl_lock(config: Config, wait: float = 0.0) -> Iterator[None]:
    """What a crawl (`hub crawl`, `hub run`, a scheduler's tick) holds while it runs.
    On SQLite, the writer lock. On a database several crawlers share (PostgreSQL), no
    lock: a crawl takes its sources through leases (`hub.store.leases`), so crawls on
    one machine or many run side by side, each source crawled by one at a time; each
    publish still takes `publish_lock`, one publisher at a time."""
    if on_postgres(config):
        yield
        return
    with writer_lock(config, wait):
        yield


@contextmanager
def publish_lock(config: Config, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock of the portal and the index: one publish at a time. Taken by every
    publish and index rebuild, inside the writer lock or, for the desk's publishes,
    alone: an editor's takedown waits for the publish under way, never for a crawl.
    (Nothing that holds it waits for the writer lock, so the two never deadlock.)
    What it guards are files in data/, so the file lock is always taken; on PostgreSQL
    the database's lock as well, for publishers on other machines: a process that
    opened another store by mistake (HUB_STORE_URL missing from its environment) still
    cannot publish beside one that did not."""
    what = "a publish is running"
    with _flock(config.data_dir / PUBLISH_LOCK_FILE, wait, what):
        if not on_postgres(config):
            yield
            return
        with _lock(config, PUBLISH_LOCK_FILE, wait, what):
            yield


def _lock(
    config: Config, name: str, wait: float, what: str, *, shared: bool = False
) -> AbstractContextManager[None]:
    if not on_postgres(config):
        return _flock(config.data_dir / name, wait, what, shared=shared)
    from hub.store.locks import advisory_lock  # noqa: PLC0415 (SQLAlchemy only for PostgreSQL)
    from hub.store.urls import shown  # noqa: PLC0415

    url = store_url(config)
    busy = f"another hub process is writing to the database {shown(url)} ({what})"
    return advisory_lock(url, f"hub:{name}", wait=wait, shared=shared, busy=busy)


@contextmanager
def _flock(path: Path, wait: float, what: str, *, shared: bool = False) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait:g}s)" if wait else ""
                    raise BusyError(
                        f"another hub process is writing to {path.parent} ({what})"
                        f"{waited}; try again when it ends"
                    ) from exc
                time.sleep(POLL)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Tally:
    """What a run has done so far."""

    sources: int = 0
    new: int = 0
    changed: int = 0
    failed: int = 0
    published: bool = False
    alerts: list[Alert] = field(default_factory=list)  # told when the run ends

    def crawled(self, results: Iterable[SourceResult]) -> None:
        for result in results:
            self.sources += 1
            self.new += result.new
            self.changed += result.changed
            self.failed += 0 if result.ok else 1

    @property
    def did_something(self) -> bool:
        return bool(self.sources or self.published)

    def record(self, kind: RunKind, started: datetime, seconds: float, error: str) -> RunRecord:
        first_line = error.splitlines()[0] if error else ""
        counts = (self.sources, self.new, self.changed, self.failed, self.published)
        return RunRecord(kind, started, seconds, *counts, error=first_line)


@contextmanager
def recorded(store: Store, kind: RunKind, now: datetime, *, always: bool = True) -> Iterator[Tally]:
    """Record the run in the body, however it ends: its counts, its duration, and the
    error that ended it. A scheduler tick (`always` False) is recorded only when it did
    something, or failed."""
    tally, started, error = Tally(), time.monotonic(), ""
    try:
        yield tally
    except HubError as exc:
        error = str(exc)
        raise
    except (KeyboardInterrupt, SystemExit):
        error = "stopped by a signal"
        raise
    finally:
        if always or tally.did_something or error:
            _save(store, tally.record(kind, now, time.monotonic() - started, error))


def _save(store: Store, record: RunRecord) -> None:
    try:
        store.add_run(record)
    except StoreError as exc:  # the run's own outcome matters more than its record
        log.error("could not record the run: %s", exc)
    log.info(
        "%s finished in %.1fs: %d sources, %d new, %d changed, %d failed%s%s",
        record.kind,
        record.seconds,
        record.sources,
        record.new,
        record.changed,
        record.failed,
        ", published" if record.published else "",
        f"; error: {record.error}" if record.error else "",
    )

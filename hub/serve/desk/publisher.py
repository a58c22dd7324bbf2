"""The desk's publisher: every action asks for a publish and a thread makes it, so an
editor's click never waits for a build and a takedown is live within seconds.

Requests coalesce: actions that arrive while a publish runs are all taken by the next
one. The database is the queue: each action is committed before it asks, and every
publish reads every committed decision, so no action is lost whoever publishes first
(this thread, or a `hub schedule` beside it). Publishes are serialized by the publish
lock (`hub.pipeline.runs.publish_lock`), not the writer lock: a crawl in progress never
delays a takedown. Timed decisions (publish at, take down at, a pin's end) wake it too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from hub import pipeline
from hub.config import Config
from hub.errors import HubError
from hub.store import Store

log = logging.getLogger("hub.desk")
Clock = Callable[[], datetime]
IDLE = 30.0  # seconds between looks at timed decisions when nothing is asked


class Publisher:
    def __init__(
        self, config: Callable[[], Config], store: Store, clock: Clock, idle: float = IDLE
    ) -> None:
        self._config, self._store, self._clock, self._idle = config, store, clock, idle
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._finished = threading.Condition()
        self.asked = 0  # requests so far
        self.done = 0  # the requests the last finished publish took in
        self.error = ""  # of the last publish, if it failed
        self.last: datetime | None = None
        self._thread = threading.Thread(target=self._run, name="hub-desk-publisher", daemon=True)

    def start(self) -> Publisher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=120)

    def ask(self) -> int:
        """Ask for a publish; returns the request's number (`done` reaches it when the
        portal shows it)."""
        with self._lock:
            self.asked += 1
            number = self.asked
        self._wake.set()
        return number

    def wait(self, number: int, timeout: float) -> bool:
        """Block until request `number` is published (tests, benchmarks)."""
        with self._finished:
            return self._finished.wait_for(lambda: self.done >= number, timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._idle)
            self._wake.clear()
            if self._stopping.is_set():
                return
            now = self._clock()
            with self._lock:
                taken = self.asked
            due = self.last is not None and pipeline.due(
                self._store.desk.decisions().values(), self.last, now
            )
            if taken == self.done and not due:
                continue
            self._publish(taken, now)

    def _publish(self, taken: int, now: datetime) -> None:
        try:
            config = self._config()
            with pipeline.recorded(self._store, "publish", now) as tally:
                # an editor's decision is deliberate: taking down the last post shown
                # publishes an empty section, where `hub publish` would ask for --force
                result = pipeline.publish(config, self._store, now, force=True)
                tally.published = True
        except HubError as exc:
            log.error("the desk's publish failed: %s", exc)
            self._finish(taken, str(exc))  # shown on the desk; the next action tries again
            return
        except Exception:  # a bug: logged with its trace, the thread goes on
            log.exception("the desk's publish failed")
            self._finish(taken, "internal error: see the desk's log output")
            return
        self.last = now
        self._finish(taken, "")
        log.info("desk publish: %d posts, %d files written", result.posts, result.written)

    def _finish(self, taken: int, error: str) -> None:
        with self._finished:
            self.error, self.done = error, taken
            self._finished.notify_all()

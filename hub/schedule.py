"""The long-running crawler: every tick, crawl the sources that are due and publish when
anything changed, at most once per `schedule.publish_every`; owns apscheduler.

Due times, backoff and Retry-After live in each source's state in the database, so a
restart loses nothing and polls nothing early. A stop (SIGTERM, Ctrl-C) lets the
sources under way finish, begins no others, and exits. An edited channels.yaml is read
again at the next tick (or at once on SIGHUP); one with a mistake is refused and the
running one kept. Posts another writer stored (a manual `hub crawl`) are published too,
and so are the desk's decisions: a new line on the desk's log, or a timed decision
(publish at, take down at, a pin's end) falling due, publishes at the next tick.
"""

from __future__ import annotations

import itertools
import logging
import queue
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from hub import pipeline
from hub.config import Config
from hub.errors import BusyError, ConfigError, HubError
from hub.models import SourceResult
from hub.workers import Workers

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Runner:
    """One tick of the schedule, callable on its own (tests drive it with a fake clock)."""

    def __init__(self, config: Config, clock: Clock, *, published: bool = False) -> None:
        self.config, self.clock = config, clock
        self.store = pipeline.open_store(config)
        # Changes not yet published. True at start, unless the caller has just
        # published: a scheduler stopped (or killed) between a crawl and its publish
        # publishes what it found on its first tick.
        self.pending = not published
        self.last_publish: datetime | None = None
        self.stopping = threading.Event()
        self.reload_asked = threading.Event()  # SIGHUP: read channels.yaml now
        self.on_reload: Callable[[Config], None] | None = None  # e.g. a new tick interval
        self._file = pipeline.stamp(config.path)
        self.publish_now = False
        self._workers: Workers | None = None  # started at the first crawl, kept after
        self._desk_seen = self.store.desk.last_entry()  # the desk's log, as last published
        self._ticking = threading.Lock()  # a SIGHUP's tick waits for the one under way

    def stop(self) -> None:
        """Begin no more sources; the tick under way ends soon after."""
        self.stopping.set()

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        self.store.close()

    def tick(self) -> list[SourceResult]:
        with self._ticking:
            return self._one_tick()

    def _one_tick(self) -> list[SourceResult]:
        if self.stopping.is_set():
            return []
        self._reload()
        try:
            with pipeline.crawl_lock(self.config):
                return self._tick(self.clock())
        except BusyError as exc:
            log.info("tick skipped: %s", exc)
        except HubError as exc:  # logged (and recorded); the next tick tries again
            log.error("tick failed: %s", exc)
        return []

    def _reload(self) -> None:
        """channels.yaml again, when it changed on disk or SIGHUP asked; a file with a
        mistake is refused (once per version of it) and the running one kept."""
        stamp = pipeline.stamp(self.config.path)
        asked = self.reload_asked.is_set()
        if stamp == self._file and not asked:
            return
        self.reload_asked.clear()
        self._file = stamp
        try:
            config = pipeline.load(self.config.path)
        except (ConfigError, OSError) as exc:
            log.error("channels.yaml not reloaded, still running the previous one: %s", exc)
            return
        self.config, self.pending = config, True  # the rules may place posts elsewhere
        self.publish_now = asked  # asked for (SIGHUP): not held back by publish_every
        log.info(
            "channels.yaml reloaded: %d sources, %d channels",
            len(config.sources),
            len(config.channels),
        )
        if self.on_reload is not None:
            self.on_reload(config)

    def _tick(self, now: datetime) -> list[SourceResult]:
        with pipeline.recorded(self.store, "schedule", now, always=False) as tally:
            try:
                return self._crawl_and_publish(now, tally)
            finally:  # the tick's alerts, in one message to each destination
                pipeline.alerting.send(self.config, tally.alerts, now)

    def _crawl_and_publish(self, now: datetime, tally: pipeline.Tally) -> list[SourceResult]:
        if self._workers is None:
            self._workers = pipeline.parse_workers()
        before = self.store.states()
        results = pipeline.crawl(
            self.config,
            self.store,
            now,
            due_only=True,
            stopping=self.stopping.is_set,
            workers=self._workers,
        )
        tally.crawled(results)
        tally.alerts += pipeline.alerting.crawled(self.config, before, self.store.states(), now)
        self.pending |= any(r.new or r.changed for r in results)
        # what another writer stored since the last publish (a manual `hub crawl`)
        self.pending |= self.store.unpublished()
        self._desk(now)
        if self.pending and self._may_publish(now) and not self.stopping.is_set():
            outcome = pipeline.publish(self.config, self.store, now)
            tally.published, self.pending, self.last_publish = True, False, now
            tally.alerts += pipeline.alerting.held(self.config, outcome, now)
            self.publish_now = False
            log.info(
                "published %d posts, %d files (%d written) in %.1fs",
                outcome.posts,
                outcome.pages,
                outcome.written,
                outcome.seconds,
            )
        return results

    def _desk(self, now: datetime) -> None:
        """Editors' decisions since the last publish, and timed ones now due."""
        seen = self.store.desk.last_entry()
        if seen != self._desk_seen:
            self.pending, self._desk_seen = True, seen
        since = self.last_publish
        if since is not None and pipeline.due(self.store.desk.decisions().values(), since, now):
            self.pending = self.publish_now = True

    def _may_publish(self, now: datetime) -> bool:
        """Debounced: at most one publish per `schedule.publish_every`."""
        every = timedelta(seconds=self.config.schedule.publish_every)
        return self.publish_now or self.last_publish is None or now - self.last_publish >= every


def _add(
    scheduler: BackgroundScheduler | BlockingScheduler, runner: Runner, first: datetime
) -> None:
    scheduler.add_job(
        runner.tick,
        "interval",
        seconds=runner.config.schedule.tick,
        id="crawl",
        max_instances=1,  # a tick that runs long delays the next; they never overlap
        coalesce=True,
        next_run_time=first,
        misfire_grace_time=None,
    )


class Background:
    """Ticks in a background thread (`hub demo`); `stop()` ends them cleanly."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        first_in: timedelta | None = None,
        *,
        published: bool = False,
    ) -> None:
        self.runner = Runner(config, clock, published=published)
        self.scheduler = BackgroundScheduler(timezone=config.site.zone)
        self.runner.on_reload = partial(_retick, self.scheduler)
        delay = first_in if first_in is not None else timedelta(seconds=config.schedule.tick)
        _add(self.scheduler, self.runner, clock() + delay)
        self.scheduler.start()

    def stop(self) -> None:
        self.runner.stop()
        self.scheduler.shutdown(wait=True)  # the tick under way finishes
        self.runner.close()


def run_forever(config: Config, clock: Clock) -> None:
    """Tick in this thread until Ctrl-C or SIGTERM (which the caller turns into
    KeyboardInterrupt); then let the tick under way finish and return."""
    runner = Runner(config, clock)
    scheduler = BlockingScheduler(timezone=config.site.zone)
    runner.on_reload = partial(_retick, scheduler)
    _add(scheduler, runner, clock())

    signals: queue.SimpleQueue[bool] = queue.SimpleQueue()  # safe in a signal handler

    def reload(signum: int, frame: object) -> None:
        signals.put(True)  # the scheduler's own locks are no place for a signal handler

    forwarding = threading.Thread(
        target=_sighups, args=(signals, runner, scheduler, clock), name="hub-sighup", daemon=True
    )
    forwarding.start()
    previous = signal.signal(signal.SIGHUP, reload)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping: the sources under way finish, no others begin")
        runner.stop()
        scheduler.shutdown(wait=True)
    finally:
        signal.signal(signal.SIGHUP, previous)
        signals.put(False)
        forwarding.join()
        runner.close()
        log.info("scheduler stopped")


def _sighups(
    signals: queue.SimpleQueue[bool], runner: Runner, scheduler: BlockingScheduler, clock: Clock
) -> None:
    """Each SIGHUP: channels.yaml read again at once, in a tick of its own after the one
    under way if any (moving the "crawl" job's next run to now while it runs would be
    skipped, max_instances, for an hour). Signals that come while such a tick waits
    are that tick's."""
    ids = itertools.count(1)
    waiting = threading.Event()

    def tick() -> None:
        waiting.clear()
        runner.tick()

    while signals.get():
        log.info("SIGHUP: channels.yaml is read again at once")
        runner.reload_asked.set()
        if not waiting.is_set():
            waiting.set()
            scheduler.add_job(
                tick, "date", run_date=clock(), id=f"sighup-{next(ids)}", misfire_grace_time=None
            )


def _retick(scheduler: BackgroundScheduler | BlockingScheduler, config: Config) -> None:
    """A reloaded channels.yaml may tick at another pace."""
    job = scheduler.get_job("crawl")
    if job is not None and job.trigger.interval.total_seconds() != config.schedule.tick:
        scheduler.reschedule_job("crawl", trigger="interval", seconds=config.schedule.tick)

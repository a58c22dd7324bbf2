"""The long-running crawler: every tick, crawl the sources that are due and publish when
anything changed, at most once per `schedule.publish_every`; owns apscheduler.

Due times, backoff and Retry-After live in each source's state in the database, so a
restart loses nothing and polls nothing early. A stop (SIGTERM, Ctrl-C) lets the
sources under way finish, begins no others, and exits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from hub import pipeline
from hub.config import Config
from hub.errors import BusyError, HubError
from hub.models import SourceResult

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

    def stop(self) -> None:
        """Begin no more sources; the tick under way ends soon after."""
        self.stopping.set()

    def close(self) -> None:
        self.store.close()

    def tick(self) -> list[SourceResult]:
        if self.stopping.is_set():
            return []
        try:
            with pipeline.writer_lock(self.config):
                return self._tick(self.clock())
        except BusyError as exc:
            log.info("tick skipped: %s", exc)
        except HubError as exc:  # logged (and recorded); the next tick tries again
            log.error("tick failed: %s", exc)
        return []

    def _tick(self, now: datetime) -> list[SourceResult]:
        with pipeline.recorded(self.store, "schedule", now, always=False) as tally:
            results = pipeline.crawl(
                self.config, self.store, now, due_only=True, stopping=self.stopping.is_set
            )
            tally.crawled(results)
            self.pending |= any(r.new or r.changed for r in results)
            if self.pending and self._may_publish(now) and not self.stopping.is_set():
                outcome = pipeline.publish(self.config, self.store, now)
                tally.published, self.pending, self.last_publish = True, False, now
                log.info(
                    "published %d posts, %d files (%d written) in %.1fs",
                    outcome.posts,
                    outcome.pages,
                    outcome.written,
                    outcome.seconds,
                )
        return results

    def _may_publish(self, now: datetime) -> bool:
        """Debounced: at most one publish per `schedule.publish_every`."""
        every = timedelta(seconds=self.config.schedule.publish_every)
        return self.last_publish is None or now - self.last_publish >= every


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
    _add(scheduler, runner, clock())
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping: the sources under way finish, no others begin")
        runner.stop()
        scheduler.shutdown(wait=True)
    finally:
        runner.close()
        log.info("scheduler stopped")

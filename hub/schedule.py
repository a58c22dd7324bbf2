"""The long-running crawler: every tick, crawl the sources that are due and publish when
anything changed; owns apscheduler. Due times live in the database, so a restart loses
nothing.
"""

from __future__ import annotations

import logging
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
TICK = timedelta(seconds=60)


class Runner:
    """One tick of the schedule, callable on its own (tests drive it with a fake clock)."""

    def __init__(self, config: Config, clock: Clock) -> None:
        self.config, self.clock = config, clock
        self.store = pipeline.open_store(config)
        self.published_once = (config.site_dir / "index.html").exists()

    def tick(self) -> list[SourceResult]:
        try:
            with pipeline.writer_lock(self.config):
                results = pipeline.crawl(self.config, self.store, self.clock(), due_only=True)
                changed = sum(r.new + r.changed for r in results)
                if changed or not self.published_once:
                    outcome = pipeline.publish(self.config, self.store, self.clock())
                    self.published_once = True
                    log.info(
                        "published %d posts, %d pages in %.1fs",
                        outcome.posts,
                        outcome.pages,
                        outcome.seconds,
                    )
                if results:
                    failed = sum(1 for r in results if not r.ok)
                    log.info(
                        "tick: %d sources crawled, %d new or changed posts, %d failed",
                        len(results),
                        changed,
                        failed,
                    )
                return results
        except BusyError as exc:
            log.info("tick skipped: %s", exc)
        except HubError as exc:  # logged; the next tick tries again
            log.error("tick failed: %s", exc)
        return []


def _add(
    scheduler: BackgroundScheduler | BlockingScheduler,
    runner: Runner,
    every: timedelta,
    first: datetime,
) -> None:
    scheduler.add_job(
        runner.tick,
        "interval",
        seconds=every.total_seconds(),
        id="crawl",
        max_instances=1,
        coalesce=True,
        next_run_time=first,
    )


def start_background(
    config: Config, clock: Clock, every: timedelta = TICK, first_in: timedelta = TICK
) -> BackgroundScheduler:
    """Run ticks in a background thread; the caller stops it with `.shutdown()`."""
    scheduler = BackgroundScheduler(timezone=config.site.zone)
    _add(scheduler, Runner(config, clock), every, clock() + first_in)
    scheduler.start()
    return scheduler


def run_forever(config: Config, clock: Clock, every: timedelta = TICK) -> None:
    """Run ticks in this thread until Ctrl-C or SIGTERM."""
    scheduler = BlockingScheduler(timezone=config.site.zone)
    _add(scheduler, Runner(config, clock), every, clock())
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")

"""Which sources a crawl takes, one at a time as its workers come free: on SQLite the
sources it was given (the writer lock keeps other crawls out); on a database several
crawlers share, the ones it leases (`hub.store.leases`), renewed while they are crawled
and freed with the state each ended in, which is written only while the lease is still
this crawl's. A crawl takes each source at most once."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from hub.config import Config, Source
from hub.models import SourceState
from hub.pipeline.decide import CLOCK_SLACK, is_due

if TYPE_CHECKING:
    from hub.store import Lease, Store

log = logging.getLogger("hub.pipeline")
Keep = Callable[[SourceState], None]  # writes a source's state once it is crawled
Held = Callable[[], bool]  # whether the source is still the crawl's


def always_held() -> bool:
    return True


RENEWALS = 3  # a lease is renewed this many times in its duration
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One source to crawl, its state as it was when the crawl took it, and how its
    next state is kept (run on the store's thread)."""

    source: Source
    state: SourceState
    keep: Keep
    held: Held = always_held  # still this crawl's (asked on the store's thread)


class Claims(Protocol):
    async def next(self) -> Job | None:
        """The next source to crawl; None when there is none left for this crawl."""

    async def close(self) -> None:
        """Give back what was taken and not crawled (a crawl that stops on an error)."""


@dataclass(frozen=True)
class Terms:
    """How a crawl leases sources: who it is, for how long a lease lasts unrenewed,
    and the lease clock (the database's, shared by crawlers on several machines)."""

    holder: str
    duration: timedelta
    clock: Callable[[], datetime]


def terms(config: Config, store: Store) -> Terms | None:
    """The leases of a crawl on a database crawlers share; None on SQLite."""
    if not store.leases.shared:
        return None
    holder = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"
    return Terms(holder, timedelta(seconds=config.schedule.lease), store.leases.database_time)


class Given:
    """The sources chosen before the crawl, each with its state, in order."""

    def __init__(self, store: Store, sources: Sequence[Source], states: dict[str, SourceState]):
        self._jobs = [Job(s, states.get(s.id, SourceState(s.id)), store.record) for s in sources]
        self._jobs.reverse()

    async def next(self) -> Job | None:
        return self._jobs.pop() if self._jobs else None

    async def close(self) -> None:
        self._jobs.clear()


class Leased:
    """Sources leased one at a time among `sources`: due ones at the crawl's time `now`
    (with `due_only`), and none claimed by anyone since this crawl began."""

    def __init__(
        self,
        store: Store,
        sources: Sequence[Source],
        now: datetime,
        terms: Terms,
        database: Executor,
        *,
        due_only: bool,
    ) -> None:
        self.store, self.terms, self.now, self.due_only = store, terms, now, due_only
        self._sources = {source.id: source for source in sources}
        self._database = database
        self._held: dict[str, Lease] = {}
        self._claiming = asyncio.Lock()
        self._since: datetime | None = None  # when this crawl began, by the lease clock
        self._exhausted = False
        self._renewing: asyncio.Task[None] | None = None

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._database, function)

    async def next(self) -> Job | None:
        async with self._claiming:
            if self._exhausted:  # one worker found none left: so would the others
                return None
            if self._since is None:
                self._since = self.terms.clock()
                self._renewing = asyncio.create_task(self._renew())
            while True:
                claimed = await self._run(self._claim)
                if claimed is None:
                    self._exhausted = True
                    return None
                lease, state = claimed
                if not self.due_only or is_due(state, self.now):
                    break
                # crawled by another since the claim's query looked: give it back
                await self._run(partial(self._finish, lease, None))
        self._held[lease.source_id] = lease
        source = self._sources[lease.source_id]
        return Job(source, state, partial(self._finish, lease), partial(self._holds, lease))

    def _claim(self) -> tuple[Lease, SourceState] | None:
        from hub.store import Due  # noqa: PLC0415 (SQLAlchemy only where a store is open)

        taken = self.store.leases.claim(
            self.terms.holder,
            list(self._sources),
            now=self.terms.clock(),
            duration=self.terms.duration,
            limit=1,
            due=Due(self.now, CLOCK_SLACK) if self.due_only else None,
            since=self._since,
        )
        return taken[0] if taken else None

    def _finish(self, lease: Lease, state: SourceState | None) -> None:
        self._held.pop(lease.source_id, None)
        if not self.store.leases.finish(lease, state, now=self.terms.clock()) and state:
            log.warning(
                "%s: its lease ran out and another crawler took it over; what this crawl "
                "found was stored, and the source's state is the other crawler's",
                lease.source_id,
            )

    async def _renew(self) -> None:
        pause = self.terms.duration.total_seconds() / RENEWALS
        while True:
            await asyncio.sleep(pause)
            held = list(self._held.values())
            if not held:
                continue
            try:
                kept = await self._run(partial(self._renewed, held))
            except Exception:  # a database hiccup: the next renewal tries again
                log.exception("leases not renewed")
                continue
            for lease in held:
                if lease.source_id not in kept and lease.source_id in self._held:
                    log.warning("%s: lease lost to another crawler", lease.source_id)

    def _holds(self, lease: Lease) -> bool:
        """Whether the lease is still this crawl's (renewed by asking)."""
        return lease.source_id in self._renewed([lease])

    def _renewed(self, held: list[Lease]) -> set[str]:
        return self.store.leases.renew(held, now=self.terms.clock(), duration=self.terms.duration)

    async def close(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
        for lease in list(self._held.values()):  # not crawled to the end: free at once
            try:
                await self._run(partial(self._finish, lease, None))
            except Exception:
                log.exception("%s: lease not freed; it runs out by itself", lease.source_id)

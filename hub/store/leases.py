"""Leases on sources, so that crawlers sharing one database split the sources between
them: a crawler claims due sources it alone may fetch until its lease runs out, renews
them while it works, and writes a source's state back only while the lease is still the
one it was given (its epoch). On PostgreSQL a claim locks the rows it takes with
`FOR UPDATE SKIP LOCKED`, so crawlers claiming at once take different sources and never
wait for each other; on SQLite that clause compiles to nothing and each change is one
conditional UPDATE, atomic under SQLite's single writer. Times are arguments: the lease
clock is the database's (`database_time`), the one clock crawlers on several machines
share; the due time is the crawl's own."""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from hub.models import SourceState
from hub.store.rows import to_state
from hub.store.tables import PostRow, SourceRow, UTCDateTime

Sessions = Callable[[], AbstractContextManager[Session]]
CHUNK = 500  # ids in one IN (...)


class LeaseRow(SQLModel, table=True):
    """Who may crawl a source, until when. A row outlives its leases: `epoch` counts
    them, and `holder` names the last one's holder."""

    __tablename__ = "leases"

    source_id: str = Field(primary_key=True)
    holder: str = ""
    epoch: int = 0  # one more at each claim: what fences a holder whose lease was taken
    until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)  # None: free
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Lease:
    """A crawler's right to fetch one source and write its state, while `epoch` is the
    source's current one."""

    source_id: str
    holder: str
    epoch: int
    until: datetime | None  # None: freed


@dataclass(frozen=True)
class Due:
    """Which sources a claim may take: those whose next fetch time is at or before
    `at` (none set: never fetched), or whose last fetch is more than `slack` after it
    (the crawl's clock stepped back; `hub.pipeline.decide.is_due`, in SQL)."""

    at: datetime
    slack: timedelta


class LeaseStore:
    """The leases of one database."""

    def __init__(self, sessions: Sessions, dialect: str) -> None:
        self._session, self._dialect = sessions, dialect

    @property
    def shared(self) -> bool:
        """Whether several processes on several machines may crawl this database at once
        (PostgreSQL); SQLite has one writer, kept by the data folder's lock."""
        return self._dialect == "postgresql"

    def database_time(self) -> datetime:
        """The database's clock, which every crawler of it shares (SQLite's is this
        machine's)."""
        if not self.shared:
            return datetime.now(UTC)
        with self._session() as session:
            moment: datetime = session.exec(select(func.clock_timestamp())).one()
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    def claim(
        self,
        holder: str,
        candidates: Collection[str],
        *,
        now: datetime,
        duration: timedelta,
        limit: int,
        due: Due | None = None,
        since: datetime | None = None,
    ) -> list[tuple[Lease, SourceState]]:
        """Lease up to `limit` of the `candidates` that no one holds (or whose lease ran
        out by `now`), are due (when `due` is given), and were not claimed at or after
        `since` (by anyone: one crawl takes each source once); with each source's state
        as it is now that the lease is held."""
        self._ensure(candidates)
        until = now + duration
        taken: list[Lease] = []
        with self._session() as session:
            free = [
                (row.source_id, row.epoch)
                for row in session.exec(self._free(candidates, now, limit, due, since))
            ]
            for source_id, epoch in free:
                # On PostgreSQL the row is locked and this always takes it; on SQLite
                # the epoch check is what keeps a second claimer off it.
                changed = session.execute(
                    update(LeaseRow)
                    .where(col(LeaseRow.source_id) == source_id)
                    .where(col(LeaseRow.epoch) == epoch)
                    .values(holder=holder, epoch=epoch + 1, until=until, claimed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if changed.rowcount == 1:  # type: ignore[attr-defined]
                    taken.append(Lease(source_id, holder, epoch + 1, until))
            session.commit()
        states = self._states([lease.source_id for lease in taken])
        return [(lease, states[lease.source_id]) for lease in taken]

    def _free(
        self,
        candidates: Collection[str],
        now: datetime,
        limit: int,
        due: Due | None,
        since: datetime | None,
    ) -> SelectOfScalar[LeaseRow]:
        query = (
            select(LeaseRow)
            .join(SourceRow, col(SourceRow.source_id) == LeaseRow.source_id, isouter=True)
            .where(col(LeaseRow.source_id).in_(list(candidates)))
            .where(or_(col(LeaseRow.until).is_(None), col(LeaseRow.until) <= now))
        )
        if since is not None:
            query = query.where(
                or_(col(LeaseRow.claimed_at).is_(None), col(LeaseRow.claimed_at) < since)
            )
        if due is not None:
            query = query.where(
                or_(
                    col(SourceRow.next_fetch_at).is_(None),
                    col(SourceRow.next_fetch_at) <= due.at,
                    col(SourceRow.last_fetch_at) > due.at + due.slack,
                )
            )
        return (
            query.order_by(col(SourceRow.next_fetch_at).asc().nulls_first(), LeaseRow.source_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=LeaseRow)
        )

    def _ensure(self, source_ids: Collection[str]) -> None:
        """A lease row for every source (claimers adding the same one at once is fine)."""
        insert = pg_insert if self.shared else sqlite_insert
        ids = sorted(set(source_ids))
        with self._session() as session:
            for start in range(0, len(ids), CHUNK):
                present = set(
                    session.exec(
                        select(LeaseRow.source_id).where(
                            col(LeaseRow.source_id).in_(ids[start : start + CHUNK])
                        )
                    )
                )
                missing = [{"source_id": i} for i in ids[start : start + CHUNK] if i not in present]
                if missing:
                    session.execute(insert(LeaseRow).values(missing).on_conflict_do_nothing())
            session.commit()

    def _states(self, source_ids: list[str]) -> dict[str, SourceState]:
        if not source_ids:
            return {}
        with self._session() as session:
            counts = dict(
                session.exec(
                    select(PostRow.source_id, func.count())
                    .where(col(PostRow.source_id).in_(source_ids))
                    .group_by(PostRow.source_id)
                ).all()
            )
            rows = session.exec(select(SourceRow).where(col(SourceRow.source_id).in_(source_ids)))
            states = {row.source_id: to_state(row, counts.get(row.source_id, 0)) for row in rows}
        return {i: states.get(i, SourceState(i, posts=counts.get(i, 0))) for i in source_ids}

    def renew(self, leases: Collection[Lease], *, now: datetime, duration: timedelta) -> set[str]:
        """Extend the leases still held (none taken over since); the ids of those."""
        held: set[str] = set()
        pairs = [(lease.source_id, lease.epoch) for lease in leases]
        with self._session() as session:
            for start in range(0, len(pairs), CHUNK):
                result = session.execute(
                    update(LeaseRow)
                    .where(
                        tuple_(col(LeaseRow.source_id), col(LeaseRow.epoch)).in_(
                            pairs[start : start + CHUNK]
                        ),
                        col(LeaseRow.until).is_not(None),
                    )
                    .values(until=now + duration)
                    .execution_options(synchronize_session=False)
                    .returning(col(LeaseRow.source_id))
                )
                held.update(result.scalars())
            session.commit()
        return held

    def finish(self, lease: Lease, state: SourceState | None, *, now: datetime) -> bool:
        """Write the source's state (unless None) and free its lease, in one transaction,
        if the lease is still this one; False, writing nothing, when another crawler
        has claimed the source since: its state is newer than ours."""
        with self._session() as session:
            released = session.execute(
                update(LeaseRow)
                .where(col(LeaseRow.source_id) == lease.source_id)
                .where(col(LeaseRow.epoch) == lease.epoch, col(LeaseRow.until).is_not(None))
                .values(until=None, released_at=now)
                .execution_options(synchronize_session=False)
            )
            if released.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                return False
            if state is not None:
                values = {name: getattr(state, name) for name in SourceRow.model_fields}
                session.merge(SourceRow(**values))
            session.commit()
        return True

    def leases(self) -> dict[str, Lease]:
        """Every source's latest lease, by source id; `until` None once it was freed."""
        with self._session() as session:
            rows = session.exec(select(LeaseRow).where(col(LeaseRow.epoch) > 0))
            return {r.source_id: Lease(r.source_id, r.holder, r.epoch, r.until) for r in rows}

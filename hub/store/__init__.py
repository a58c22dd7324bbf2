"""Posts and source state in SQL: SQLite in WAL mode by default, or PostgreSQL; owns
sqlmodel and sqlalchemy. ORM rows never leave this module: callers get `models` values.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, event, func, inspect, or_, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, col, create_engine, select

from hub.audited import FetchAttempt
from hub.errors import StoreError
from hub.models import Post, RunRecord, SourceState, StoredPost
from hub.store.attachments import AttachmentStore
from hub.store.desk import Actor, DeskStore, LogQuery
from hub.store.desk_tables import protect_log
from hub.store.findings import FindingsStore
from hub.store.kept import KeptPosts
from hub.store.leases import Due, Lease, LeaseStore
from hub.store.links import LinkStore
from hub.store.locks import advisory_lock
from hub.store.people import PeopleStore
from hub.store.proposals import ProposalStore
from hub.store.rows import Sketcher, new_row, sketch_text, to_state, to_stored, update_row
from hub.store.tables import (
    FETCHES_KEPT,
    RUNS_KEPT,
    FetchRow,
    PostRow,
    RunRow,
    SourceRow,
    add_missing_columns,
    sqlite_pragmas,
)
from hub.store.urls import CONNECT_ARGS, checked_url, explained, is_postgres

__all__ = [
    "RUNS_KEPT",
    "Actor",
    "DeskStore",
    "Due",
    "Lease",
    "LeaseStore",
    "LinkStore",
    "LogQuery",
    "PeopleStore",
    "Sketcher",
    "Store",
]


class Store:
    """The database behind one hub site."""

    def __init__(self, url: str) -> None:
        """The store at a SQLAlchemy URL (`postgresql://` is PostgreSQL through psycopg);
        its tables are made or brought up to date."""
        self.url = url
        self._kept = KeptPosts()  # every post, as `posts` read it last
        try:
            self._engine: Engine = create_engine(
                checked_url(url), pool_pre_ping=is_postgres(url), connect_args=_args(url)
            )
            if not is_postgres(url):
                event.listen(self._engine, "connect", sqlite_pragmas)
            with self._engine.begin() as connection:
                _make_tables(connection)
        except SQLAlchemyError as exc:
            raise StoreError(explained(exc, url)) from exc
        # a store dropped unclosed closes its connections (psycopg warns otherwise)
        weakref.finalize(self, self._engine.dispose)
        self.desk = DeskStore(self._session)  # editors' decisions and the audit trail
        self.people = PeopleStore(self._session)  # the desk's users and sessions
        self.findings = FindingsStore(self._session)  # content findings, by post version
        self.links = LinkStore(self._session)  # posts' outbound links and their checks
        # selectors detection proposes for list pages whose own stopped finding items
        self.proposals = ProposalStore(self._session)
        self.attachments = AttachmentStore(self._session)  # their text, and the copies kept
        # sources split between crawlers sharing the database
        self.leases = LeaseStore(self._session, self._engine.dialect.name)

    @staticmethod
    def exists(url: str) -> bool:
        """Whether the database at `url` holds a hub store already (nothing is made)."""
        engine = create_engine(checked_url(url), poolclass=NullPool, connect_args=_args(url))
        try:
            return inspect(engine).has_table(PostRow.__tablename__)
        except SQLAlchemyError as exc:
            raise StoreError(explained(exc, url)) from exc
        finally:
            engine.dispose()

    @classmethod
    def sqlite(cls, path: Path) -> Store:
        """The SQLite store in the file `path` (created, with its folder, if missing)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {path.parent}: {exc}") from exc
        return cls(f"sqlite:///{path}")

    def close(self) -> None:
        self._engine.dispose()

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    def advisory_lock(
        self, name: str, wait: float = 0.0, *, shared: bool = False, busy: str = ""
    ) -> AbstractContextManager[None]:
        """A lock in the database named `name`, for processes that share a PostgreSQL
        database (`locks.advisory_lock`): exclusive, or `shared` with the other shared
        holders. Only PostgreSQL has them; SQLite's writers lock files beside it."""
        if self.dialect != "postgresql":
            raise StoreError("advisory locks need PostgreSQL; a SQLite store locks files")
        return advisory_lock(self.url, name, wait=wait, shared=shared, busy=busy)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(explained(exc, self.url)) from exc

    def size(self) -> int:
        """Bytes the database takes on disk (its pages; on PostgreSQL, the database's)."""
        with self._session() as session:
            if self._engine.dialect.name == "sqlite":
                pages = session.execute(text("PRAGMA page_count")).scalar_one()
                return int(pages) * int(session.execute(text("PRAGMA page_size")).scalar_one())
            query = text("SELECT pg_database_size(current_database())")
            return int(session.execute(query).scalar_one())

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        found: set[str] = set()
        with self._session() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(session.exec(select(PostRow.id).where(col(PostRow.id).in_(chunk))))
        return found

    def unlisted(self, source_id: str, listed: set[str]) -> tuple[int, int]:
        """(the source's posts not marked withdrawn, how many of them `listed` lacks)."""
        live = select(PostRow.id).where(
            PostRow.source_id == source_id, col(PostRow.removed).is_(None)
        )
        with self._session() as session:
            kept = set(session.exec(live))
        return len(kept), len(kept - listed)

    def save(
        self, posts: Iterable[Post], now: datetime, sketch: Sketcher | None = None
    ) -> tuple[int, int]:
        """Insert new posts and update changed ones in one transaction; (new, changed).
        A post keeps its first-seen time and its filing date forever. `sketch` is called
        on new and changed posts only, and its result kept with them."""
        by_id = {post.id: post for post in posts}
        # Crawlers sharing a database: a post another one stored meanwhile (the
        # same source, once its lease was taken over) makes this one an update.
        saved = self._save(by_id, now, sketch) or self._save(by_id, now, sketch, last=True)
        return saved or (0, 0)  # (the second time, a conflict raises)

    def _save(
        self, by_id: dict[str, Post], now: datetime, sketch: Sketcher | None, last: bool = False
    ) -> tuple[int, int] | None:
        """(new, changed), or None when a post was inserted meanwhile (and not `last`)."""
        new = changed = 0
        with self._session() as session:
            rows = {
                row.id: row
                for start in range(0, len(by_id), 500)
                for row in session.exec(
                    select(PostRow).where(col(PostRow.id).in_(list(by_id)[start : start + 500]))
                )
            }
            for pid, post in by_id.items():
                row = rows.get(pid)
                if row is None:
                    row = new_row(post, now)
                    new += 1
                elif row.hash != post.hash:
                    update_row(row, post, now)
                    changed += 1
                else:
                    continue
                row.sketch = sketch_text(sketch(post), sketch.version) if sketch else ""
                session.add(row)
            try:
                session.commit()
            except IntegrityError:
                if last:
                    raise
                session.rollback()
                return None
        return new, changed

    def posts(self, source_id: str | None = None) -> list[StoredPost]:
        """Stored posts, newest first (`KeptPosts`: the next call reads again only the
        rows that changed)."""
        with self._session() as session:
            return self._kept.read(session, source_id)

    def posts_of(self, ids: Iterable[str]) -> list[StoredPost]:
        """The stored posts with these ids, in the order given (missing ones left out)."""
        wanted = list(dict.fromkeys(ids))
        with self._session() as session:
            rows = {
                row.id: row
                for start in range(0, len(wanted), 500)
                for row in session.exec(
                    select(PostRow).where(col(PostRow.id).in_(wanted[start : start + 500]))
                )
            }
        return [to_stored(rows[pid]) for pid in wanted if pid in rows]

    def fill_sketches(self, sketch: Sketcher) -> int:
        """Sketch the posts stored without one, or with one of another version (an
        earlier hub's); how many were."""
        stale = or_(
            col(PostRow.sketch) == "", ~col(PostRow.sketch).startswith(f"{sketch.version}:")
        )
        with self._session() as session:
            rows = list(session.exec(select(PostRow).where(stale)))
            for row in rows:
                row.sketch = sketch_text(sketch(to_stored(row).post), sketch.version)
                session.add(row)
            session.commit()
        return len(rows)

    def mark_removed(
        self,
        source_id: str,
        listed: set[str],
        since: datetime | None,
        now: datetime,
        *,
        withdraw: bool = True,
    ) -> int:
        """Posts of a source published since `since` (any post: None, for a listing that
        is whole) that it no longer lists were removed upstream (撤稿): mark them (unless
        not `withdraw`); a listed post that was marked is back. Nothing is deleted.
        Returns how many were newly marked."""
        of_source = select(PostRow).where(PostRow.source_id == source_id)
        wanted = sorted(listed)
        window = of_source if since is None else of_source.where(col(PostRow.published) >= since)
        with self._session() as session:
            rows = {row.id: row for row in session.exec(window)}
            for start in range(0, len(wanted), 500):  # under both databases' limits
                chunk = wanted[start : start + 500]
                rows.update(
                    (r.id, r) for r in session.exec(of_source.where(col(PostRow.id).in_(chunk)))
                )
            marked = 0
            for row in rows.values():
                present = row.id in listed
                if present and row.removed is not None:
                    row.removed = None
                elif not present and row.removed is None and withdraw:
                    row.removed, marked = now, marked + 1
                else:
                    continue
                session.add(row)
            session.commit()
        return marked

    def find(self, reference: str) -> StoredPost | None:
        """A post by its id, or by its original URL (either scheme, trailing slash or not)."""
        reference = reference.strip()
        with self._session() as session:
            row = session.get(PostRow, reference)
            if row is None and "://" in reference:
                rest = reference.split("://", 1)[1].rstrip("/")
                forms = [
                    f"{scheme}://{rest}{slash}"
                    for scheme in ("http", "https")
                    for slash in ("", "/")
                ]
                row = session.exec(select(PostRow).where(col(PostRow.url).in_(forms))).first()
        return to_stored(row) if row is not None else None

    def titled(self, words: str, limit: int = 50, offset: int = 0) -> tuple[list[StoredPost], int]:
        """Posts whose title holds `words` (all of them; any post when empty), the most
        recently filed first, and how many there are: the desk's post list."""
        query = select(PostRow)
        for word in words.split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            # ILIKE on PostgreSQL, LIKE (case-blind for ASCII already) on SQLite
            query = query.where(col(PostRow.title).ilike(f"%{escaped}%", escape="\\"))
        with self._session() as session:
            total = session.exec(select(func.count()).select_from(query.subquery())).one()
            rows = session.exec(
                query.order_by(col(PostRow.filed).desc(), col(PostRow.id))
                .offset(offset)
                .limit(limit)
            )
            return [to_stored(row) for row in rows], int(total)

    def post_counts(self) -> dict[str, int]:
        with self._session() as session:
            query = select(PostRow.source_id, func.count()).group_by(PostRow.source_id)
            return {sid: int(n) for sid, n in session.exec(query)}

    def state(self, source_id: str) -> SourceState:
        with self._session() as session:
            row = session.get(SourceRow, source_id)
        return to_state(row) if row is not None else SourceState(source_id)

    def states(self) -> dict[str, SourceState]:
        counts = self.post_counts()
        with self._session() as session:
            rows = list(session.exec(select(SourceRow)))
        states = {row.source_id: to_state(row, counts.get(row.source_id, 0)) for row in rows}
        for sid, n in counts.items():
            states.setdefault(sid, SourceState(sid, posts=n))
        return states

    def record(self, state: SourceState) -> None:
        """Write a source's state (insert or replace)."""
        values = {name: getattr(state, name) for name in SourceRow.model_fields}
        with self._session() as session:
            session.merge(SourceRow(**values))
            session.commit()

    def record_fetch(self, attempt: FetchAttempt) -> None:
        """Remember one fetch of a source's address; those older than FETCHES_KEPT days
        before it are forgotten."""
        values = {name: getattr(attempt, name) for name in FetchRow.model_fields if name != "id"}
        oldest = attempt.at - timedelta(days=FETCHES_KEPT)
        with self._session() as session:
            session.add(FetchRow(**values))
            session.execute(
                delete(FetchRow).where(
                    col(FetchRow.source_id) == attempt.source_id, col(FetchRow.at) < oldest
                )
            )
            session.commit()

    def fetches(self, since: datetime) -> list[FetchAttempt]:
        """The fetches of every source's address since `since`, oldest first."""
        with self._session() as session:
            rows = session.exec(
                select(FetchRow).where(col(FetchRow.at) > since).order_by(col(FetchRow.at))
            )
            return [FetchAttempt(r.source_id, r.at, r.ok, r.seconds) for r in rows]

    def add_run(self, run: RunRecord) -> None:
        """Remember a run; only the latest RUNS_KEPT are kept."""
        values = {name: getattr(run, name) for name in RunRow.model_fields if name != "id"}
        with self._session() as session:
            session.add(RunRow(**values))
            session.flush()
            oldest = session.exec(
                select(RunRow.id).order_by(col(RunRow.id).desc()).offset(RUNS_KEPT).limit(1)
            ).first()
            if oldest is not None:
                session.execute(delete(RunRow).where(col(RunRow.id) <= oldest))
            session.commit()

    def unpublished(self) -> bool:
        """Whether a run since the last one that published stored or changed posts (a
        manual `hub crawl` beside a scheduler). Told by the runs' order, not their
        clocks: a clock stepped back does not make old posts look new."""
        with self._session() as session:
            last = session.exec(
                select(func.max(RunRow.id)).where(col(RunRow.published).is_(True))
            ).first()
            if last is None:
                return False
            query = select(RunRow.id).where(
                col(RunRow.id) > last, (col(RunRow.new) > 0) | (col(RunRow.changed) > 0)
            )
            return session.exec(query.limit(1)).first() is not None

    def runs(self, limit: int = 10) -> list[RunRecord]:
        """The latest runs, newest first."""
        with self._session() as session:
            rows = session.exec(select(RunRow).order_by(col(RunRow.id).desc()).limit(limit))
            fields = [name for name in RunRow.model_fields if name != "id"]
            return [RunRecord(**{name: getattr(row, name) for name in fields}) for row in rows]


def _args(url: str) -> dict[str, int]:
    return CONNECT_ARGS if is_postgres(url) else {}


SCHEMA_LOCK = 0x6875622D736368  # a transaction's advisory lock: one process makes tables


def _make_tables(connection: Connection) -> None:
    """Make the missing tables and columns and the log's protection, in one transaction:
    on PostgreSQL, processes starting at once take turns (DDL is transactional there, so
    a kill leaves all of it or none)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    SQLModel.metadata.create_all(connection)
    add_missing_columns(connection)
    protect_log(connection)

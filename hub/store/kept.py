"""Every stored post kept in memory between reads: a long-running hub (the scheduler, the
desk) publishes many times, and reading a hundred thousand posts whole each time was
most of a publish. Each read asks the database only for what changes with a row, and
reads whole rows only where that changed."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from hub.models import StoredPost
from hub.store.rows import to_stored
from hub.store.tables import PostRow

# What changes in a post's row whenever the post, or what hub knows of it, does (its
# content changes its hash), read as the database keeps it: converting them to dates
# took longer than the rest.
_STAMPS = (
    "SELECT id, hash, first_seen, filed, changed, removed, first_published, length(sketch) "
    "FROM posts"
)
_UNKNOWN: tuple[tuple[object, ...], None] = ((), None)
WHOLE = 4  # past 1/WHOLE of the posts changed, the table is read in one pass


class KeptPosts:
    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[object, ...], StoredPost]] = {}
        # one read at a time: the desk reads from its publisher and its request threads
        self._lock = threading.Lock()

    def read(self, session: Session, source_id: str | None = None) -> list[StoredPost]:
        """The stored posts (of one source), newest first. (Read as plain rows, not ORM
        objects: the ORM's bookkeeping took most of the time.)"""
        with self._lock:
            return self._read(session, source_id)

    def _read(self, session: Session, source_id: str | None) -> list[StoredPost]:
        # through the driver's own cursor: SQLAlchemy's rows doubled the time of this
        cursor = session.connection().connection.cursor()
        try:
            if source_id is None:
                cursor.execute(_STAMPS)
            else:
                mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
                cursor.execute(f"{_STAMPS} WHERE source_id = {mark}", (source_id,))
            stamps = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        finally:
            cursor.close()
        kept = self._kept
        stale = [pid for pid, now in stamps.items() if kept.get(pid, _UNKNOWN)[0] != now]
        table = SQLModel.metadata.tables[PostRow.__tablename__]
        rows: Iterable[Any]
        if len(stale) > len(stamps) // WHOLE:
            whole = select(table)
            if source_id is not None:
                whole = whole.where(table.c.source_id == source_id)
            rows = session.execute(whole)
        else:
            rows = (
                row
                for start in range(0, len(stale), 500)
                for row in session.execute(
                    select(table).where(table.c.id.in_(stale[start : start + 500]))
                )
            )
        for row in rows:
            if row.id in stamps:  # (one stored since the stamps were read waits)
                kept[row.id] = (stamps[row.id], to_stored(row))
        if source_id is None:  # posts deleted since
            for gone in kept.keys() - stamps.keys():
                del kept[gone]
        found = [kept[pid][1] for pid in stamps if kept.get(pid, _UNKNOWN)[0] == stamps[pid]]
        found.sort(key=lambda s: (s.date, s.post.id), reverse=True)
        return found

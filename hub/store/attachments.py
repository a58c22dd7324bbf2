"""The attachments of stored posts as hub downloaded and read them: one row per address,
with the text found in it and the name of the copy kept for the portal. Which posts
carry an attachment is read from the posts themselves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from hub.models import Attached
from hub.store.tables import PostRow, UTCDateTime

Sessions = Callable[[], AbstractContextManager[Session]]
CHUNK = 500  # addresses in one IN (...)


class AttachedRow(SQLModel, table=True):
    __tablename__ = "attachments"

    url: str = Field(primary_key=True)
    fetched: datetime = Field(sa_type=UTCDateTime)
    ok: bool
    kind: str = ""
    note: str = ""
    format: str = ""
    size: int = 0
    digest: str = ""
    pages: int = 0
    text: str = ""
    kept: str = ""
    failures: int = 0
    next_try: datetime | None = Field(default=None, sa_type=UTCDateTime)
    etag: str = ""
    last_modified: str = ""


class AttachmentStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        # what a long-running hub read already: url -> the row as of its `fetched`
        self._known: dict[str, Attached] = {}

    def due(self, now: datetime, limit: int, refresh: timedelta) -> list[tuple[str, str, str]]:
        """(address, name, source id) of up to `limit` attachments to download: those of
        posts still listed that hub never tried, newest posts first; then those whose
        last try failed and whose wait is over; then those read more than `refresh` ago
        (asked again with their validators: has the department replaced the file?)."""
        if limit <= 0:
            return []
        with self._sessions() as session:
            tried = {
                url: (ok, wait, fetched)
                for url, ok, wait, fetched in session.exec(
                    select(
                        AttachedRow.url, AttachedRow.ok, AttachedRow.next_try, AttachedRow.fetched
                    )
                )
            }
            carried = session.exec(
                select(PostRow.source_id, PostRow.attachments)
                .where(col(PostRow.attachments) != "[]", col(PostRow.removed).is_(None))
                .order_by(col(PostRow.filed).desc())
            )
            fresh: list[tuple[str, str, str]] = []
            again: list[tuple[datetime, tuple[str, str, str]]] = []
            stale: list[tuple[datetime, tuple[str, str, str]]] = []
            seen: set[str] = set()
            for source_id, listed in carried:
                for name, url in json.loads(listed):
                    if url in seen:
                        continue
                    seen.add(url)
                    entry = (url, name, source_id)
                    if url not in tried:
                        fresh.append(entry)
                        if len(fresh) >= limit:
                            return fresh
                        continue
                    ok, wait, fetched = tried[url]
                    if not ok and (wait is None or wait <= now):
                        again.append((fetched, entry))
                    elif ok and fetched <= now - refresh:
                        stale.append((fetched, entry))
        later = [entry for _, entry in sorted(again) + sorted(stale)]  # longest waiting first
        return (fresh + later)[:limit]

    def record(self, attached: Attached, next_try: datetime | None = None) -> None:
        with self._sessions() as session:
            session.merge(
                AttachedRow(
                    url=attached.url,
                    fetched=attached.fetched,
                    ok=attached.ok,
                    kind=attached.kind,
                    note=attached.note,
                    format=attached.format,
                    size=attached.size,
                    digest=attached.digest,
                    pages=attached.pages,
                    text=attached.text,
                    kept=attached.kept,
                    failures=attached.failures,
                    next_try=next_try,
                    etag=attached.etag,
                    last_modified=attached.last_modified,
                )
            )
            session.commit()

    def of(self, urls: Iterable[str]) -> dict[str, Attached]:
        """The attachments at these addresses that hub tried; a row unchanged since
        this store last read it is not read again (a publish asks for all of them)."""
        wanted = sorted(set(urls))
        found: dict[str, Attached] = {}
        with self._sessions() as session:
            stale: list[str] = []
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                query = select(AttachedRow.url, AttachedRow.fetched).where(
                    col(AttachedRow.url).in_(chunk)
                )
                for url, fetched in session.exec(query):
                    known = self._known.get(url)
                    if known is not None and known.fetched == fetched:
                        found[url] = known
                    else:
                        stale.append(url)
            for start in range(0, len(stale), CHUNK):
                rows = session.exec(
                    select(AttachedRow).where(
                        col(AttachedRow.url).in_(stale[start : start + CHUNK])
                    )
                )
                for row in rows:
                    found[row.url] = self._known[row.url] = _attached(row)
        return found

    def get(self, url: str) -> Attached | None:
        with self._sessions() as session:
            row = session.get(AttachedRow, url)
            return None if row is None else _attached(row)

    def kept_bytes(self) -> int:
        """The total size of the copies kept."""
        with self._sessions() as session:
            total = session.exec(
                select(func.coalesce(func.sum(AttachedRow.size), 0)).where(
                    col(AttachedRow.kept) != ""
                )
            ).one()
        return int(total)

    def tally(self) -> dict[str, int]:
        """How many attachments ended each way: "read", "failing" (their download;
        tried again later), or why their text was not read (`hub status`)."""
        with self._sessions() as session:
            rows = session.exec(
                select(AttachedRow.ok, AttachedRow.kind, func.count()).group_by(
                    col(AttachedRow.ok), col(AttachedRow.kind)
                )
            )
            found: dict[str, int] = {}
            for ok, kind, count in rows:
                key = "failing" if not ok else kind or "read"
                found[key] = found.get(key, 0) + int(count)
        return found

    def failed(self) -> list[Attached]:
        """The attachments whose last try failed, most recent first (`hub status`)."""
        with self._sessions() as session:
            rows = session.exec(
                select(AttachedRow)
                .where(col(AttachedRow.ok).is_(False))
                .order_by(col(AttachedRow.fetched).desc())
            )
            return [_attached(row) for row in rows]


def _attached(row: AttachedRow) -> Attached:
    return Attached(
        url=row.url,
        fetched=row.fetched,
        ok=row.ok,
        kind=row.kind,
        note=row.note,
        format=row.format,
        size=row.size,
        digest=row.digest,
        pages=row.pages,
        text=row.text,
        kept=row.kept,
        failures=row.failures,
        etag=row.etag,
        last_modified=row.last_modified,
    )

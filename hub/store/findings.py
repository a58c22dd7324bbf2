"""Each post's content findings as last checked, kept so that a post is checked once
per content and per set of lists (its `version`), not at every publish; and every
finding of each post as the last publish found them, for the desk's list."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from hub.models import Finding
from hub.store.desk import Sessions
from hub.store.tables import PostRow

KEEP_CHUNK = 10_000  # posts written per transaction by `keep`
IN_CHUNK = 500  # post ids per IN (...) of a query


class FindingsRow(SQLModel, table=True):
    __tablename__ = "post_findings"

    post_id: str = Field(primary_key=True)
    version: str = ""  # the post's hash and the digest of the lists it was checked with
    findings: str = "[]"  # JSON: one list of Finding's fields per finding
    # every finding at the last publish (its dates' too), dismissed ones aside: the
    # desk's list of posts to look at
    listed: str = Field(default="[]")
    count: int = Field(default=0, index=True)  # of `listed`


class FindingsStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def kept(self, version_of: Mapping[str, str]) -> dict[str, tuple[Finding, ...]]:
        """The findings kept for these posts (post id -> the version wanted), where the
        version kept is that one."""
        found: dict[str, tuple[Finding, ...]] = {}
        with self._sessions() as session:
            for chunk in _chunks(list(version_of), IN_CHUNK):
                rows = session.exec(select(FindingsRow).where(col(FindingsRow.post_id).in_(chunk)))
                for row in rows:
                    if version_of[row.post_id] == row.version:
                        found[row.post_id] = _read(row.findings)
        return found

    def keep(self, checked: Sequence[tuple[str, str, tuple[Finding, ...]]]) -> None:
        """(post id, version, findings) of posts just checked, a transaction per
        KEEP_CHUNK posts of two statements for many rows (an ORM object per row made
        a first publish of a million posts flush its whole session at every row)."""
        wanted = {post_id: (version, _write(found)) for post_id, version, found in checked}
        for chunk in _chunks(list(wanted), KEEP_CHUNK):
            self._keep({pid: wanted[pid] for pid in chunk})

    def _keep(self, wanted: dict[str, tuple[str, str]]) -> None:
        for attempt in range(2):  # a row another process added meanwhile: once more
            with self._sessions() as session:
                present = self._present(session, list(wanted))
                try:
                    _write_rows(
                        session,
                        [
                            {"post_id": pid, "version": version, "findings": text}
                            for pid, (version, text) in wanted.items()
                            if pid not in present
                        ],
                        [
                            {"pid": pid, "version": version, "findings": text}
                            for pid, (version, text) in wanted.items()
                            if pid in present
                        ],
                    )
                    session.commit()
                    return
                except IntegrityError:
                    session.rollback()
                    if attempt:
                        raise

    @staticmethod
    def _present(session: Session, ids: list[str]) -> set[str]:
        present: set[str] = set()
        for chunk in _chunks(ids, IN_CHUNK):
            present.update(
                session.exec(select(FindingsRow.post_id).where(col(FindingsRow.post_id).in_(chunk)))
            )
        return present

    def mark(self, found: Mapping[str, tuple[Finding, ...]]) -> None:
        """The findings of every post as a publish found them (post id -> findings,
        posts without any left out): what the desk lists. Only rows that change are
        written (a publish marks every post)."""
        with self._sessions() as session:
            listed = {
                pid: (count, text)
                for pid, count, text in session.execute(
                    select(FindingsRow.post_id, FindingsRow.count, FindingsRow.listed)
                )
            }
            changes = {
                pid: (0, "[]") for pid, (count, _) in listed.items() if count and pid not in found
            }
            for post_id, findings in found.items():
                text = _write(findings)
                if listed.get(post_id, (0, ""))[1] != text:
                    changes[post_id] = (len(findings), text)
            _write_rows(
                session,
                [
                    {"post_id": pid, "version": "", "findings": "[]", "listed": text, "count": n}
                    for pid, (n, text) in changes.items()
                    if pid not in listed
                ],
                [
                    {"pid": pid, "count": n, "listed": text}
                    for pid, (n, text) in changes.items()
                    if pid in listed
                ],
            )
            session.commit()

    def listed(self, limit: int, offset: int = 0) -> tuple[list[tuple[str, int]], int]:
        """A page of (post id, how many findings) of the posts a publish found any in,
        and how many such posts there are."""
        flagged = col(FindingsRow.count) > 0
        with self._sessions() as session:
            total = session.exec(select(func.count()).where(flagged)).one()
            rows = session.exec(
                select(FindingsRow.post_id, FindingsRow.count)
                .join(PostRow, col(PostRow.id) == col(FindingsRow.post_id))
                .where(flagged)
                .order_by(col(PostRow.filed).desc(), col(PostRow.id))
                .offset(offset)
                .limit(limit)
            )
            return [(pid, n) for pid, n in rows], int(total)


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _write_rows(
    session: Session, new: list[dict[str, object]], changed: list[dict[str, object]]
) -> None:
    """Rows inserted whole, and columns of existing rows (keyed "pid") updated: each one
    statement for many rows."""
    table = FindingsRow.__table__  # type: ignore[attr-defined]
    if new:
        session.execute(insert(table), [{"listed": "[]", "count": 0, **row} for row in new])
    if changed:
        columns = [name for name in changed[0] if name != "pid"]
        statement = (
            update(table)
            .where(table.c.post_id == bindparam("pid"))
            .values({name: bindparam(name) for name in columns})
        )
        session.execute(statement, changed)


FIELDS = ("kind", "text", "severity", "suggestion", "field", "position", "note")


def _write(findings: tuple[Finding, ...]) -> str:
    return json.dumps([[getattr(f, name) for name in FIELDS] for f in findings], ensure_ascii=False)


def _read(text: str) -> tuple[Finding, ...]:
    rows: list[list[Any]] = json.loads(text)
    return tuple(Finding(*row) for row in rows)

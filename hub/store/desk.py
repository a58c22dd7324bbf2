"""The desk's side of the database: editors' decisions per post, the desk's settings and
the audit trail. Every change is one transaction with its log line: a process killed
mid-action leaves the change and its record both, or neither."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from hub.decisions import Decision, LogEntry
from hub.store.desk_tables import DecisionRow, DismissalRow, LogRow, SettingRow

Sessions = Callable[[], AbstractContextManager[Session]]
JSON_FIELDS = ("pins", "add", "remove")
TIME_FIELDS = ("show_at", "hide_at", "reviewed_at", "waiting_since")
FIELDS = tuple(name for name in DecisionRow.model_fields if name != "post_id")


@dataclass(frozen=True)
class Actor:
    """Who acts, from where, and when: every change is recorded with these."""

    user: str
    now: datetime
    address: str = ""


@dataclass(frozen=True)
class LogQuery:
    since: datetime | None = None
    until: datetime | None = None
    user: str = ""
    action: str = ""
    post_id: str = ""


class DeskStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        # read-modify-write of one decision (a pin added to the others) is one step for
        # the threads of one desk: two editors' pins at once both count
        self._writing = threading.Lock()

    # decisions ---------------------------------------------------------------------

    def decisions(self) -> dict[str, Decision]:
        with self._sessions() as session:
            return {row.post_id: to_decision(row) for row in session.exec(select(DecisionRow))}

    def decisions_of(self, post_ids: Sequence[str]) -> dict[str, Decision]:
        wanted = list(post_ids)
        found: dict[str, Decision] = {}
        with self._sessions() as session:
            for start in range(0, len(wanted), 500):  # under both databases' limits
                chunk = wanted[start : start + 500]
                rows = session.exec(select(DecisionRow).where(col(DecisionRow.post_id).in_(chunk)))
                found.update((row.post_id, to_decision(row)) for row in rows)
        return found

    def decision(self, post_id: str) -> Decision:
        with self._sessions() as session:
            row = session.get(DecisionRow, post_id)
        return to_decision(row) if row is not None else Decision(post_id)

    def change(
        self,
        post_id: str,
        actor: Actor,
        action: str,
        *,
        reason: str = "",
        channel: str = "",
        compute: Callable[[Decision], Mapping[str, Any]] | None = None,
        **values: Any,
    ) -> Decision:
        """Set fields of a post's decision and log it, in one transaction; `compute`
        gives further values from the decision as it stands (pins, moves)."""
        with self._writing, self._sessions() as session:
            row = session.get(DecisionRow, post_id) or DecisionRow(post_id=post_id)
            if compute is not None:
                values = {**values, **compute(to_decision(row))}
            before = {name: _plain(row, name) for name in values}
            for name, value in values.items():
                _set(row, name, value)
            after = {name: _plain(row, name) for name in values}
            session.add(row)
            session.add(
                _log(
                    actor,
                    action,
                    post_id=post_id,
                    channel=channel,
                    before=before,
                    after=after,
                    reason=reason,
                )
            )
            session.commit()
            return to_decision(row)

    def review(
        self,
        hashes: Mapping[str, str],
        actor: Actor,
        verdict: str,
        reason: str = "",
    ) -> int:
        """Approve or reject posts (post id -> the version's hash), one log line each,
        all in one transaction."""
        with self._sessions() as session:
            for post_id, version in hashes.items():
                row = session.get(DecisionRow, post_id) or DecisionRow(post_id=post_id)
                before = {"review": row.review}
                row.review, row.reviewed_hash, row.reviewed_by = verdict, version, actor.user
                row.reviewed_at, row.reason, row.waiting_since = actor.now, reason, None
                session.add(row)
                after = {"review": verdict}
                session.add(
                    _log(actor, verdict, post_id=post_id, before=before, after=after, reason=reason)
                )
            session.commit()
        return len(hashes)

    def mark_waiting(self, post_ids: Sequence[str], now: datetime) -> None:
        """Posts a channel's policy holds back: on the queue from now."""
        with self._sessions() as session:
            for start in range(0, len(post_ids), 500):
                chunk = list(post_ids[start : start + 500])
                rows = {
                    r.post_id: r
                    for r in session.exec(
                        select(DecisionRow).where(col(DecisionRow.post_id).in_(chunk))
                    )
                }
                for post_id in chunk:
                    row = rows.get(post_id) or DecisionRow(post_id=post_id)
                    row.review, row.waiting_since = "waiting", now
                    session.add(row)
            session.commit()

    def release(self, post_ids: Sequence[str]) -> None:
        """Waiting posts that no policy holds back any more leave the queue."""
        with self._sessions() as session:
            for post_id in post_ids:
                row = session.get(DecisionRow, post_id)
                if row is not None and row.review == "waiting":
                    row.review, row.waiting_since = "", None
                    session.add(row)
            session.commit()

    def waiting(self, limit: int = 50, offset: int = 0) -> tuple[list[str], int]:
        """Post ids on the queue, oldest first, and how many there are."""
        with self._sessions() as session:
            waiting = DecisionRow.review == "waiting"
            total = session.exec(select(func.count()).where(waiting)).one()
            query = (
                select(DecisionRow.post_id)
                .where(waiting)
                .order_by(col(DecisionRow.waiting_since), col(DecisionRow.post_id))
                .offset(offset)
                .limit(limit)
            )
            return list(session.exec(query)), int(total)

    # settings ----------------------------------------------------------------------

    def setting(self, name: str) -> str:
        with self._sessions() as session:
            row = session.get(SettingRow, name)
        return row.value if row is not None else ""

    def set_setting(self, name: str, value: str, actor: Actor, action: str) -> None:
        with self._sessions() as session:
            row = session.get(SettingRow, name) or SettingRow(name=name)
            before = row.value
            row.value = value
            session.add(row)
            entry = _log(
                actor, action, post_id=value or before, before={name: before}, after={name: value}
            )
            session.add(entry)
            session.commit()

    # the audit trail ---------------------------------------------------------------

    def dismiss(self, post_id: str, keys: Sequence[str], actor: Actor, reason: str) -> int:
        """Dismiss findings of a post (their `Finding.key`), one log line each, in one
        transaction; how many were not dismissed already."""
        done = 0
        with self._sessions() as session:
            for key in dict.fromkeys(keys):
                if session.get(DismissalRow, (post_id, key)) is not None:
                    continue
                session.add(
                    DismissalRow(
                        post_id=post_id, key=key, user=actor.user, at=actor.now, reason=reason
                    )
                )
                session.add(
                    _log(actor, "dismiss", post_id=post_id, after={"finding": key}, reason=reason)
                )
                done += 1
            session.commit()
        return done

    def dismissed(self) -> dict[str, set[str]]:
        """Post id -> the keys of its dismissed findings."""
        found: dict[str, set[str]] = {}
        with self._sessions() as session:
            for post_id, key in session.exec(select(DismissalRow.post_id, DismissalRow.key)):
                found.setdefault(post_id, set()).add(key)
        return found

    def record(
        self,
        actor: Actor,
        action: str,
        *,
        post_id: str = "",
        reason: str = "",
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """A line on the log for what changes no decision (a login, a failed one, a
        saved channels.yaml)."""
        with self._sessions() as session:
            session.add(
                _log(actor, action, post_id=post_id, reason=reason, before=before, after=after)
            )
            session.commit()

    def last_entry(self) -> int:
        """The id of the newest log line (0 before any): it grows with every action."""
        with self._sessions() as session:
            return int(session.exec(select(func.max(LogRow.id))).one() or 0)

    def entries(self, query: LogQuery, limit: int = 100, offset: int = 0) -> list[LogEntry]:
        """Log lines, newest first."""
        with self._sessions() as session:
            rows = session.exec(
                _filtered(query).order_by(col(LogRow.id).desc()).offset(offset).limit(limit)
            )
            return [to_entry(row) for row in rows]

    def count(self, query: LogQuery) -> int:
        with self._sessions() as session:
            counted = _filtered(query).with_only_columns(func.count())
            return int(session.exec(counted).one())

    def export(self, query: LogQuery, batch: int = 2000) -> Iterator[LogEntry]:
        """Every matching line, oldest first, read in batches (for exports of any size)."""
        last = 0
        columns = select(*LogRow.__table__.columns)  # type: ignore[attr-defined]
        while True:
            statement = _filtered(query, columns).where(col(LogRow.id) > last)
            with self._sessions() as session:  # plain rows: no ORM objects to build
                rows = list(session.execute(statement.order_by(col(LogRow.id)).limit(batch)))
            if not rows:
                return
            yield from (LogEntry(*row) for row in rows)
            last = rows[-1][0]


def _filtered(query: LogQuery, statement: Any = None) -> Any:
    statement = select(LogRow) if statement is None else statement
    if query.since is not None:
        statement = statement.where(col(LogRow.at) >= query.since)
    if query.until is not None:
        statement = statement.where(col(LogRow.at) < query.until)
    for name in ("user", "action", "post_id"):
        if value := getattr(query, name):
            statement = statement.where(getattr(LogRow, name) == value)
    return statement


def _log(
    actor: Actor,
    action: str,
    *,
    post_id: str = "",
    channel: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> LogRow:
    return LogRow(
        at=actor.now,
        user=actor.user,
        action=action,
        post_id=post_id,
        channel=channel,
        before=json.dumps(before, ensure_ascii=False) if before else "",
        after=json.dumps(after, ensure_ascii=False) if after else "",
        reason=reason,
        address=actor.address,
    )


def _set(row: DecisionRow, name: str, value: Any) -> None:
    if name not in FIELDS:
        raise KeyError(f"a post's decision has no field {name!r}")
    if name == "pins":
        value = json.dumps([[slug, until.isoformat() if until else None] for slug, until in value])
    elif name in JSON_FIELDS:
        value = json.dumps(list(value), ensure_ascii=False)
    setattr(row, name, value)


def _plain(row: DecisionRow, name: str) -> Any:
    """A field as the log shows it: JSON lists as lists, times in ISO 8601."""
    value = getattr(row, name)
    if name in JSON_FIELDS:
        return json.loads(value or "[]")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def to_decision(row: DecisionRow) -> Decision:
    pins = tuple(
        (str(slug), datetime.fromisoformat(until) if until else None)
        for slug, until in json.loads(row.pins or "[]")
    )
    return Decision(
        post_id=row.post_id,
        review=row.review,  # type: ignore[arg-type]
        reviewed_hash=row.reviewed_hash,
        reviewed_by=row.reviewed_by,
        reason=row.reason,
        taken_down=row.taken_down,
        show_at=row.show_at,
        hide_at=row.hide_at,
        pins=pins,
        add=tuple(json.loads(row.add or "[]")),
        remove=tuple(json.loads(row.remove or "[]")),
        title=row.title,
        summary=row.summary,
        reprint_of=row.reprint_of,
        not_reprint=row.not_reprint,
    )


def to_entry(row: LogRow) -> LogEntry:
    return LogEntry(
        row.id or 0,
        row.at,
        row.user,
        row.action,
        row.post_id,
        row.channel,
        row.before,
        row.after,
        row.reason,
        row.address,
    )

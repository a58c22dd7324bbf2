"""The desk's users and their sessions. Passwords arrive here already hashed, and a
session is kept by the SHA-256 of its token: the database never holds a secret that
would let its reader log in. Every change to a user is logged in its transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select

from hub.decisions import Role, User
from hub.errors import StoreError
from hub.store.desk import Actor, Sessions, _log
from hub.store.desk_tables import SessionRow, UserRow


class PeopleStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def users(self) -> list[User]:
        with self._sessions() as session:
            rows = session.exec(select(UserRow).order_by(col(UserRow.name)))
            return [_user(row) for row in rows]

    def user(self, name: str) -> User | None:
        with self._sessions() as session:
            row = session.get(UserRow, name)
        return _user(row) if row is not None else None

    def add(self, name: str, role: Role, password_hash: str, actor: Actor) -> None:
        with self._sessions() as session:
            if session.get(UserRow, name) is not None:
                raise StoreError(f"there is already a user named {name!r}")
            row = UserRow(name=name, role=role, password_hash=password_hash, created=actor.now)
            session.add(row)
            session.add(_log(actor, "user-add", after={"user": name, "role": role}))
            session.commit()

    def update(
        self,
        name: str,
        actor: Actor,
        action: str,
        *,
        role: Role | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> None:
        """Change a user; a new password, role or a disabling ends their sessions."""
        with self._sessions() as session:
            row = session.get(UserRow, name)
            if row is None:
                raise StoreError(f"no user named {name!r}")
            before: dict[str, object] = {"user": name}
            after: dict[str, object] = {"user": name}
            if role is not None:
                before["role"], after["role"], row.role = row.role, role, role
            if disabled is not None:
                before["disabled"], after["disabled"] = row.disabled, disabled
                row.disabled = disabled
            if password_hash is not None:
                row.password_hash = password_hash
                after["password"] = "new"  # noqa: S105 (never the hash, let alone the password)
            session.add(row)
            session.execute(delete(SessionRow).where(col(SessionRow.user) == name))
            session.add(_log(actor, action, before=before, after=after))
            session.commit()

    def rehash(self, name: str, password_hash: str) -> None:
        """A stronger hash of the same password (argon2's parameters grew): no one acted."""
        with self._sessions() as session:
            row = session.get(UserRow, name)
            if row is not None:
                row.password_hash = password_hash
                session.add(row)
                session.commit()

    # sessions ----------------------------------------------------------------------

    def open_session(self, token_hash: str, user: str, csrf: str, now: datetime) -> None:
        with self._sessions() as session:
            row = SessionRow(token_hash=token_hash, user=user, csrf=csrf, created=now, seen=now)
            session.add(row)
            session.commit()

    def session(self, token_hash: str) -> tuple[str, str, datetime] | None:
        """(user, CSRF token, last seen) of a session."""
        with self._sessions() as session:
            row = session.get(SessionRow, token_hash)
        return (row.user, row.csrf, row.seen) if row is not None else None

    def touch(self, token_hash: str, now: datetime) -> None:
        with self._sessions() as session:
            row = session.get(SessionRow, token_hash)
            if row is not None:
                row.seen = now
                session.add(row)
                session.commit()

    def close_session(self, token_hash: str) -> None:
        with self._sessions() as session:
            session.execute(delete(SessionRow).where(col(SessionRow.token_hash) == token_hash))
            session.commit()

    def forget_sessions(self, before: datetime) -> None:
        """Sessions idle since before `before` are gone for good."""
        with self._sessions() as session:
            session.execute(delete(SessionRow).where(col(SessionRow.seen) < before))
            session.commit()


def _user(row: UserRow) -> User:
    return User(row.name, row.role, row.disabled, row.password_hash, row.created)  # type: ignore[arg-type]

"""The desk's tables: editors' decisions per post, findings dismissed, the desk's
settings, its users and their sessions, and the audit trail, which the database itself
keeps append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from hub.store.tables import UTCDateTime


class DecisionRow(SQLModel, table=True):
    __tablename__ = "post_desk"

    post_id: str = Field(primary_key=True)
    review: str = Field(default="", index=True)  # "", waiting, approved, rejected
    reviewed_hash: str = ""
    reviewed_by: str = ""
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = ""
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    taken_down: bool = False
    show_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hide_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pins: str = "[]"  # JSON list of [channel, until ISO or null]
    add: str = "[]"  # JSON list of channel slugs
    remove: str = "[]"
    title: str = ""
    summary: str = ""
    reprint_of: str = ""
    not_reprint: bool = False


class DismissalRow(SQLModel, table=True):
    """A content finding an editor judged not to be one, for one post: it does not come
    back for that post (`Finding.key`: the kind, the field and the text found)."""

    __tablename__ = "finding_dismissals"

    post_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    user: str
    at: datetime = Field(sa_type=UTCDateTime)
    reason: str = ""


class SettingRow(SQLModel, table=True):
    __tablename__ = "desk_settings"

    name: str = Field(primary_key=True)  # lead: the home page's lead story
    value: str = ""


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    name: str = Field(primary_key=True)
    role: str
    password_hash: str
    disabled: bool = False
    created: datetime = Field(sa_type=UTCDateTime)


class SessionRow(SQLModel, table=True):
    __tablename__ = "desk_sessions"

    token_hash: str = Field(primary_key=True)  # SHA-256 of the cookie's token
    user: str = Field(index=True)
    csrf: str
    created: datetime = Field(sa_type=UTCDateTime)
    seen: datetime = Field(sa_type=UTCDateTime)


class LogRow(SQLModel, table=True):
    __tablename__ = "desk_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True, sa_type=UTCDateTime)
    user: str = Field(index=True)
    action: str = Field(index=True)
    post_id: str = Field(default="", index=True)
    channel: str = ""
    before: str = ""  # JSON
    after: str = ""  # JSON
    reason: str = ""
    address: str = ""


def protect_log(connection: Connection) -> None:
    """The desk may only add to its log: the database refuses to change or delete a line
    (SQLite triggers; on PostgreSQL, a trigger function that raises, for TRUNCATE too)."""
    if connection.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            connection.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS desk_log_no_{verb.lower()} BEFORE {verb} "
                    "ON desk_log BEGIN SELECT RAISE(ABORT, 'the desk log is append-only'); END"
                )
            )
    elif connection.dialect.name == "postgresql":
        present = "SELECT 1 FROM pg_trigger WHERE tgrelid = 'desk_log'::regclass AND tgname = :name"
        if connection.execute(text(present), {"name": "desk_log_append_only"}).first():
            return
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION desk_log_refuse() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RAISE EXCEPTION 'the desk log is append-only'; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER desk_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                "ON desk_log FOR EACH STATEMENT EXECUTE FUNCTION desk_log_refuse()"
            )
        )

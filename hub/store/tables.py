"""The tables of a hub database, and how a database an earlier hub made is brought up
to date (columns are only ever added); owns sqlmodel and sqlalchemy with the rest of
`hub.store`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, inspect, literal, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("naive datetime given to the store; hub keeps aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class PostRow(SQLModel, table=True):
    __tablename__ = "posts"

    id: str = Field(primary_key=True)
    source_id: str = Field(index=True)
    key: str
    url: str
    title: str
    content_html: str
    text: str
    published: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated: datetime | None = Field(default=None, sa_type=UTCDateTime)
    author: str = ""
    categories: str = "[]"  # JSON list
    attachments: str = "[]"  # JSON list of [title, url]
    sketch: str = ""  # hex values, space-separated; "-" when the text is too short to sketch
    hash: str
    first_seen: datetime = Field(sa_type=UTCDateTime)
    filed: datetime = Field(index=True, sa_type=UTCDateTime)
    changed: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the date the source gave when hub first stored the post (a later change is a finding)
    first_published: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SourceRow(SQLModel, table=True):
    __tablename__ = "sources"

    source_id: str = Field(primary_key=True)
    etag: str = ""
    last_modified: str = ""
    feed_url: str = ""
    next_fetch_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    error_kind: str = ""
    last_error: str = ""
    last_fetch_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_ok_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_new_post_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notes: str = ""
    note_count: int = 0
    shrunk: int = 0


class RunRow(SQLModel, table=True):
    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    started: datetime = Field(index=True, sa_type=UTCDateTime)
    seconds: float
    sources: int = 0
    new: int = 0
    changed: int = 0
    failed: int = 0
    published: bool = False
    error: str = ""


RUNS_KEPT = 1000  # older runs are forgotten


class FetchRow(SQLModel, table=True):
    """Each fetch of a source's own address: what the availability audit counts."""

    __tablename__ = "fetches"

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True)
    at: datetime = Field(index=True, sa_type=UTCDateTime)
    ok: bool
    seconds: float


FETCHES_KEPT = 30  # days: the audit's window is at most that


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def add_missing_columns(connection: Connection) -> None:
    """Bring a database made by an earlier hub up to date: new columns are added with
    their defaults, in the caller's transaction. (Columns are only ever added; a rename
    would need a real migration.)"""
    inspector = inspect(connection)
    dialect = connection.dialect
    for table in SQLModel.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=dialect)
            default = getattr(column.default, "arg", None)
            if default is None or callable(default):
                clause = ""
            else:
                value = literal(default, column.type).compile(
                    dialect=dialect, compile_kwargs={"literal_binds": True}
                )
                clause = f" NOT NULL DEFAULT {value}"
            connection.execute(
                text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{clause}')
            )

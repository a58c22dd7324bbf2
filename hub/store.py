"""Posts and source state in SQL (SQLite in WAL mode by default); owns sqlmodel and
sqlalchemy. ORM rows never leave this module: callers get `models` values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import DateTime, delete, event, func, inspect, literal, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from hub.errors import ERROR_KINDS, ErrorKind, StoreError
from hub.models import Attachment, Post, RunRecord, SourceState, StoredPost, shown_date

Sketcher = Callable[[Post], tuple[int, ...]]


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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _add_missing_columns(engine: Engine) -> None:
    """Bring a database made by an earlier hub up to date: new columns are added with
    their defaults. (Columns are only ever added; a rename would need a real migration.)"""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = getattr(column.default, "arg", None)
                if default is None or callable(default):
                    clause = ""
                else:
                    value = literal(default).compile(compile_kwargs={"literal_binds": True})
                    clause = f" NOT NULL DEFAULT {value}"
                connection.execute(
                    text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{clause}')
                )


class Store:
    """The database behind one hub site."""

    def __init__(self, url: str) -> None:
        try:
            self._engine: Engine = create_engine(url)
            if url.startswith("sqlite"):
                event.listen(self._engine, "connect", _sqlite_pragmas)
            SQLModel.metadata.create_all(self._engine)
            _add_missing_columns(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(_explained(exc, url)) from exc

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

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(_explained(exc, str(self._engine.url))) from exc

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        found: set[str] = set()
        with self._session() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(session.exec(select(PostRow.id).where(col(PostRow.id).in_(chunk))))
        return found

    def save(
        self, posts: Iterable[Post], now: datetime, sketch: Sketcher | None = None
    ) -> tuple[int, int]:
        """Insert new posts and update changed ones in one transaction; (new, changed).
        A post keeps its first-seen time and its filing date forever. `sketch` is called
        on new and changed posts only, and its result kept with them."""
        by_id = {post.id: post for post in posts}
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
                    row = _new_row(post, now)
                    new += 1
                elif row.hash != post.hash:
                    _update_row(row, post, now)
                    changed += 1
                else:
                    continue
                row.sketch = _sketch_text(sketch(post)) if sketch else ""
                session.add(row)
            session.commit()
        return new, changed

    def posts(self, source_id: str | None = None) -> list[StoredPost]:
        """Stored posts, newest first."""
        query = select(PostRow)
        if source_id is not None:
            query = query.where(PostRow.source_id == source_id)
        with self._session() as session:
            stored = [_stored(row) for row in session.exec(query)]
        stored.sort(key=lambda s: (s.date, s.post.id), reverse=True)
        return stored

    def fill_sketches(self, sketch: Sketcher) -> int:
        """Sketch the posts stored without one (by an earlier hub); how many were."""
        with self._session() as session:
            rows = list(session.exec(select(PostRow).where(PostRow.sketch == "")))
            for row in rows:
                row.sketch = _sketch_text(sketch(_stored(row).post)) or "-"
                session.add(row)
            session.commit()
        return len(rows)

    def mark_removed(self, source_id: str, listed: set[str], since: datetime, now: datetime) -> int:
        """Posts of a source published since `since` that it no longer lists were removed
        upstream (撤稿): mark them; a listed post that was marked is back. Nothing is
        deleted. Returns how many were newly marked."""
        with self._session() as session:
            rows = session.exec(
                select(PostRow).where(
                    PostRow.source_id == source_id,
                    (col(PostRow.published) >= since) | col(PostRow.id).in_(list(listed)),
                )
            )
            marked = 0
            for row in rows:
                present = row.id in listed
                if present and row.removed is not None:
                    row.removed = None
                elif not present and row.removed is None:
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
        return _stored(row) if row is not None else None

    def post_counts(self) -> dict[str, int]:
        with self._session() as session:
            query = select(PostRow.source_id, func.count()).group_by(PostRow.source_id)
            return {sid: int(n) for sid, n in session.exec(query)}

    def state(self, source_id: str) -> SourceState:
        with self._session() as session:
            row = session.get(SourceRow, source_id)
        return _state(row) if row is not None else SourceState(source_id)

    def states(self) -> dict[str, SourceState]:
        counts = self.post_counts()
        with self._session() as session:
            rows = list(session.exec(select(SourceRow)))
        states = {row.source_id: _state(row, counts.get(row.source_id, 0)) for row in rows}
        for sid, n in counts.items():
            states.setdefault(sid, SourceState(sid, posts=n))
        return states

    def record(self, state: SourceState) -> None:
        """Write a source's state (insert or replace)."""
        values = {name: getattr(state, name) for name in SourceRow.model_fields}
        with self._session() as session:
            session.merge(SourceRow(**values))
            session.commit()

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

    def last_published(self) -> datetime | None:
        """When the latest run that published started."""
        with self._session() as session:
            query = (
                select(RunRow.started)
                .where(col(RunRow.published).is_(True))
                .order_by(col(RunRow.id).desc())
                .limit(1)
            )
            return session.exec(query).first()

    def changed_since(self, moment: datetime) -> bool:
        """Whether any post was stored, changed or withdrawn after `moment`: what a
        publish at `moment` cannot have shown."""
        query = select(PostRow.id).where(
            (col(PostRow.first_seen) > moment)
            | (col(PostRow.changed) > moment)
            | (col(PostRow.removed) > moment)
        )
        with self._session() as session:
            return session.exec(query.limit(1)).first() is not None

    def runs(self, limit: int = 10) -> list[RunRecord]:
        """The latest runs, newest first."""
        with self._session() as session:
            rows = session.exec(select(RunRow).order_by(col(RunRow.id).desc()).limit(limit))
            fields = [name for name in RunRow.model_fields if name != "id"]
            return [RunRecord(**{name: getattr(row, name) for name in fields}) for row in rows]


# What the database said, and what to do about it, in one line.
_ADVICE = (
    (
        ("file is not a database", "malformed", "file is encrypted", "corrupt"),
        "the database file is damaged: restore it from a backup, or move it aside and "
        "run `hub run` to crawl every source again (posts no source lists any more are "
        "then lost)",
    ),
    (
        ("database or disk is full", "disk i/o error", "no space left"),
        "the disk holding it is full or failing: free space there, then run the command "
        "again (nothing half-written was kept)",
    ),
    (
        ("readonly database", "unable to open database", "permission denied"),
        "hub cannot write or open it: check that data/ and its files belong to the user "
        "that runs hub and are writable",
    ),
    (("database is locked",), "another program holds the database: try again when it ends"),
)


def _explained(exc: SQLAlchemyError, url: str) -> str:
    """A database error as one line: where, what the database said, what to do."""
    said = str(getattr(exc, "orig", None) or exc).splitlines()[0].strip()
    where = url.removeprefix("sqlite:///")
    lowered = said.lower()
    advice = next(
        (text for needles, text in _ADVICE if any(n in lowered for n in needles)),
        "check that the database is reachable and whole",
    )
    return f"the database {where} cannot be used ({said}): {advice}"


def _sketch_text(values: tuple[int, ...]) -> str:
    return " ".join(f"{v:x}" for v in values) or "-"


def _new_row(post: Post, now: datetime) -> PostRow:
    row = PostRow(
        id=post.id,
        source_id=post.source_id,
        key=post.key,
        url=post.url,
        title=post.title,
        content_html=post.content_html,
        text=post.text,
        hash=post.hash,
        first_seen=now,
        filed=shown_date(post.published, now),  # the permalink month, fixed here
    )
    _copy(row, post)
    return row


def _update_row(row: PostRow, post: Post, now: datetime) -> None:
    row.url, row.title = post.url, post.title
    row.content_html, row.text = post.content_html, post.text
    row.hash, row.changed = post.hash, now
    _copy(row, post)


def _copy(row: PostRow, post: Post) -> None:
    row.published, row.updated = post.published, post.updated
    row.author = post.author
    row.categories = json.dumps(list(post.categories), ensure_ascii=False)
    row.attachments = json.dumps([[a.title, a.url] for a in post.attachments], ensure_ascii=False)


def _stored(row: PostRow) -> StoredPost:
    post = Post(
        source_id=row.source_id,
        key=row.key,
        url=row.url,
        title=row.title,
        content_html=row.content_html,
        text=row.text,
        published=row.published,
        updated=row.updated,
        author=row.author,
        categories=tuple(json.loads(row.categories)),
        attachments=tuple(Attachment(title, url) for title, url in json.loads(row.attachments)),
    )
    sketch = tuple(int(v, 16) for v in row.sketch.split()) if row.sketch not in ("", "-") else ()
    return StoredPost(post, row.first_seen, row.filed, row.changed, sketch, row.removed)


def _kind(stored: str) -> ErrorKind | Literal[""]:
    """A stored error kind; one this hub does not know (a newer hub's) reads as internal."""
    if not stored:
        return ""
    return next((kind for kind in ERROR_KINDS if kind == stored), "internal")


def _state(row: SourceRow, posts: int = 0) -> SourceState:
    return SourceState(
        source_id=row.source_id,
        etag=row.etag,
        last_modified=row.last_modified,
        feed_url=row.feed_url,
        next_fetch_at=row.next_fetch_at,
        failures=row.failures,
        error_kind=_kind(row.error_kind),
        last_error=row.last_error,
        last_fetch_at=row.last_fetch_at,
        last_ok_at=row.last_ok_at,
        last_new_post_at=row.last_new_post_at,
        posts=posts,
        notes=row.notes,
        note_count=row.note_count,
    )

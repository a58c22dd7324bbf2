"""The links of stored posts and what their checks found: one row per address, the posts
that carry it, and which version of each post its links were read from."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlalchemy.orm import Mapped
from sqlmodel import Field, Session, SQLModel, col, select

from hub.models import Link, LinkStatus, Post
from hub.store.rows import to_stored
from hub.store.tables import PostRow, UTCDateTime

Sessions = Callable[[], AbstractContextManager[Session]]
STATUSES: tuple[LinkStatus, ...] = ("unchecked", "ok", "failing", "dead", "moved")
CHUNK = 500  # ids in one IN (...)


class LinkRow(SQLModel, table=True):
    __tablename__ = "links"

    url: str = Field(primary_key=True)
    host: str = Field(index=True)
    first_seen: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="unchecked", index=True)
    last_checked: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    failures: int = 0
    answer: str = ""
    final_url: str = ""
    note: str = ""
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LinkPostRow(SQLModel, table=True):
    __tablename__ = "link_posts"

    url: str = Field(primary_key=True)
    post_id: str = Field(primary_key=True, index=True)


class LinkScanRow(SQLModel, table=True):
    """The version (hash) of a post whose links `link_posts` holds."""

    __tablename__ = "link_scans"

    post_id: str = Field(primary_key=True)
    hash: str


class LinkStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def unscanned(self, limit: int) -> list[Post]:
        """Posts whose links were not read since they were stored or last changed."""
        query = (
            select(PostRow)
            .outerjoin(LinkScanRow, col(LinkScanRow.post_id) == col(PostRow.id))
            .where(or_(col(LinkScanRow.hash).is_(None), col(LinkScanRow.hash) != col(PostRow.hash)))
            .order_by(col(PostRow.filed).desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [to_stored(row).post for row in session.exec(query)]

    def carry(self, found: Mapping[str, tuple[str, Sequence[str]]], now: datetime) -> int:
        """Post id -> (the version read, its links): each post now carries exactly these
        links; a link no post carries any more is forgotten. One transaction; returns
        how many links are new."""
        ids = list(found)
        with self._sessions() as session:
            before = {
                row.url
                for start in range(0, len(ids), CHUNK)
                for row in session.exec(
                    select(LinkPostRow).where(
                        col(LinkPostRow.post_id).in_(ids[start : start + CHUNK])
                    )
                )
            }
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                session.execute(delete(LinkPostRow).where(col(LinkPostRow.post_id).in_(chunk)))
                session.execute(delete(LinkScanRow).where(col(LinkScanRow.post_id).in_(chunk)))
            wanted = {url for _, urls in found.values() for url in urls}
            known = set(self._present(session, col(LinkRow.url), wanted))
            for post_id, (version, urls) in found.items():
                session.add(LinkScanRow(post_id=post_id, hash=version))
                session.add_all(LinkPostRow(url=url, post_id=post_id) for url in urls)
            session.add_all(
                LinkRow(url=url, host=_host(url), first_seen=now) for url in wanted - known
            )
            session.flush()
            dropped = before - wanted
            still = set(self._present(session, col(LinkPostRow.url), dropped))
            for chunk in _chunks(sorted(dropped - still)):
                session.execute(delete(LinkRow).where(col(LinkRow.url).in_(chunk)))
            session.commit()
        return len(wanted - known)

    def due(
        self,
        now: datetime,
        every: float,
        retry: float,
        limit: int,
        skip: Callable[[str], bool] = lambda url: False,
    ) -> list[Link]:
        """Up to `limit` links to check now, the longest unchecked first: never checked,
        failing and last checked `retry` seconds ago, or other and `every` seconds ago;
        not those a server asked to wait, nor those `skip` names."""
        last = col(LinkRow.last_checked)
        query = (
            select(LinkRow)
            .where(
                or_(col(LinkRow.not_before).is_(None), col(LinkRow.not_before) <= now),
                or_(
                    last.is_(None),
                    (col(LinkRow.status) == "failing") & (last <= now - timedelta(seconds=retry)),
                    (col(LinkRow.status) != "failing") & (last <= now - timedelta(seconds=every)),
                ),
            )
            .order_by(last.asc().nulls_first(), col(LinkRow.first_seen), col(LinkRow.url))
            .execution_options(yield_per=CHUNK)
        )
        chosen: list[Link] = []
        with self._sessions() as session:
            rows = session.exec(query)
            try:
                for row in rows:
                    if len(chosen) >= limit:
                        break
                    if not skip(row.url):
                        chosen.append(_link(row))
            finally:
                rows.close()  # PostgreSQL's server-side cursor, left part read
        return chosen

    def record(self, link: Link) -> None:
        """Write what a check found (a link forgotten meanwhile stays forgotten)."""
        with self._sessions() as session:
            row = session.get(LinkRow, link.url)
            if row is None:
                return
            row.status, row.last_checked, row.failures = (
                link.status,
                link.last_checked,
                link.failures,
            )
            row.answer, row.final_url, row.note = link.answer, link.final_url, link.note
            row.not_before = link.not_before
            session.add(row)
            session.commit()

    def links(self, statuses: Collection[LinkStatus] = STATUSES) -> list[Link]:
        """The links of these statuses with the posts that carry them, by address."""
        with self._sessions() as session:
            rows = list(
                session.exec(
                    select(LinkRow)
                    .where(col(LinkRow.status).in_(list(statuses)))
                    .order_by(col(LinkRow.url))
                )
            )
            carriers: dict[str, list[str]] = {}
            for chunk in _chunks([row.url for row in rows]):
                query = select(LinkPostRow).where(col(LinkPostRow.url).in_(chunk))
                for pair in session.exec(query.order_by(col(LinkPostRow.post_id))):
                    carriers.setdefault(pair.url, []).append(pair.post_id)
        return [_link(row, tuple(carriers.get(row.url, ()))) for row in rows]

    def counts(self) -> dict[LinkStatus, int]:
        """How many links are in each status."""
        with self._sessions() as session:
            query = select(LinkRow.status, func.count()).group_by(col(LinkRow.status))
            found = {status: int(n) for status, n in session.exec(query)}
        return {status: found.get(status, 0) for status in STATUSES}

    @staticmethod
    def _present(session: Session, column: Mapped[str], urls: Iterable[str]) -> Iterator[str]:
        """Which of `urls` the column (LinkRow.url or LinkPostRow.url) holds."""
        for chunk in _chunks(sorted(urls)):
            yield from session.exec(select(column).where(column.in_(chunk)).distinct())


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].rsplit("@", 1)[-1].lower()


def _status(stored: str) -> LinkStatus:
    """A stored status; one this hub does not know (a newer hub's) reads as unchecked."""
    return next((status for status in STATUSES if status == stored), "unchecked")


def _link(row: LinkRow, posts: tuple[str, ...] = ()) -> Link:
    return Link(
        url=row.url,
        first_seen=row.first_seen,
        status=_status(row.status),
        last_checked=row.last_checked,
        failures=row.failures,
        answer=row.answer,
        final_url=row.final_url,
        note=row.note,
        not_before=row.not_before,
        posts=posts,
    )

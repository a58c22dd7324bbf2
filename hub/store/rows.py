"""Rows to values and back: what `Store` needs that is not itself a query."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, Protocol

from hub.errors import ERROR_KINDS, ErrorKind
from hub.models import Attachment, Post, SourceState, StoredPost, shown_date
from hub.store.tables import PostRow, SourceRow


class Sketcher(Protocol):
    """What reprint detection compares of a post, and the version of how it is made
    (`hub.reprints.SKETCHER`): sketches of another version are made again."""

    @property
    def version(self) -> str: ...

    def __call__(self, post: Post, /) -> tuple[int, ...]: ...


def sketch_text(values: tuple[int, ...], version: str) -> str:
    """As the posts table keeps a sketch: its version, then its values ("-": none)."""
    return f"{version}:" + (" ".join(f"{v:x}" for v in values) or "-")


def new_row(post: Post, now: datetime) -> PostRow:
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
        first_published=post.published,
    )
    copy_into(row, post)
    return row


def update_row(row: PostRow, post: Post, now: datetime) -> None:
    row.url, row.title = post.url, post.title
    row.content_html, row.text = post.content_html, post.text
    row.hash, row.changed = post.hash, now
    copy_into(row, post)


def copy_into(row: PostRow, post: Post) -> None:
    row.published, row.updated = post.published, post.updated
    row.author = post.author
    row.categories = json.dumps(list(post.categories), ensure_ascii=False)
    row.attachments = json.dumps([[a.title, a.url] for a in post.attachments], ensure_ascii=False)


def to_stored(row: Any) -> StoredPost:
    """A post's row (an ORM object or a plain row of the posts table) as a value."""
    post = Post.restored(
        row.id,
        row.hash,
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
    values = row.sketch.rpartition(":")[2]  # (after the version; none in an earlier hub's)
    sketch = tuple(map(_hex, values.split())) if values not in ("", "-") else ()
    return StoredPost(
        post, row.first_seen, row.filed, row.changed, sketch, row.removed, row.first_published
    )


def _hex(value: str) -> int:
    return int(value, 16)


def _kind(stored: str) -> ErrorKind | Literal[""]:
    """A stored error kind; one this hub does not know (a newer hub's) reads as internal."""
    if not stored:
        return ""
    return next((kind for kind in ERROR_KINDS if kind == stored), "internal")


def to_state(row: SourceRow, posts: int = 0) -> SourceState:
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
        shrunk=row.shrunk,
    )

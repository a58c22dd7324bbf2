"""One feed entry, whatever the format, -> a Post: the rules every feed parser shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hub.models import Post
from hub.parse.html import one_line, safe_url, to_text
from hub.parse.identity import identity_key


def entry_post(
    *,
    source_id: str,
    guid: str | None,
    link: str,
    title: str,
    body: str,
    published: datetime | None,
    updated: datetime | None,
    author: str = "",
    categories: Iterable[str] = (),
) -> Post | None:
    """A post from an entry's parts (`body` already sanitized); None for an empty entry."""
    title, text, link = one_line(title), to_text(body), safe_url(link)
    if not title and not text:
        return None
    first = published or updated  # an entry dated only by its update is dated by it
    return Post(
        source_id=source_id,
        key=identity_key(guid, link, title, text),
        url=link,
        title=title or text[:60],
        content_html=body,
        text=text,
        published=first,
        updated=updated if updated != first else None,
        author=one_line(author),
        categories=tuple(categories),
    )

"""One post as the search index sees it, what an update did, and a hit as an engine
finds it (plain values: each engine turns them into its own fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Document:
    """One post as the index sees it."""

    id: str
    hash: str  # changes whenever anything indexed here changes
    title: str
    text: str
    department: str
    source_id: str
    group: str
    sections: tuple[str, ...]
    date: datetime
    path: str
    files: tuple[str, ...] = ()  # attachments' names
    attached: tuple[tuple[str, str], ...] = ()  # (name, text) of the attachments read

    def fields(self) -> dict[str, Any]:
        read = capped(self.attached, ATTACHED_CHARS)
        files = "\n".join((*self.files, *(text for _, text in read)))
        return {
            "id": self.id,
            "version": f"{self.id}:{self.hash}",
            "title": self.title,
            "text": self.text,
            "department": self.department,
            "title_grams": self.title,
            "grams": f"{self.title}\n{self.department}\n{self.text}\n{files}",
            "source": self.source_id,
            "group": self.group,
            "sections": ",".join(self.sections),
            "date": self.date.astimezone(UTC).replace(tzinfo=None),
            "path": self.path,
            "attached": joined(self.attached),
        }


SHOWN_CHARS = 20_000  # of each attachment's text, kept in the index for snippets
# Of a post's attachments together: what is indexed, and what is kept for snippets. A
# post with hundreds of attachments (of 200,000 characters each at most) would be tens
# of millions of characters in one document: a minute and gigabytes to index, each time
# it changes. The first attachments are indexed whole, the names of all of them.
ATTACHED_CHARS = 1_000_000
SHOWN_TOTAL = 100_000
_ENTRY, _NAME = "\x1e", "\x1f"  # between attachments, between a name and its text


def capped(
    attached: tuple[tuple[str, str], ...], total: int, each: int | None = None
) -> list[tuple[str, str]]:
    """(name, text) of the attachments, each text cut at `each` characters, and all of
    them together at `total` (the attachments past it: none)."""
    found: list[tuple[str, str]] = []
    for name, text in attached:
        kept = text[: min(total, len(text) if each is None else each)]
        if not kept and text:
            break
        found.append((name, kept))
        total -= len(kept)
    return found


def joined(attached: tuple[tuple[str, str], ...]) -> str:
    """The attachments' names and the start of their texts, as the index keeps them."""
    shown = capped(attached, SHOWN_TOTAL, SHOWN_CHARS)
    return _ENTRY.join(f"{name}{_NAME}{text}" for name, text in shown)


def split(value: str | None) -> list[tuple[str, str]]:
    """`joined`'s value, read back: (name, text) of each attachment."""
    pairs = (entry.partition(_NAME) for entry in (value or "").split(_ENTRY) if entry)
    return [(name, text) for name, _, text in pairs]


@dataclass(frozen=True)
class UpdateResult:
    added: int
    updated: int
    deleted: int
    rebuilt: bool = False


@dataclass(frozen=True)
class Row:
    """A document found: the stored fields (`Document.fields`' names; the date naive,
    in UTC) and its score (0 when sorted otherwise)."""

    fields: dict[str, Any]
    score: float

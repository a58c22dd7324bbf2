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
        files = "\n".join((*self.files, *(text for _, text in self.attached)))
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
_ENTRY, _NAME = "\x1e", "\x1f"  # between attachments, between a name and its text


def joined(attached: tuple[tuple[str, str], ...]) -> str:
    """The attachments' names and the start of their texts, as the index keeps them."""
    return _ENTRY.join(f"{name}{_NAME}{text[:SHOWN_CHARS]}" for name, text in attached)


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

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

    def fields(self) -> dict[str, Any]:
        files = "\n".join(self.files)
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
        }


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

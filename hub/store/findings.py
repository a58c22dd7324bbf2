"""Each post's content findings as last checked, kept so that a post is checked once
per content and per set of lists (its `version`), not at every publish."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Field, SQLModel, col, select

from hub.models import Finding
from hub.store.desk import Sessions


class FindingsRow(SQLModel, table=True):
    __tablename__ = "post_findings"

    post_id: str = Field(primary_key=True)
    version: str  # the post's hash and the digest of the lists it was checked with
    findings: str = "[]"  # JSON: one list of Finding's fields per finding


class FindingsStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def kept(self, version_of: Mapping[str, str]) -> dict[str, tuple[Finding, ...]]:
        """The findings kept for these posts (post id -> the version wanted), where the
        version kept is that one."""
        found: dict[str, tuple[Finding, ...]] = {}
        wanted = list(version_of)
        with self._sessions() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = session.exec(select(FindingsRow).where(col(FindingsRow.post_id).in_(chunk)))
                for row in rows:
                    if version_of[row.post_id] == row.version:
                        found[row.post_id] = _read(row.findings)
        return found

    def keep(self, checked: Sequence[tuple[str, str, tuple[Finding, ...]]]) -> None:
        """(post id, version, findings) of posts just checked, in one transaction."""
        if not checked:
            return
        with self._sessions() as session:
            for post_id, version, findings in checked:
                row = session.get(FindingsRow, post_id) or FindingsRow(post_id=post_id, version="")
                row.version, row.findings = version, _write(findings)
                session.add(row)
            session.commit()


FIELDS = ("kind", "text", "severity", "suggestion", "field", "position", "note")


def _write(findings: tuple[Finding, ...]) -> str:
    return json.dumps([[getattr(f, name) for name in FIELDS] for f in findings], ensure_ascii=False)


def _read(text: str) -> tuple[Finding, ...]:
    rows: list[list[Any]] = json.loads(text)
    return tuple(Finding(*row) for row in rows)

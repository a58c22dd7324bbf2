"""The full-text index in index/: Chinese word segmentation, updates, queries; owns whoosh
and jieba. Rebuildable from the database at any time.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jieba
from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, LowercaseFilter, Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser
from whoosh.query import Term

from hub.errors import SearchError
from hub.models import Hit

jieba.setLogLevel(logging.WARNING)
_SKIP = re.compile(r"^[\s\W_]+$")  # punctuation and spaces are not words
SNIPPET_CHARS = 100
MAX_DELETED_SHARE = 0.2  # above this share of deleted documents, a commit merges segments


class JiebaTokenizer(Tokenizer):  # type: ignore[misc]
    """jieba's search-mode segmentation (words and their sub-words), width-folded."""

    def __call__(  # noqa: PLR0917 (whoosh calls tokenizers with these positionally)
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        value = unicodedata.normalize("NFKC", value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = jieba.tokenize(value, mode="search") if tokenize else [(value, 0, len(value))]
        position = start_pos
        for word, start, end in words:
            if _SKIP.match(word):
                continue
            token.text = word
            if keeporiginal:
                token.original = word
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = position
                position += 1
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def analyzer() -> Analyzer:
    return JiebaTokenizer() | LowercaseFilter()


def schema() -> Schema:
    chinese = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        version=ID(),  # "id:hash": tells an unchanged document without reading it
        title=TEXT(analyzer=chinese, stored=True, field_boost=3.0),
        text=TEXT(analyzer=chinese, stored=True),
        department=TEXT(analyzer=chinese, stored=True, field_boost=1.5),
        source=ID(stored=True),
        group=ID(stored=True),
        sections=KEYWORD(stored=True, commas=True, scorable=False),
        date=DATETIME(stored=True, sortable=True),
        path=STORED(),
    )


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


@dataclass(frozen=True)
class UpdateResult:
    added: int
    updated: int
    deleted: int


def _open(folder: Path, create: bool) -> Any:
    try:
        if whoosh_index.exists_in(str(folder)):
            return whoosh_index.open_dir(str(folder))
        if not create:
            raise SearchError(f"no search index in {folder} yet: run `hub run` first")
        folder.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(str(folder), schema())
    except SearchError:
        raise
    except Exception as exc:  # whoosh raises many kinds on damaged indexes
        raise SearchError(f"the search index in {folder} is unusable: {exc}") from exc


def update(folder: Path, documents: Iterable[Document]) -> UpdateResult:
    """Make the index hold exactly `documents`: add new, replace changed, delete the rest."""
    ix = _open(folder, create=True)
    docs = {doc.id: doc for doc in documents}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        indexed = _live_terms(reader, "id")
        versions = _live_terms(reader, "version")
        deleted_share = 1 - reader.doc_count() / max(1, reader.doc_count_all())
    changed = [d for d in docs.values() if f"{d.id}:{d.hash}" not in versions]
    stale = indexed - docs.keys()
    if not changed and not stale:
        return UpdateResult(0, 0, 0)
    writer = ix.writer(limitmb=128)
    try:
        for pid in stale:
            writer.delete_by_term("id", pid)
        for doc in changed:
            writer.update_document(**_fields(doc))
        # replaced documents linger, deleted, until segments merge: merge them all now
        # and then, so the index stays the size of what it holds
        writer.commit(optimize=deleted_share > MAX_DELETED_SHARE)
    except Exception as exc:
        writer.cancel()
        raise SearchError(f"cannot write the search index in {folder}: {exc}") from exc
    added = sum(1 for d in changed if d.id not in indexed)
    return UpdateResult(added, len(changed) - added, len(stale))


def _live_terms(reader: Any, field: str) -> set[str]:
    """The terms of a field that belong to documents not deleted. (A term index keeps
    the terms of deleted documents until segments merge, so it alone would say that a
    document replaced and since changed back to its old text is current.)"""
    terms = {term.decode() for term in reader.lexicon(field)}
    if not reader.has_deletions():
        return terms
    return {
        term
        for term in terms
        if any(not reader.is_deleted(n) for n in reader.postings(field, term).all_ids())
    }


def _fields(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "version": f"{doc.id}:{doc.hash}",
        "title": doc.title,
        "text": doc.text,
        "department": doc.department,
        "source": doc.source_id,
        "group": doc.group,
        "sections": ",".join(doc.sections),
        "date": doc.date.astimezone(UTC).replace(tzinfo=None),
        "path": doc.path,
    }


def query(folder: Path, text: str, *, limit: int = 20, section: str = "") -> tuple[int, list[Hit]]:
    """(total matches, best hits) for a query; words are ANDed, "quotes" make a phrase."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return 0, []
    ix = _open(folder, create=False)
    parser = MultifieldParser(["title", "text", "department"], ix.schema)
    parsed = parser.parse(text)
    if section:
        parsed = parsed & Term("sections", section)
    terms = [
        t.decode() if isinstance(t, bytes) else str(t)
        for field, t in parsed.iter_all_terms()
        if field in ("title", "text")
    ]
    with ix.searcher() as searcher:
        results = searcher.search(parsed, limit=limit)
        hits = [_hit(dict(r), terms) for r in results]
        return len(results), hits


def _hit(fields: dict[str, Any], terms: list[str]) -> Hit:
    date = fields.get("date")
    return Hit(
        id=fields["id"],
        title=fields["title"],
        path=fields["path"],
        department=fields.get("department", ""),
        source_id=fields.get("source", ""),
        sections=tuple(s for s in fields.get("sections", "").split(",") if s),
        date=date.replace(tzinfo=UTC) if date else None,
        snippet=snippet(fields.get("text", ""), terms),
    )


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> str:
    """Plain text around the first query term found, else the opening."""
    flat = " ".join(text.split())
    positions = [p for t in terms if t and (p := flat.lower().find(t.lower())) >= 0]
    start = max(0, min(positions) - size // 4) if positions else 0
    piece = flat[start : start + size]
    return ("…" if start else "") + piece + ("…" if start + size < len(flat) else "")


def count(folder: Path) -> int:
    ix = _open(folder, create=False)
    with ix.searcher() as searcher:
        return int(searcher.doc_count())

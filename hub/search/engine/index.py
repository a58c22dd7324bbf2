"""The index on disk; owns whoosh (with `queries`).

`index/current` links to the live generation in `index/generations/`. A publish updates
the live generation in place — whoosh commits by writing new segments, then renaming
a new table of contents over the old, so readers see the old documents or the new, and
a writer killed half-way leaves the last commit readable. A rebuild (new schema, or
`hub index --rebuild`) writes a whole new generation and swaps the link
(`hub.generations`)."""

from __future__ import annotations

import gc
import logging
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from hub import generations
from hub.errors import SearchError
from hub.search import analysis
from hub.search.document import Document, UpdateResult
from hub.search.files import (
    damage,
    is_damage,
    publish_generation,
    record_files,
    remove_unfinished,
)

log = logging.getLogger("hub.search.engine")

SCHEMA_VERSION = "7"  # a generation of another version is rebuilt by the next publish
OPEN_ATTEMPTS = 10
MAX_DELETED_SHARE = 0.2  # above this share of deleted documents, a commit merges segments
# Short fields are indexed as jieba's words; a post's body only as character pairs, as
# Lucene's CJK analyzer does: indexing its words too doubled the postings (whoosh's
# commit costs ~16 µs each) and halved indexing speed for no gain on the relevance set.
# Boosts apply at query time (`hub.search.plan`).
STORED_FIELDS = (
    "id",
    "title",
    "text",
    "department",
    "source",
    "group",
    "sections",
    "date",
    "attached",
)


class _Terms(Tokenizer):  # type: ignore[misc]
    """A whoosh tokenizer over one of `analysis`'s term functions."""

    def __init__(self, terms: Callable[[str], Iterable[analysis.Term]]) -> None:
        self.terms = terms

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Terms) and other.terms is self.terms

    def __hash__(self) -> int:
        return hash(self.terms)

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
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        found = self.terms(value) if tokenize else [(value, 0, len(value))]
        for position, (text, start, end) in enumerate(found, start_pos):
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def _analyzer(terms: Callable[[str], Iterable[analysis.Term]]) -> Analyzer:
    return _Terms(terms)


def schema() -> Schema:
    words, grams = _analyzer(analysis.words), _analyzer(analysis.grams)
    return Schema(
        id=ID(stored=True, unique=True),
        version=ID(),  # "id:hash": tells an unchanged document without reading it
        title=TEXT(analyzer=words, stored=True, phrase=False),
        text=STORED(),  # for snippets; searched as `grams`
        department=TEXT(analyzer=words, stored=True, phrase=False),
        title_grams=TEXT(analyzer=grams),
        grams=TEXT(analyzer=grams),
        source=ID(stored=True),
        group=ID(stored=True),
        sections=KEYWORD(stored=True, commas=True, scorable=False),
        date=DATETIME(stored=True, sortable=True),
        path=STORED(),
        attached=STORED(),  # attachments' names and texts, for snippets
    )


# -- the index on disk ------------------------------------------------------------------


def live(folder: Path) -> Path | None:
    """The live generation's folder, if there is one this hub can use."""
    current = generations.current(folder / "current")
    if current is None or not any(current.glob("_MAIN_*.toc")):
        return None
    version = current / "hub-schema"
    if not version.exists() or version.read_text(encoding="utf-8").strip() != SCHEMA_VERSION:
        return None
    return current


def open_index(folder: Path) -> Any:
    current = live(folder)
    if current is None:
        reason = "is from an older hub" if (folder / "current").exists() else "does not exist"
        raise SearchError(
            f"the search index in {folder} {reason}: run `hub publish` or `hub index --rebuild`"
        )
    # whoosh leaves a damaged table of contents open when it fails to read it: its
    # ResourceWarning is whoosh's, and the file is closed here, when the error is dropped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return whoosh_index.open_dir(str(current))
            except FileNotFoundError as exc:
                # a commit replaced the table of contents whoosh had just found; the
                # new one is there (whoosh's own reader retries the same way)
                problem = str(exc)
                time.sleep(0.01 * (attempt + 1))
            except Exception as exc:  # whoosh raises many kinds on damaged indexes
                problem = str(exc)
                break
        gc.collect()
    raise SearchError(
        f"the search index in {folder} is unusable ({problem}): run `hub index --rebuild`"
    )


def rebuild(
    folder: Path, documents: Iterable[Document], after: Callable[[Path, Any], None]
) -> UpdateResult:
    """Index `documents` into a new generation, call `after(generation, index)`, then
    make it the live one."""
    counted = 0

    def write(generation: Path, previous: Path | None) -> None:
        nonlocal counted
        ix = whoosh_index.create_in(str(generation), schema())
        writer = ix.writer(limitmb=256, compound=False)
        try:
            for doc in documents:
                writer.add_document(**doc.fields())
                counted += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        after(generation, ix)
        record_files(generation)
        (generation / "hub-schema").write_text(SCHEMA_VERSION + "\n", encoding="utf-8")

    publish_generation(folder, write)
    return UpdateResult(counted, 0, 0, rebuilt=True)


def update(
    folder: Path, documents: Iterable[Document], after: Callable[[Path, Any], None]
) -> UpdateResult:
    """Make the index hold exactly `documents`: add new, replace changed, delete the rest;
    then `after(generation, index)` when anything changed. Without a usable index (none
    yet, another schema, damaged files), build a new one: `documents` are all it holds."""
    remove_unfinished(folder)
    current = live(folder)
    docs = {doc.id: doc for doc in documents}
    if current is not None and (missing := damage(current)):
        log.warning("the search index in %s is damaged (%s); rebuilding it", folder, missing)
        return rebuild(folder, docs.values(), after)
    try:
        ix = open_index(folder)
        with ix.searcher() as searcher:
            reader = searcher.reader()
            indexed = _live_terms(reader, "id")
            versions = _live_terms(reader, "version")
            deleted_share = 1 - reader.doc_count() / max(1, reader.doc_count_all())
    except SearchError as exc:
        if current is not None:
            log.warning("%s; rebuilding it", exc)
        return rebuild(folder, docs.values(), after)
    except Exception as exc:  # a segment file gone or cut short: it can only be rebuilt
        if not is_damage(exc):
            raise
        log.warning("the search index in %s is damaged (%s); rebuilding it", folder, exc)
        return rebuild(folder, docs.values(), after)
    assert current is not None  # noqa: S101 (open_index found it)
    changed = [d for d in docs.values() if f"{d.id}:{d.hash}" not in versions]
    stale = indexed - docs.keys()
    if not changed and not stale:
        return UpdateResult(0, 0, 0)
    writer = ix.writer(limitmb=128, compound=False)
    try:
        for pid in stale:
            writer.delete_by_term("id", pid)
        for doc in changed:
            writer.update_document(**doc.fields())
        # replaced documents linger, deleted, until segments merge: merge them all now
        # and then, so the index stays the size of what it holds
        writer.commit(optimize=deleted_share > MAX_DELETED_SHARE)
    except Exception as exc:
        writer.cancel()
        raise SearchError(f"cannot write the search index in {folder}: {exc}") from exc
    after(current, ix)
    record_files(current)
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


def count(folder: Path) -> int:
    ix = open_index(folder)
    with ix.searcher() as searcher:
        return int(searcher.doc_count())


def title_terms(ix: Any) -> Iterator[tuple[str, int]]:
    """Every word in the titles, with how many live documents have it."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for term, info in reader.iter_field("title"):
            yield term.decode(), info.doc_frequency()

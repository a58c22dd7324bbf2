"""The tantivy index on disk; owns tantivy (with `queries`).

The same generations as whoosh's (`index/current` -> `index/generations/<id>`, swapped by
`hub.generations`), the same fields, and hub's own terms: each analysed field is given
to tantivy as its terms joined by spaces, under tantivy's whitespace tokenizer, so the
terms and their positions are `hub.search.analysis`'s (six times faster to index than
`PreTokenizedString`, which builds a Python object per term). A commit writes the new
segments, then renames a new `meta.json` over the old: readers see one commit or the
next, and a writer killed half-way leaves the last commit readable."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Set
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from hub import generations
from hub.errors import SearchError
from hub.search import analysis
from hub.search.document import Document, UpdateResult
from hub.search.files import Layout, damage, publish_generation, record_files, remove_unfinished

log = logging.getLogger("hub.search.tantivy")

# the engine is part of the version: a generation of the other engine is rebuilt too
SCHEMA_VERSION = "tantivy-2"
OPEN_ATTEMPTS = 10
REBUILD_HEAP = 256_000_000  # bytes tantivy buffers before it writes a segment
UPDATE_HEAP = 64_000_000
# Fields given as hub's terms joined by spaces (`_joined`); the rest are whole values.
ANALYSED = {
    "title": analysis.words,
    "department": analysis.words,
    "title_grams": analysis.grams,
    "grams": analysis.grams,
}
KEYS = ("id", "version", "source", "group")  # whole values: one term each
STORED = "stored"  # the fields a hit shows, as one JSON value: one read per hit


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for key in KEYS:
        builder.add_text_field(key, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sections", tokenizer_name="raw", index_option="basic")
    # ranking fields need their frequencies; phrases need positions
    builder.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("department", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("title_grams", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("grams", tokenizer_name="whitespace", index_option="position")
    # microseconds since 1970 in UTC: exact, as whoosh's dates are
    builder.add_integer_field("date", indexed=True, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


def micros(moment: datetime) -> int:
    """A naive UTC time (as `Document.fields` gives it) as whole microseconds."""
    delta = moment.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _document(doc: Document) -> tantivy.Document:
    fields = doc.fields()
    made = tantivy.Document()
    for key in KEYS:
        made.add_text(key, fields[key])
    for section in doc.sections:
        made.add_text("sections", section)
    for name, terms in ANALYSED.items():
        made.add_text(name, _joined(terms(fields[name])))
    made.add_integer("date", micros(fields["date"]))
    shown = {key: fields[key] for key in ("id", "title", "text", "department", "path", "attached")}
    shown |= {"source": doc.source_id, "group": doc.group, "sections": fields["sections"]}
    shown["date"] = fields["date"].isoformat()
    made.add_bytes(STORED, json.dumps(shown, ensure_ascii=False).encode())
    return made


def _joined(terms: Iterable[analysis.Term]) -> str:
    # hub's terms never hold whitespace (runs of Han characters, or of letters and digits)
    return " ".join(term for term, _, _ in terms)


def shown(stored: bytes) -> dict[str, Any]:
    """The fields of a hit, as whoosh's engine gives them (the date naive, in UTC)."""
    fields: dict[str, Any] = json.loads(stored)
    fields["date"] = datetime.fromisoformat(fields["date"]) if fields.get("date") else None
    return fields


# -- the commit readers see -------------------------------------------------------------


def _commit(generation: Path) -> str:
    """tantivy's `meta.json` names the segments of the commit readers see; a merge
    rewrites it with the same opstamp, so it is named by its contents."""
    try:
        return hashlib.sha256((generation / "meta.json").read_bytes()).hexdigest()
    except OSError:
        return ""


def _segment_files(generation: Path) -> Iterator[Path]:
    """The files of the segments `meta.json` names (a superseded deletes file aside)."""
    try:
        meta = json.loads((generation / "meta.json").read_bytes())
        segments = {
            s["segment_id"].replace("-", ""): (s.get("deletes") or {}).get("opstamp")
            for s in meta["segments"]
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    for path in generation.iterdir():
        segment, _, rest = path.name.partition(".")
        if segment not in segments or not path.is_file():
            continue
        if rest.endswith(".del") and rest != f"{segments[segment]}.del":
            continue
        yield path


LAYOUT = Layout(_commit, _segment_files)


# -- opening ----------------------------------------------------------------------------


def live(folder: Path) -> Path | None:
    """The live generation's folder, if it is a tantivy index of this version."""
    current = generations.current(folder / "current")
    if current is None or not (current / "meta.json").exists():
        return None
    version = current / "hub-schema"
    if not version.exists() or version.read_text(encoding="utf-8").strip() != SCHEMA_VERSION:
        return None
    return current


def damaged(folder: Path, problem: str) -> SearchError:
    return SearchError(
        f"the search index in {folder} is damaged ({problem}); the next "
        "`hub publish` rebuilds it, or run `hub index --rebuild` now"
    )


class _Opened:
    """Indexes opened in this process, one per generation, each reloaded when its
    `meta.json` is replaced: opening one maps every file of every segment, which a
    server would otherwise do for each query."""

    def __init__(self, keep: int = 2) -> None:
        self.keep, self.lock = keep, threading.Lock()
        self.indexes: dict[Path, tuple[tuple[int, int, int], tantivy.Index]] = {}

    def get(self, generation: Path) -> tantivy.Index:
        stat = (generation / "meta.json").stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self.lock:
            known = self.indexes.pop(generation, None)
            if known is None:
                index = tantivy.Index.open(str(generation))
                index.config_reader("manual")
            else:
                index = known[1]
                if known[0] != stamp:
                    index.reload()
            self.indexes[generation] = (stamp, index)
            while len(self.indexes) > self.keep:
                del self.indexes[next(iter(self.indexes))]
            return index

    def forget(self, generation: Path) -> None:
        with self.lock:
            self.indexes.pop(generation, None)


OPENED = _Opened()


def open_index(folder: Path) -> tantivy.Index:
    current = live(folder)
    if current is None:
        reason = "is from an older hub" if (folder / "current").exists() else "does not exist"
        raise SearchError(
            f"the search index in {folder} {reason}: run `hub publish` or `hub index --rebuild`"
        )
    if problem := damage(current, LAYOUT):
        OPENED.forget(current)
        raise damaged(folder, problem)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return OPENED.get(current)
        except (OSError, ValueError) as exc:
            # a writer in another process committed, merged and removed the files of
            # the commit just read; its next commit is there (or it is damage)
            problem = f"{type(exc).__name__}: {exc}"
            OPENED.forget(current)
            time.sleep(0.01 * (attempt + 1))
    raise damaged(folder, problem)


# -- writing ----------------------------------------------------------------------------


def rebuild(
    folder: Path, documents: Iterable[Document], after: Callable[[Path, Any], None]
) -> UpdateResult:
    """Index `documents` into a new generation, call `after(generation, index)`, then
    make it the live one."""
    counted = 0

    def write(generation: Path, previous: Path | None) -> None:
        nonlocal counted
        index = tantivy.Index(schema(), path=str(generation))
        writer = index.writer(heap_size=REBUILD_HEAP)
        try:
            for doc in documents:
                writer.add_document(_document(doc))
                counted += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()
        _finish(generation, index, after)
        (generation / "hub-schema").write_text(SCHEMA_VERSION + "\n", encoding="utf-8")

    publish_generation(folder, write)
    return UpdateResult(counted, 0, 0, rebuilt=True)


def _finish(generation: Path, index: tantivy.Index, after: Callable[[Path, Any], None]) -> None:
    index.reload()
    after(generation, index)
    record_files(generation, LAYOUT)


def update(
    folder: Path, documents: Iterable[Document], after: Callable[[Path, Any], None]
) -> UpdateResult:
    """Make the index hold exactly `documents`: add new, replace changed, delete the rest;
    then `after(generation, index)` when anything changed. Without a usable index (none
    yet, another version or engine, damaged files), build a new one."""
    remove_unfinished(folder)
    current = live(folder)
    docs = {doc.id: doc for doc in documents}
    try:
        index = open_index(folder)
        known = _KNOWN.get(current) if current is not None else None
        indexed: Set[str]
        versions: Set[str]
        if current is not None and known is not None and known[0] == _stamp(current):
            indexed, versions = known[1], known[2]
        else:
            searcher = index.searcher()
            indexed, versions = _live_terms(searcher, "id"), _live_terms(searcher, "version")
    except (SearchError, ValueError) as exc:
        if current is not None:
            log.warning("%s; rebuilding it", exc)
        return rebuild(folder, docs.values(), after)
    assert current is not None  # noqa: S101 (open_index found it)
    changed = [d for d in docs.values() if f"{d.id}:{d.hash}" not in versions]
    stale = indexed - docs.keys()
    if not changed and not stale:
        return UpdateResult(0, 0, 0)
    writer = index.writer(heap_size=UPDATE_HEAP, num_threads=1)
    try:
        for pid in stale:
            writer.delete_documents_by_term("id", pid)
        for doc in changed:  # a delete applies to what was added before it
            writer.delete_documents_by_term("id", doc.id)
            writer.add_document(_document(doc))
        writer.commit()
    except Exception as exc:
        writer.rollback()
        raise SearchError(f"cannot write the search index in {folder}: {exc}") from exc
    writer.wait_merging_threads()  # merges finish, and commit, before the files are listed
    _finish(current, OPENED.get(current), after)
    _KNOWN.clear()
    _KNOWN[current] = (
        _stamp(current),
        frozenset(docs),
        frozenset(f"{d.id}:{d.hash}" for d in docs.values()),
    )
    added = sum(1 for d in changed if d.id not in indexed)
    return UpdateResult(added, len(changed) - added, len(stale))


# generation -> (its meta.json's stamp, the ids and versions it holds) after this
# process's last update: reading them from the index took a third of an update
_KNOWN: dict[Path, tuple[tuple[int, int, int], frozenset[str], frozenset[str]]] = {}


def _stamp(generation: Path) -> tuple[int, int, int]:
    try:
        info = (generation / "meta.json").stat()
    except OSError:
        return (0, 0, 0)
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _live_terms(searcher: tantivy.Searcher, field: str) -> set[str]:
    """The terms of a field that belong to documents not deleted (the term dictionary
    keeps deleted documents' terms until segments merge; the filter counts live ones)."""
    found = searcher.terms_with_prefix(field, "", filter_query=tantivy.Query.all_query())
    return {term for term, docs in found if docs}


def count(folder: Path) -> int:
    return int(open_index(folder).searcher().num_docs)


def title_terms(index: tantivy.Index) -> Iterator[tuple[str, int]]:
    """Every word in the titles, with how many documents have it."""
    yield from index.searcher().terms_with_prefix("title", "")

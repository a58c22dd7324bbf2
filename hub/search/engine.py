"""The index on disk and the queries over it; owns whoosh.

`index/current` links to the live generation in `index/generations/`. A publish updates
the live generation in place — whoosh commits by writing new segments, then renaming
a new table of contents over the old, so readers see the old documents or the new, and
a writer killed half-way leaves the last commit readable. A rebuild (new schema, or
`hub index --rebuild`) writes a whole new generation and swaps the link
(`hub.generations`)."""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import collectors
from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.query import And, AndMaybe, AndNot, DateRange, Or, Phrase, Prefix, Query, Term
from whoosh.sorting import FieldFacet

from hub import generations
from hub.errors import SearchError
from hub.search import analysis
from hub.search.document import Document, UpdateResult
from hub.search.query import Clause, Parsed, Request

log = logging.getLogger(__name__)


def is_damage(exc: Exception) -> bool:
    """Whether whoosh raised `exc` reading the index's files: a file removed or cut short
    gives file and decoding errors, and for a cut postings file a bare Exception ("Block
    tag error"). Raised in hub's own code, it is a bug, and is not called damage."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and f"{os.sep}whoosh{os.sep}" in frames[-1].filename


SCHEMA_VERSION = "6"  # a generation of another version is rebuilt by the next publish
OPEN_ATTEMPTS = 10
FILES = "hub-files.json"  # each file of a generation and its size, at the last commit
MAX_DELETED_SHARE = 0.2  # above this share of deleted documents, a commit merges segments
# Short fields are indexed as jieba's words; a post's body only as character pairs, as
# Lucene's CJK analyzer does: indexing its words too doubled the postings (whoosh's
# commit costs ~16 µs each) and halved indexing speed for no gain on the relevance set.
# Boosts apply at query time: at index time whoosh multiplies term frequencies, which
# BM25 then saturates.
TITLE_BOOST = 3.0  # the clause in the title
DEPARTMENT_BOOST = 2.0  # the clause's words in the department's name
STORED_FIELDS = ("id", "title", "text", "department", "source", "group", "sections", "date")


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
        _record_files(generation)
        (generation / "hub-schema").write_text(SCHEMA_VERSION + "\n", encoding="utf-8")

    try:
        generations.publish(folder / "current", folder / "generations", "gen", write, SearchError)
    except SearchError:
        raise
    except Exception as exc:
        raise SearchError(f"cannot build the search index in {folder}: {exc}") from exc
    _remove_legacy(folder)
    return UpdateResult(counted, 0, 0, rebuilt=True)


def _toc(generation: Path) -> str:
    """The name of the newest table of contents: the commit readers see."""
    tocs = sorted(generation.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    return tocs[-1].name if tocs else ""


def _record_files(generation: Path) -> None:
    """Write down each file of the index and its size, after a commit: a file removed
    or cut short later (a full disk, a careless hand) is found by `_damage` before the
    next update trusts the index, however little of it that update reads."""
    sizes = {
        path.name: path.stat().st_size
        for path in generation.iterdir()
        if path.is_file()
        and path.name.startswith(("MAIN_", "_MAIN_"))
        and not path.name.endswith("WRITELOCK")
    }
    temporary = generation / f".{FILES}.tmp"
    temporary.write_text(json.dumps({"toc": _toc(generation), "files": sizes}), encoding="utf-8")
    temporary.replace(generation / FILES)


def _damage(generation: Path) -> str:
    """'' when every file written down at the last commit is there at its size; else
    what is not. A list written for another commit than the one readers see (a writer
    killed between its commit and the list) says nothing, and is not held against it;
    nor is an index from before hub kept a list."""
    try:
        recorded = json.loads((generation / FILES).read_text(encoding="utf-8"))
        toc, sizes = recorded["toc"], recorded["files"]
    except FileNotFoundError:
        return ""
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its list of files cannot be read: {exc}"
    if toc != _toc(generation):
        return ""
    for name, size in sizes.items():
        try:
            found = (generation / name).stat().st_size
        except FileNotFoundError:
            problem = f"{name} is missing"
        else:
            if found == size:
                continue
            problem = f"{name} has {found:,} bytes of {size:,}"
        # a writer that committed meanwhile removes the files it merged: not damage
        return problem if _toc(generation) == toc else ""
    return ""


def _remove_unfinished(folder: Path) -> None:
    """Generations a rebuild killed half-way left behind: a finished one has its schema
    version written last. (Writers hold the data folder's lock: none is being built.)"""
    live_one = generations.current(folder / "current")
    for path in (folder / "generations").glob("*"):
        if path.is_dir() and path != live_one and not (path / "hub-schema").exists():
            shutil.rmtree(path, ignore_errors=True)


def _remove_legacy(folder: Path) -> None:
    """hub 0.1 kept whoosh's files in index/ itself."""
    for path in folder.iterdir():
        if path.is_file() and path.name.startswith(("_MAIN_", "MAIN_")):
            path.unlink(missing_ok=True)


def update(
    folder: Path, documents: Iterable[Document], after: Callable[[Path, Any], None]
) -> UpdateResult:
    """Make the index hold exactly `documents`: add new, replace changed, delete the rest;
    then `after(generation, index)` when anything changed. Without a usable index (none
    yet, another schema, damaged files), build a new one: `documents` are all it holds."""
    _remove_unfinished(folder)
    current = live(folder)
    docs = {doc.id: doc for doc in documents}
    if current is not None and (missing := _damage(current)):
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
    _record_files(current)
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


def title_terms(ix: Any) -> Iterator[tuple[str, int]]:
    """Every word in the titles, with how many live documents have it."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for term, info in reader.iter_field("title"):
            yield term.decode(), info.doc_frequency()


# -- queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    fields: dict[str, Any]
    score: float


class Searcher:
    """One consistent view of the index for the length of a query (and its suggestions)."""

    def __init__(self, folder: Path) -> None:
        self.generation, self.folder = live(folder), folder
        # found before whoosh opens anything: it leaks the files it opened on the way
        # to one that is missing
        problem = _damage(self.generation) if self.generation is not None else ""
        if not problem:
            try:
                self._searcher = open_index(folder).searcher()
            except SearchError:
                raise
            except Exception as exc:  # a file cut short, or damage the list cannot see
                if not is_damage(exc):
                    raise
                problem = f"{type(exc).__name__}: {exc}"
        if problem:
            raise SearchError(
                f"the search index in {folder} is damaged ({problem}); the next "
                "`hub publish` rebuilds it, or run `hub index --rebuild` now"
            )

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *_: object) -> None:
        self._searcher.close()

    def search(self, parsed: Parsed, request: Request) -> tuple[int, list[Row]]:
        """(how many posts match, one page of them)."""
        query, limit = compile_query(parsed), request.page * request.per_page
        if request.sort == "newest":
            order = FieldFacet("date", reverse=True)
            results = self._searcher.search(
                query, limit=limit, filter=_filters(request), sortedby=order, terms=False
            )
            scored = [(hit, 0.0) for hit in results[limit - request.per_page : limit]]
        else:
            collector = _top(limit, request)
            self._searcher.search_with_collector(query, collector)
            results = collector.results()
            scored = [(hit, float(hit.score)) for hit in results[limit - request.per_page :]]
            scored.sort(key=lambda pair: (-pair[1], -_epoch(pair[0].get("date"))))
        rows = [Row({k: hit.get(k) for k in (*STORED_FIELDS, "path")}, s) for hit, s in scored]
        return len(results), rows  # counted as they were scored: no second pass

    def finds(self, parsed: Parsed, request: Request) -> bool:
        """Whether the query finds anything at all (nothing is scored)."""
        query, filters = compile_query(parsed, scored=False), _filters(request)
        matches = (query if filters is None else And([query, filters])).docs(self._searcher)
        return next(iter(matches), None) is not None

    def similar_title_words(self, word: str, limit: int = 3) -> list[str]:
        """Title words one edit from `word` (防汎 -> 防汛), the commonest first."""
        corrector = self._searcher.corrector("title")
        return [str(s) for s in corrector.suggest(word, limit=limit, maxdist=1) if s != word]


def _top(limit: int, request: Request) -> Any:
    """Whoosh's top-k collector, exact. By default it rewrites the query as it goes
    (`replace`), dropping parts whose estimated best score cannot lift a post into the
    top k — estimates that are not bounds for these queries, so a post scored 122 in
    the top 10 and 135 in the top 20, and pages overlapped. Its order is score, then
    index order: strict, so pages never overlap or skip; equal scores on one page go to
    the newer post. (A date sort key on every match, for ties across pages, took a
    fifth of each query.)"""
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    filters = _filters(request)
    return collector if filters is None else collectors.FilterCollector(collector, filters)


def _epoch(moment: datetime | None) -> float:
    return moment.replace(tzinfo=UTC).timestamp() if moment else 0.0


def compile_query(parsed: Parsed, *, scored: bool = True) -> Query:
    """What matches is decided in one field, `grams` (every character pair of the title,
    department, text and attachments), by intersecting posting lists: the cheapest
    question whoosh can answer. What ranks — the title, the department, the words in
    the order typed — is asked only of the posts that match (AndMaybe), and not at all
    when only whether anything matches counts (`scored` False)."""
    clause = _clause if scored else _match
    required = And([Or([clause(c) for c in group]) for group in parsed.required])
    if parsed.excluded:
        return AndNot(required, Or([_match(c) for c in parsed.excluded]))
    return required


def _clause(clause: Clause) -> Query:
    return AndMaybe(_match(clause), Or(_bonus(clause)))


def _match(clause: Clause) -> Query:
    """A phrase: its characters in that order. A word: the character pairs of each of
    its words (生态环境保护 finds 保护生态环境). Order is checked for phrases only:
    whoosh checks it post by post in Python (it doubled query time), and a Chinese
    text that has every pair of a word but not the word is rare."""
    if clause.phrase:
        return _pairs("grams", _grams(clause.text), ordered=True)
    return _pairs("grams", [g for word in _words(clause) for g in _grams(word)])


def _bonus(clause: Clause) -> list[Query]:
    """What lifts a match: the clause in the title, its words among the department's
    name's words, and all its pairs (the words as typed, side by side)."""
    grams = _grams(clause.text)
    found = [_pairs("title_grams", grams, ordered=clause.phrase, boost=TITLE_BOOST)]
    if clause.phrase:
        return found
    words = _words(clause)
    found += [Term("department", word, boost=DEPARTMENT_BOOST) for word in words]
    between = set(grams) - {g for w in words for g in _grams(w)}
    if between:
        found.append(And([Term("grams", g) for g in sorted(between)]))
    return found


def _words(clause: Clause) -> list[str]:
    """The typed words, without lone characters (县 of 县纪委监委) when longer words
    carry them: as a prefix of every pair it begins, a lone character is the costliest
    query there is, and it adds nothing the longer words do not."""
    words = list(dict.fromkeys(analysis.query_words(clause.text)))
    return [w for w in words if len(w) > 1] or [clause.text]


def _grams(text: str) -> list[str]:
    return [g for g, _, _ in analysis.grams(text)]


def _pairs(field: str, grams: list[str], ordered: bool = False, boost: float = 1.0) -> Query:
    """Posts whose field has all these character pairs (in this order, when `ordered`:
    a substring). A lone character: one standing alone, or the first of a pair."""
    if len(grams) == 1 and len(grams[0]) == 1 and analysis.is_han(grams[0]):
        return Or([Term(field, grams[0]), Prefix(field, grams[0])], boost=boost)
    if ordered and len(grams) > 1:
        return Phrase(field, grams, boost=boost)
    terms = list(dict.fromkeys(grams))
    if len(terms) == 1:
        return Term(field, terms[0], boost=boost)
    return And([Term(field, g) for g in terms], boost=boost)


def _filters(request: Request) -> Query | None:
    terms: Sequence[Query] = [
        Term(field, value)
        for field, value in (
            ("sections", request.section),
            ("source", request.source),
            ("group", request.group),
        )
        if value
    ]
    if request.since or request.until:
        start, end = (_naive(request.since), _naive(request.until))
        terms = [*terms, DateRange("date", start, end, endexcl=True)]
    return And(terms) if terms else None


def _naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None

"""Search across every department's posts: the index in index/ with Chinese analysis,
its updates, and queries with filters, highlighting and suggestions, on one of two
engines (`search.engine`: whoosh or tantivy). Rebuildable from the database at any time
(`hub index --rebuild`).

Modules: `analysis` (text -> terms, with `hub.text.words`), `query` (the query language, pure),
`plan` (what a query asks of an index, pure), `engines` (which engine, and the one a
generation was written by), `engine` (whoosh's index and queries), `tantivy` (tantivy's),
`files` (each commit's files, watched), `snippets` (highlighting, pure), `suggest`
(did-you-mean, pypinyin), `synonyms` (the bodies' short names and aliases, pure)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

from hub.errors import HubError, SearchError
from hub.models import DEFAULT_ENGINE, SEARCH_ENGINES, SORTS, Hit, Results, SearchEngine, Sort
from hub.search import engines, snippets, suggest, synonyms
from hub.search.analysis import query_words
from hub.search.document import Document, Row, UpdateResult, split
from hub.search.query import (
    EARLIEST,
    LATEST,
    MAX_QUERY_CHARS,
    Clause,
    Parsed,
    Request,
    parse,
)
from hub.search.snippets import plain, to_html

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_QUERY_CHARS",
    "SEARCH_ENGINES",
    "SORTS",
    "Document",
    "Request",
    "SearchEngine",
    "Sort",
    "UpdateResult",
    "count",
    "parse",
    "plain",
    "search",
    "synonyms",
    "to_html",
    "update",
]

log = logging.getLogger("hub.search")
MAX_SUGGESTIONS = 3


def update(
    folder: Path,
    documents: Iterable[Document],
    *,
    rebuild: bool = False,
    engine: SearchEngine | None = None,
) -> UpdateResult:
    """Make the index hold exactly `documents` (see `engine.update`); `rebuild` writes a
    whole new generation instead of changing the live one, as does a live generation of
    another engine than `engine` (None: the live generation's, else the default)."""
    live = engines.recorded(folder)
    name = engine or live or DEFAULT_ENGINE
    chosen = engines.pick(name)
    departments: set[str] = set()

    def noting_departments() -> Iterator[Document]:
        for doc in documents:
            departments.add(doc.department)
            yield doc

    def after(generation: Path, ix: Any) -> None:
        known = suggest.load(generation)
        suggest.Vocabulary.build(chosen.title_terms(ix), departments, known).save(generation)

    if not rebuild and live not in (None, name):
        log.info("the search index in %s is %s's: building it anew with %s", folder, live, name)
        rebuild = True
    write = chosen.rebuild if rebuild else chosen.update
    return write(folder, noting_departments(), after)


def _reader(folder: Path) -> engines.Engine:
    """The engine of the live generation: what wrote it reads it."""
    return engines.pick(engines.recorded(folder) or DEFAULT_ENGINE)


def count(folder: Path) -> int:
    engine = _reader(folder)
    with _reading(folder, engine):
        return engine.count(folder)


def search(folder: Path, request: Request, names: synonyms.Synonyms = synonyms.BUILTIN) -> Results:
    """One page of results for a request; suggestions when it finds nothing. A clause
    that names a body by one of its names (`names`: hub's table unless the caller built
    one with the county's, `synonyms.from_sources`) finds it by all of them."""
    parsed = names.expand(parse(request.text))
    if parsed.empty:
        return Results(0, request.page, request.per_page, ())
    engine = _reader(folder)
    with _reading(folder, engine), engine.Searcher(folder) as searcher:
        total, rows = searcher.search(parsed, request)
        needles = _needles(parsed)
        hits = tuple(_hit(row, needles) for row in rows)
        suggestions = () if total else _suggestions(searcher, parsed, request, names)
    return Results(total, request.page, request.per_page, hits, suggestions)


@contextmanager
def _reading(folder: Path, engine: engines.Engine) -> Iterator[None]:
    """An index found damaged while it is read (a file removed or cut short) is a
    SearchError that says how it mends, never a traceback."""
    try:
        yield
    except HubError:
        raise  # what hub itself says: a query asked wrongly, an index of another version
    except Exception as exc:
        if not engine.is_damage(exc):
            raise
        # whoosh raised it: damage, most likely; should it be a bug in how hub asked,
        # the trace is there to tell (`hub -v`)
        log.debug("the search index could not be read", exc_info=True)
        raise SearchError(
            f"the search index in {folder} is damaged ({type(exc).__name__}: {exc}); the "
            "next `hub publish` rebuilds it, or run `hub index --rebuild` now"
        ) from exc


def _needles(parsed: Parsed) -> list[str]:
    """What to mark in the results: each clause as typed, and its words of two
    characters or more (员 of 文物保护员 is no word to mark in 网格员); the other names it
    found (县卫生健康局 for 县卫健局) and their words alike."""
    found: list[str] = []
    for clause in parsed.clauses():
        found.append(clause.text)
        if not clause.phrase:
            found += [w for w in query_words(clause.text) if len(w) > 1]
        for other in clause.alternatives:
            found += [other, *(w for w in query_words(other) if len(w) > 1)]
    return list(dict.fromkeys(found))


def _hit(row: Row, needles: list[str]) -> Hit:
    fields = row.fields
    date = fields.get("date")
    title = snippets.mark(fields["title"], needles)
    snippet = snippets.snippet(fields.get("text") or "", needles)
    attachment = ""
    if not snippets.marks(title) and not snippets.marks(snippet):
        # found in an attachment: the snippet is from the first one the query's words are in
        for name, text in split(fields.get("attached")):
            found = snippets.snippet(text, needles)
            if snippets.marks(found) or snippets.marks(snippets.mark(name, needles)):
                snippet, attachment = found, name
                break
    return Hit(
        id=fields["id"],
        title=fields["title"],
        path=fields["path"],
        department=fields.get("department") or "",
        source_id=fields.get("source") or "",
        group=fields.get("group") or "",
        sections=tuple(s for s in (fields.get("sections") or "").split(",") if s),
        date=date.replace(tzinfo=UTC) if date else None,
        title_marked=title,
        snippet=snippet,
        score=row.score,
        attachment=attachment,
    )


# -- did you mean -----------------------------------------------------------------------


def _suggestions(
    searcher: engines.Finder, parsed: Parsed, request: Request, names: synonyms.Synonyms
) -> tuple[str, ...]:
    """Queries like this one that do find something: each clause that finds nothing is
    replaced by a word that sounds the same, is one character off, or a department name
    that resembles it."""
    vocabulary = suggest.load(searcher.generation)

    def finds(clause: Clause) -> bool:
        return searcher.finds(Parsed(((clause,),)), request)

    repaired: list[tuple[Clause, ...]] = []
    changed = False
    for group in parsed.required:
        fixed = []
        for clause in group:
            better = (
                clause if finds(clause) else _repair(clause, vocabulary, searcher, finds, names)
            )
            changed |= better is not clause
            fixed.append(better or clause)
        repaired.append(tuple(fixed))
    if not changed:
        return ()
    fixed_query = Parsed(tuple(repaired), parsed.excluded)
    if not searcher.finds(fixed_query, request):
        return ()
    return (_unparse(fixed_query),)


def _repair(
    clause: Clause,
    vocabulary: suggest.Vocabulary,
    searcher: engines.Finder,
    finds: Any,
    names: synonyms.Synonyms,
) -> Clause | None:
    text = clause.text
    whole = [
        *vocabulary.alternatives(text)[:MAX_SUGGESTIONS],
        *searcher.similar_title_words(text),
        *vocabulary.departments_like(text, names)[:MAX_SUGGESTIONS],
    ]
    for word in whole:
        if finds(Clause(word, clause.phrase)):
            return Clause(word, clause.phrase)
    for size in (4, 3, 2):  # a part of it that sounds like a known word
        for start in range(len(text) - size + 1):
            part = text[start : start + size]
            for alternative in vocabulary.alternatives(part)[:MAX_SUGGESTIONS]:
                candidate = Clause(text[:start] + alternative + text[start + size :], clause.phrase)
                if finds(candidate):
                    return candidate
    return None


def _unparse(parsed: Parsed) -> str:
    def one(clause: Clause) -> str:
        return f'"{clause.text}"' if clause.phrase or " " in clause.text else clause.text

    parts = [" OR ".join(one(c) for c in group) for group in parsed.required]
    parts += [f"-{one(c)}" for c in parsed.excluded]
    return " ".join(parts)

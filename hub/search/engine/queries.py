"""Queries over the index: the language compiled to whoosh's queries, filters, exact
pages, and one consistent view for the length of a query; owns whoosh (with `index`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import collectors
from whoosh.query import And, AndMaybe, AndNot, DateRange, Or, Phrase, Prefix, Query, Term
from whoosh.sorting import FieldFacet

from hub.errors import SearchError
from hub.search import analysis
from hub.search.engine.files import damage, is_damage
from hub.search.engine.index import DEPARTMENT_BOOST, STORED_FIELDS, TITLE_BOOST, live, open_index
from hub.search.query import Clause, Parsed, Request

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
        problem = damage(self.generation) if self.generation is not None else ""
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

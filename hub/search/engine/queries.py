"""Queries over the index: the language compiled to whoosh's queries, filters, exact
pages, and one consistent view for the length of a query; owns whoosh (with `index`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import collectors
from whoosh.matching import AndNotMatcher
from whoosh.query import And, AndMaybe, AndNot, DateRange, Or, Phrase, Prefix, Query, Term
from whoosh.sorting import FieldFacet

from hub.errors import SearchError
from hub.search import plan
from hub.search.document import Row
from hub.search.engine.index import STORED_FIELDS, live, open_index
from hub.search.files import damage, is_damage
from hub.search.query import Parsed, Request

# -- queries ----------------------------------------------------------------------------


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
    """The plan of a query (`hub.search.plan`) as whoosh's queries: matching decided by
    intersecting posting lists, the cheapest question whoosh can answer; the ranking
    parts asked only of the matches (AndMaybe)."""
    return _query(plan.plan(parsed, scored=scored))


def _query(node: plan.Node) -> Query:
    if isinstance(node, plan.Term):
        return Term(node.field, node.text, boost=node.boost)
    if isinstance(node, plan.Pairs):
        return _pairs(node)
    if isinstance(node, plan.AllOf):
        return And([_query(part) for part in node.parts])
    if isinstance(node, plan.AnyOf):
        return Or([_query(part) for part in node.parts])
    if isinstance(node, plan.Maybe):
        return AndMaybe(_query(node.required), _query(node.optional))
    return _AndNot(_query(node.required), _query(node.excluded))


class _Excluding(AndNotMatcher):  # type: ignore[misc]  # (whoosh has no types)
    """whoosh's AndNotMatcher compares the first match with the first excluded post
    without moving the excluded forward to it: a first match whose excluded post lay
    later was kept (防汛 -应急 found one post saying 应急 on whoosh, none on tantivy)."""

    def _find_first(self) -> None:
        a, b = self.a, self.b
        if a.is_active() and b.is_active() and b.id() < a.id():
            b.skip_to(a.id())
        if a.is_active() and b.is_active() and a.id() == b.id():
            self._find_next()


class _AndNot(AndNot):  # type: ignore[misc]
    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        return _Excluding(scored, self.b.matcher(searcher, searcher.boolean_context()))


def _pairs(pairs: plan.Pairs) -> Query:
    """Order is checked post by post in Python: for phrases only."""
    field, grams, boost = pairs.field, list(pairs.grams), pairs.boost
    if pairs.lone:
        return Or([Term(field, pairs.lone), Prefix(field, pairs.lone)], boost=boost)
    if pairs.ordered and len(grams) > 1:
        return Phrase(field, grams, boost=boost)
    terms = list(dict.fromkeys(grams))
    if len(terms) == 1:
        return Term(field, terms[0], boost=boost)
    return And([Term(field, g) for g in terms], boost=boost)


def _filters(request: Request) -> Query | None:
    terms: Sequence[Query] = [Term(field, value) for field, value in request.exact()]
    if request.since or request.until:
        start, end = (_naive(request.since), _naive(request.until))
        terms = [*terms, DateRange("date", start, end, endexcl=True)]
    return And(terms) if terms else None


def _naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None

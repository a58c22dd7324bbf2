"""Queries over the tantivy index: the language compiled to tantivy's queries as
whoosh's engine compiles it (`hub.search.engine.queries`), filters that never change a
score, exact pages, and one consistent view for the length of a query; owns tantivy
(with `index`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from hub.errors import SearchError
from hub.search import plan
from hub.search.document import Row
from hub.search.query import Parsed, Request
from hub.search.suggest import one_edit
from hub.search.tantivy.index import LAYOUT, STORED, damaged, live, micros, open_index, shown


class Searcher:
    """One consistent view of the index for the length of a query (and its suggestions)."""

    def __init__(self, folder: Path) -> None:
        self.generation, self.folder = live(folder), folder
        index = open_index(folder)
        self._schema = index.schema
        self._searcher = index.searcher()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def search(self, parsed: Parsed, request: Request) -> tuple[int, list[Row]]:
        """(how many posts match, one page of them). tantivy's top-k is exact: its
        order is score, then the document's address, so pages never overlap or skip;
        equal scores on one page go to the newer post, as whoosh's engine does."""
        query = _filtered(self._schema, compile_query(self._schema, parsed), request)
        offset = (request.page - 1) * request.per_page
        try:
            if request.sort == "newest":
                found = self._searcher.search(
                    query, request.per_page, offset=offset, order_by_field="date"
                )
                scored = [(0.0, address) for _, address in found.hits]
            else:
                found, scored = self._ranked(query, offset, request.per_page)
            rows = [Row(self._fields(address), score) for score, address in scored]
        except ValueError as exc:  # a segment file tantivy could not read
            raise damaged(self.folder, f"{type(exc).__name__}: {exc}") from exc
        if request.sort != "newest":
            rows.sort(key=lambda row: (-row.score, -_epoch(row.fields.get("date"))))
        total = found.count  # type: ignore[attr-defined]  # (the stubs lack it)
        return int(total or 0), rows

    def _ranked(
        self, query: tantivy.Query, offset: int, per_page: int
    ) -> tuple[Any, list[tuple[float, tantivy.DocAddress]]]:
        """One page by score, the newer post first among equal scores, the same on
        every page: tantivy breaks ties by where a post lies in the index, which
        several indexing threads and later updates leave in no date order. So the
        posts tied with the page's first or last are all fetched and ordered by date
        (the tie of a last place can reach past the page: the window grows until it
        holds the whole tie)."""
        end, limit = offset + per_page, offset + per_page + 1
        while True:
            found = self._searcher.search(query, limit)
            hits = [(float(score), address) for score, address in found.hits]
            if len(hits) < limit or len(hits) <= end or hits[-1][0] != hits[end - 1][0]:
                break
            if limit > end + MAX_TIE:  # a tie of thousands (a lone 县 scores alike in
                break  # every post): past this, tantivy's own order, still exact
            limit *= 2
        page = hits[offset:end]
        if not page:
            return found, []
        edges = {page[0][0], page[-1][0]}

        def order(n: int) -> tuple[float, float, int]:
            score, address = hits[n]
            newer = -_epoch(self._fields(address).get("date")) if score in edges else 0.0
            return (-score, newer, n)

        ranked = sorted(range(len(hits)), key=order)
        return found, [hits[n] for n in ranked[offset:end]]

    def _fields(self, address: tantivy.DocAddress) -> dict[str, object]:
        stored = self._searcher.doc(address).get_first(STORED)
        if not isinstance(stored, bytes):
            raise SearchError(f"the search index in {self.folder} has a post without fields")
        return shown(stored)

    def finds(self, parsed: Parsed, request: Request) -> bool:
        """Whether the query finds anything at all (nothing is scored)."""
        query = _filtered(self._schema, compile_query(self._schema, parsed, scored=False), request)
        return bool(self._searcher.search(query, 1, count=False).hits)

    def similar_title_words(self, word: str, limit: int = 3) -> list[str]:
        """Title words one edit from `word` (防汎 -> 防汛), those in most posts first.
        (tantivy's fuzzy query finds posts, not words: the title words are read whole,
        once per commit, and only a query that found nothing asks.)"""
        assert self.generation is not None  # noqa: S101 (open_index found it)
        near = [
            (-docs, term)
            for size in range(len(word) - 1, len(word) + 2)
            for term, docs in _title_words(self.generation, self._searcher).get(size, ())
            if term != word and one_edit(term, word)
        ]
        return [term for _, term in sorted(near)[:limit]]


_TITLE_WORDS: dict[Path, tuple[str, dict[int, list[tuple[str, int]]]]] = {}


def _title_words(generation: Path, searcher: tantivy.Searcher) -> dict[int, list[tuple[str, int]]]:
    """The title words of the generation's last commit, by length."""
    commit = LAYOUT.commit(generation)
    known = _TITLE_WORDS.get(generation)
    if known is None or known[0] != commit:
        by_size: dict[int, list[tuple[str, int]]] = {}
        for term, docs in searcher.terms_with_prefix("title", ""):
            by_size.setdefault(len(term), []).append((term, docs))
        _TITLE_WORDS.clear()  # one generation at a time: the live one
        _TITLE_WORDS[generation] = known = (commit, by_size)
    return known[1]


MAX_TIE = 1_000  # posts of one score read to order them by date (the rest keep their place)


def _epoch(moment: object) -> float:
    return moment.replace(tzinfo=UTC).timestamp() if isinstance(moment, datetime) else 0.0


def compile_query(schema: tantivy.Schema, parsed: Parsed, *, scored: bool = True) -> Query:
    """The plan of a query (`hub.search.plan`) as tantivy's queries: `Maybe` is a Must
    (what matches) and a Should (what lifts a match), whose scores add up as whoosh's
    AndMaybe's do."""
    return _Compiler(schema).query(plan.plan(parsed, scored=scored))


class _Compiler:
    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    def query(self, node: plan.Node) -> Query:
        if isinstance(node, plan.Term):
            return _boosted(self.term(node.field, node.text), node.boost)
        if isinstance(node, plan.Pairs):
            return _boosted(self.pairs(node), node.boost)
        if isinstance(node, plan.AllOf):
            return _all([self.query(part) for part in node.parts])
        if isinstance(node, plan.AnyOf):
            return _any([self.query(part) for part in node.parts])
        if isinstance(node, plan.Maybe):
            required, optional = self.query(node.required), self.query(node.optional)
            return Query.boolean_query([(Occur.Must, required), (Occur.Should, optional)])
        required, excluded = self.query(node.required), self.query(node.excluded)
        return Query.boolean_query([(Occur.Must, required), (Occur.MustNot, excluded)])

    def term(self, field: str, text: str) -> Query:
        return Query.term_query(self.schema, field, text)

    def pairs(self, pairs: plan.Pairs) -> Query:
        field, grams = pairs.field, list(pairs.grams)
        if pairs.lone:
            # whoosh's prefix query scores each match 1, as tantivy's regex query does
            prefix = Query.regex_query(self.schema, field, f"{pairs.lone}.*")
            return _any([self.term(field, pairs.lone), prefix])
        if pairs.ordered and len(grams) > 1:
            words: list[str | tuple[int, str]] = list(grams)
            return Query.phrase_query(self.schema, field, words)
        return _all([self.term(field, g) for g in dict.fromkeys(grams)])


def _all(queries: list[Query]) -> Query:
    if not queries:
        return Query.empty_query()
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


def _any(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _boosted(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _filtered(schema: tantivy.Schema, query: Query, request: Request) -> Query:
    """The query restricted to a section, source, group and dates; the filters score 0,
    so a post ranks the same whether a filter was asked or not."""
    filters = [Query.term_query(schema, field, value) for field, value in request.exact()]
    if request.since or request.until:
        filters.append(
            Query.range_query(
                schema,
                "date",
                tantivy.FieldType.Integer,
                micros(_naive(request.since)) if request.since else None,
                micros(_naive(request.until)) if request.until else None,
                include_upper=request.until is None,  # until is exclusive
            )
        )
    if not filters:
        return query
    return Query.boolean_query(
        [(Occur.Must, query), *((Occur.Must, Query.const_score_query(f, 0.0)) for f in filters)]
    )


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)

"""The two search engines side by side: they match the same posts for the same query,
and switching `search.engine` builds the other engine's index beside the live one,
which readers keep using until the swap (docs/search.md)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hub import search
from hub.models import SEARCH_ENGINES
from hub.search import Request, engines
from tests.test_search import DOCS, PHRASES, ids, varied_docs

QUERIES = [*PHRASES, "设施", '"基础设施"', "建设 -乡村", "防汛 OR 乡村", "县", "规划 设施"]
# a body by its short name: an OR of its names (hub.search.synonyms), in either engine
QUERIES += ["应急局 设施", "防汛 -安监局", "县安监局"]
# whoosh kept a first match whose excluded post lay later (engine.queries._Excluding)
QUERIES += ["防汛 -应急"]


def every_hit(folder: Path, text: str) -> list[str]:
    found: list[str] = []
    page = 1
    while True:
        results = search.search(folder, Request(text, per_page=100, page=page))
        found += [hit.id for hit in results.hits]
        if page >= results.pages:
            return found
        page += 1


def test_both_engines_match_the_same_posts(tmp_path: Path) -> None:
    """Matching is decided alike (the same terms, the same plan); the order of posts
    whose scores are close may differ (docs/search.md: BM25's details)."""
    docs = varied_docs(300)
    for engine in SEARCH_ENGINES:
        search.update(tmp_path / engine, docs, engine=engine)
    for text in QUERIES:
        whoosh, tantivy = (every_hit(tmp_path / engine, text) for engine in SEARCH_ENGINES)
        assert len(whoosh) == len(set(whoosh)) and len(tantivy) == len(set(tantivy))
        assert set(whoosh) == set(tantivy), text


def test_switching_engines_builds_a_new_generation_beside_the_live_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "index"
    search.update(folder, DOCS, engine="whoosh")
    before = (folder / "current").resolve()
    with search.engine.Searcher(folder) as reading:  # a reader of whoosh's, mid-query
        with caplog.at_level(logging.INFO, logger="hub.search"):
            result = search.update(folder, DOCS, engine="tantivy")
        assert "whoosh's: building it anew with tantivy" in caplog.text
        total, _ = reading.search(search.parse("防汛"), Request("防汛"))
        assert total == 3  # the old generation still answers whoever holds it
    after = (folder / "current").resolve()
    assert (result.added, result.rebuilt) == (len(DOCS), True)
    assert after != before and before.exists()  # kept for readers still in it
    assert engines.recorded(folder) == "tantivy"
    assert set(ids(folder, "防汛")) == {"id1", "id3", "id7"}
    # an update without an engine keeps the live one; a change goes back to whoosh
    assert search.update(folder, DOCS) == search.UpdateResult(0, 0, 0)
    assert search.update(folder, DOCS[:2], engine="whoosh").rebuilt
    assert engines.recorded(folder) == "whoosh" and search.count(folder) == 2


def test_the_engine_of_a_generation_is_what_its_schema_file_says(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    assert engines.recorded(folder) is None
    for engine in SEARCH_ENGINES:
        search.update(folder, DOCS[:1], engine=engine)
        schema = ((folder / "current") / "hub-schema").read_text(encoding="utf-8").strip()
        assert engines.recorded(folder) == engine
        assert schema == engines.pick(engine).SCHEMA_VERSION

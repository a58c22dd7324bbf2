"""The benchmarks still run (a small corpus, no timings judged): a benchmark that rots
unnoticed, as bench/crawl.py once did when search's interface changed, measures
nothing. Figures are read from `python bench/run.py`, never asserted here."""

from __future__ import annotations

import logging

import jieba

from bench import search as search_bench

jieba.setLogLevel(logging.WARNING)


def test_the_search_benchmark_runs_and_shows_what_the_baseline_misses() -> None:
    rows = {row.name: row for row in search_bench.rows(1, (300,))}
    assert rows["search index, 300 posts"].value > 0
    assert rows["search update +100 posts, 300"].value > 0
    # jieba's own analyzer cannot find a phrase it cut differently, nor traditional
    # script: hub finds more for some of the benchmark's queries, never less
    fewer = rows["  baseline finds fewer, 300"]
    assert fewer.value >= 1, fewer.note


def test_the_fault_benchmark_runs_and_no_healthy_source_fails_beside_a_hostile_one() -> None:
    from bench import faults  # noqa: PLC0415

    rows = faults.rows(1)
    assert len(rows) == 1 + len(faults.PATHOLOGIES)
    for row in rows[1:]:
        assert "0 healthy failed" in row.note, row.note

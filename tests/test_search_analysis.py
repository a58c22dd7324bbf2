"""How text becomes index terms: rjieba cuts exactly as jieba does (checked on the demo
county's prose and, when ../shared is present, on real government reports), grams give
substrings, folding keeps offsets."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import jieba
import pytest
import rjieba

from hub.demo import SOURCES, World
from hub.search import analysis
from hub.text import fold_simplified
from tests.conftest import START

jieba.setLogLevel(logging.WARNING)
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def demo_texts() -> Iterator[str]:
    world = World(clock=lambda: START)
    for source in SOURCES:
        for post in world.latest(source, 40):
            yield post.title
            yield from post.paragraphs


def assert_same_cuts(texts: Iterator[str]) -> int:
    runs = [run for text in texts for run in HAN_RUN.findall(text)]
    for run in runs:
        assert rjieba.cut(run) == jieba.lcut(run), run
        assert rjieba.cut_for_search(run) == jieba.lcut_for_search(run), run
        assert [tuple(t) for t in rjieba.tokenize(run, mode="search")] == list(
            jieba.tokenize(run, mode="search")
        ), run
    return len(runs)


def test_rjieba_cuts_the_demo_county_as_jieba_does() -> None:
    assert assert_same_cuts(demo_texts()) > 5000


@pytest.mark.skipif(
    not (DATA / "government_work_reports.jsonl").exists(),
    reason="the real-prose corpus sits in ../shared/data, not in a clone",
)
def test_rjieba_cuts_real_government_reports_as_jieba_does() -> None:
    lines = (DATA / "government_work_reports.jsonl").read_text(encoding="utf-8").splitlines()
    texts = (json.loads(line)["content"] for line in lines if line.strip())
    assert assert_same_cuts(texts) > 50_000


def test_words_are_jieba_search_mode_with_offsets_into_the_original() -> None:
    text = "全县防汛應急演练 2026年 ＰＭ2.5"
    found = list(analysis.words(text))
    assert [w for w, _, _ in found] == ["全县", "防汛", "应急", "演练", "2026", "年", "pm2", "5"]
    for word, start, end in found:
        assert fold_simplified(text[start:end]) == word


def test_search_mode_gives_the_words_inside_long_words() -> None:
    words = [w for w, _, _ in analysis.words("中华人民共和国")]
    assert {"中华", "人民", "共和国", "中华人民共和国"} <= set(words)


def test_grams_are_character_pairs_in_reading_order() -> None:
    assert [g for g, _, _ in analysis.grams("防汛应急，县 abc")] == [
        "防汛",
        "汛应",
        "应急",
        "县",
        "abc",
    ]


def test_query_words_are_the_precise_cut() -> None:
    assert analysis.query_words("防汛应急演练") == ["防汛", "应急", "演练"]
    assert analysis.query_words("ＡＢＣ 臺灣") == ["abc", "台湾"]


def test_folding_keeps_every_offset() -> None:
    for text in ("臺灣旅遊", "ＡＢＣ", "Straße İstanbul", "発展"):
        assert len(fold_simplified(text)) == len(text)
    assert fold_simplified("臺灣旅遊 ＡＢＣ") == "台湾旅游 abc"

"""Chinese words, as jieba cuts them; owns rjieba (jieba's segmentation compiled from
Rust: the same words, tests/test_search_analysis.py, at 14x jieba's speed on real
report prose, bench/search.py). Search indexes with them; the content checks ask where
a text's word boundaries are."""

from __future__ import annotations

import rjieba


def tokenize(text: str, *, search: bool = False) -> list[tuple[str, int, int]]:
    """Each word with its offsets; `search` adds the shorter words inside long ones
    (应急管理局: 应急, 管理, 管理局, 应急管理局)."""
    return list(rjieba.tokenize(text, mode="search" if search else "default"))


def cut(text: str, *, guess: bool = True) -> list[str]:
    """The precise cut (防汛应急演练: 防汛, 应急, 演练). Without `guess`, characters the
    dictionary has no word for stay single (no HMM guessing of unknown words)."""
    return list(rjieba.cut(text, hmm=guess))


def boundaries(text: str) -> set[int]:
    """The offsets in `text` where a dictionary word starts or ends (unknown characters
    stand alone)."""
    found, at = {0}, 0
    for word in rjieba.cut(text, hmm=False):
        at += len(word)
        found.add(at)
    return found

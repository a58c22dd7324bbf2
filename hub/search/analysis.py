"""Text into index terms, the same way for documents and queries (jieba's words from
`hub.text.words`).

Two analyses of the same folded text (`hub.text.fold_simplified`):

- words: jieba's search mode, which gives each word and the shorter words inside it
  (应急管理局: 应急, 管理, 管理局, 应急管理局); letters and digits as whole words. For
  titles and department names, where they lift a post that is about the query.
- grams: overlapping pairs of Han characters (防汛应急: 防汛, 汛应, 应急), letters and
  digits as whole words, in order. What matches: a query is found wherever its
  characters stand, even where jieba cut the text's words elsewhere (县应急 inside
  全县应急管理); a phrase of grams is a substring.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hub.text import fold_simplified
from hub.text import words as jieba

Term = tuple[str, int, int]  # (term, start, end) with offsets into the original text

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W{_HAN}_]+)")


def words(text: str) -> Iterator[Term]:
    """Index terms for ranking: jieba's words and sub-words; letters and digits whole."""
    for run in _RUNS.finditer(fold_simplified(text)):
        if run["word"]:
            yield run["word"], run.start(), run.end()
            continue
        offset = run.start()
        for word, start, end in jieba.tokenize(run["han"], search=True):
            yield word, offset + start, offset + end


def query_words(text: str) -> list[str]:
    """A typed query's words: jieba's precise cut (防汛应急演练: 防汛, 应急, 演练)."""
    found: list[str] = []
    for run in _RUNS.finditer(fold_simplified(text)):
        found += jieba.cut(run["han"]) if run["han"] else [run["word"]]
    return found


def grams(text: str) -> Iterator[Term]:
    """Index terms for phrases: Han character pairs (a lone character alone), letters and
    digits whole, in reading order."""
    for run in _RUNS.finditer(fold_simplified(text)):
        start, chars = run.start(), run.group()
        if run["word"] or len(chars) == 1:
            yield chars, start, run.end()
            continue
        for i in range(len(chars) - 1):
            yield chars[i : i + 2], start + i, start + i + 2


def is_han(text: str) -> bool:
    return bool(text) and all(_HAN_CHAR.match(c) for c in text)


_HAN_CHAR = re.compile(f"[{_HAN}]")

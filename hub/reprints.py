"""The same notice published by several departments: near-duplicate detection on Chinese
text and clusters with one canonical post. Pure: texts and dates in, clusters out.

A post's sketch is the bottom-k MinHash of its character 5-gram shingles, taken after the
boilerplate that differs between reprints (来源, 编辑, 字号, 打印, ...) is stripped. Two
posts are reprints when their estimated Jaccard similarity reaches THRESHOLD and they
were published within WINDOW of each other.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from hub.models import Post

SHINGLE = 5  # characters: long enough to be specific in Chinese, short enough to survive edits
K = 32  # sketch size: the estimate's error is about sqrt(J(1-J)/K)
THRESHOLD = 0.9  # reprints are near-identical; unrelated notices share set phrases (会议强调…)
WINDOW = timedelta(days=30)
MIN_CHARS = 40  # texts shorter than this are too short to call reprints
# Candidates share one of their KEYS smallest hashes: the smallest hash of two texts'
# union is in both with probability J, so near-duplicates (J >= 0.9) meet here almost
# surely, while unrelated texts rarely do. Only candidates are compared in full.
KEYS = 4
MAX_BUCKET = 100  # a key shared by more posts than this is boilerplate, not a clue

_BOILERPLATE = re.compile(
    r"^\s*(?:来源|信息来源|文章来源|稿件来源|编辑|责任编辑|审核|审校|校对|作者|记者|通讯员|"
    r"发布时间|发布日期|日期|时间|浏览次数|点击数|阅读|字号|打印|关闭|分享到|扫一扫|【[^】]*】)"
    r"[^\n]*$",
    re.MULTILINE,
)
# What a reprinting department adds inside the text: "转发：" in front, "（来源：X）" after.
_ADDED = re.compile(
    r"^\s*转(?:发|载)\s*[:：]|[（(]\s*(?:信息|文章|稿件)?来源\s*[:：][^）)]*[）)]", re.MULTILINE
)
_NOISE = re.compile(r"[\W_]+")  # spaces and punctuation carry no identity
_ORIGIN = re.compile(r"(?:来源|信息来源|文章来源|稿件来源)\s*[:：]\s*([^\s，,。；;]+)")


def normalize(text: str) -> str:
    """Text as reprints share it: width-folded, without boilerplate lines and punctuation."""
    folded = unicodedata.normalize("NFKC", text)
    return _NOISE.sub("", _ADDED.sub("", _BOILERPLATE.sub("", folded))).lower()


def sketch_post(post: Post) -> tuple[int, ...]:
    """What reprint detection compares of a post: its title and its text."""
    return sketch(f"{post.title}\n{post.text}")


def sketch(text: str) -> tuple[int, ...]:
    """The bottom-K hashes of the text's shingles, ascending; () for a short text."""
    core = normalize(text)
    if len(core) < MIN_CHARS:
        return ()
    hashes = {zlib.crc32(core[i : i + SHINGLE].encode()) for i in range(len(core) - SHINGLE + 1)}
    return tuple(heapq.nsmallest(K, hashes))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two texts from their sketches."""
    if not a or not b:
        return 0.0
    union = heapq.nsmallest(K, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def origin_named(text: str) -> str:
    """The department a reprint names as its source (来源：X), or ''."""
    match = _ORIGIN.search(unicodedata.normalize("NFKC", text))
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Candidate:
    """What clustering needs to know of one post."""

    id: str
    sketch: tuple[int, ...]
    date: datetime
    department: str  # the name of the post's source
    origin: str  # the department its text names as the source, if any


def clusters(posts: Iterable[Candidate]) -> dict[str, str]:
    """post id -> the canonical post id of its cluster, for posts in a cluster of two or
    more; the canonical post is the one from the department the others name as their
    source, else the earliest."""
    members = [p for p in posts if p.sketch]
    by_id = {p.id: p for p in members}
    buckets: dict[int, list[str]] = defaultdict(list)
    for post in members:
        for value in post.sketch[:KEYS]:
            buckets[value].append(post.id)
    pairs = {
        (a, b) if a < b else (b, a)
        for ids in buckets.values()
        if 1 < len(ids) <= MAX_BUCKET
        for a, b in combinations(ids, 2)
    }
    parent = {p.id: p.id for p in members}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        first, second = by_id[a], by_id[b]
        if abs(first.date - second.date) <= WINDOW and (
            similarity(first.sketch, second.sketch) >= THRESHOLD
        ):
            parent[root(a)] = root(b)
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for post in members:
        groups[root(post.id)].append(post)
    result: dict[str, str] = {}
    for group in groups.values():
        if len(group) > 1:
            canonical = _canonical(group).id
            result.update((post.id, canonical) for post in group)
    return result


def _canonical(group: Sequence[Candidate]) -> Candidate:
    named = {p.origin for p in group if p.origin}
    originals = [p for p in group if p.department in named]
    return min(originals or group, key=lambda p: (p.date, p.id))

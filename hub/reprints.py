"""The same notice published by several departments: near-duplicate detection on Chinese
text and clusters with one canonical post. Pure: texts and dates in, clusters out.

A post's sketch is the bottom-k MinHash of its character 5-gram shingles, taken after the
boilerplate that differs between reprints (来源, 编辑, 字号, 打印, ...) is stripped. Two
posts are reprints when they were published within WINDOW of each other and either
their text is the same (after that normalizing: the same words, whatever their length)
or, for texts long enough to sketch, their estimated Jaccard similarity reaches
THRESHOLD. An editor's override joins a post to another's cluster, or keeps it apart.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def same_text(post: Post) -> str:
    """A digest of what identical reprints share exactly, long or short; '' for none."""
    core = normalize(f"{post.title}\n{post.text}")
    return hashlib.blake2b(core.encode(), digest_size=12).hexdigest() if core else ""


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
    if "来源" not in text and not _COMPATIBLE.search(text):
        return ""  # (a publish asks of every post: most name no source; 资源 is common)
    match = _ORIGIN.search(unicodedata.normalize("NFKC", text))
    return match.group(1) if match else ""


# characters NFKC may turn into a Han character of _ORIGIN's words
_COMPATIBLE = re.compile("[\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


@dataclass(frozen=True)
class Candidate:
    """What clustering needs to know of one post."""

    id: str
    sketch: tuple[int, ...]
    date: datetime
    department: str  # the name of the post's source
    origin: str  # the department its text names as the source, if any
    same: str = ""  # `same_text`: identical texts share it, however short


def clusters(
    posts: Iterable[Candidate],
    *,
    joined: Mapping[str, str] | None = None,
    apart: Collection[str] = (),
) -> dict[str, str]:
    """post id -> the canonical post id of its cluster, for posts in a cluster of two or
    more; the canonical post is the one from the department the others name as their
    source, else the earliest. `joined` (post id -> a post it reprints) and `apart`
    (posts that reprint nothing) are editors' decisions, and win."""
    members = {p.id: p for p in posts if (p.sketch or p.same) and p.id not in apart}
    forest = _Forest(members)
    for a, b in _similar(members):
        forest.join(a, b)
    for earlier, later in _identical(members.values()):
        forest.join(later, earlier)
    joined = joined or {}
    for copy, original in joined.items():
        if copy in members and original in members:
            forest.join(copy, original)
    result: dict[str, str] = {}
    for group in forest.groups():
        if len(group) > 1:
            canonical = _canonical([members[i] for i in group], joined.keys()).id
            result.update((post_id, canonical) for post_id in group)
    return result


class _Forest:
    """Union-find over post ids."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}

    def root(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.root(a)] = self.root(b)

    def groups(self) -> list[list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for post_id in self.parent:
            found[self.root(post_id)].append(post_id)
        return list(found.values())


def _similar(members: Mapping[str, Candidate]) -> Iterator[tuple[str, str]]:
    """Pairs of sketched posts close in time whose texts are near-identical; only posts
    that share one of their smallest hashes are compared."""
    buckets: dict[int, list[str]] = defaultdict(list)
    for post in members.values():
        for value in post.sketch[:KEYS]:
            buckets[value].append(post.id)
    pairs: set[tuple[str, str]] = set()
    for ids in buckets.values():
        if 1 < len(ids) <= MAX_BUCKET:
            pairs.update(_close(sorted(ids, key=lambda i: members[i].date), members))
    global _COMPARED  # noqa: PLW0603 (a memo: the pairs of this call replace the last call's)
    earlier, compared = _COMPARED, {}
    for a, b in pairs:
        first, second = members[a].sketch, members[b].sketch
        known = earlier.get((a, b))
        if known is not None and known[0] is first and known[1] is second:
            alike = known[2]
        else:
            alike = similarity(first, second) >= THRESHOLD
        compared[a, b] = (first, second, alike)
        if alike:
            yield a, b
    _COMPARED = compared


# The pairs compared by the last call, with the sketches compared: a long-running hub
# clusters the same posts again at every publish, and comparing them was most of it.
_COMPARED: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...], bool]] = {}


def _close(ids: Sequence[str], members: Mapping[str, Candidate]) -> Iterator[tuple[str, str]]:
    """The pairs of `ids` (in date order) within WINDOW of each other, as (lesser, greater)."""
    for n, a in enumerate(ids):
        latest = members[a].date + WINDOW
        for b in ids[n + 1 :]:
            if members[b].date > latest:
                break
            yield (a, b) if a < b else (b, a)


def _identical(members: Iterable[Candidate]) -> Iterator[tuple[str, str]]:
    """(earlier, later) for posts with the same text, each after the one before it in
    time, when close enough: identical is a reprint whatever its length."""
    same: dict[str, list[Candidate]] = defaultdict(list)
    for post in members:
        if post.same:
            same[post.same].append(post)
    for group in same.values():
        group.sort(key=lambda p: (p.date, p.id))
        for earlier, later in itertools.pairwise(group):
            if later.date - earlier.date <= WINDOW:
                yield earlier.id, later.id


def _canonical(group: Sequence[Candidate], copies: Collection[str]) -> Candidate:
    """An editor's copy is never the original; then the department the others name as
    their source; then the earliest."""
    eligible = [p for p in group if p.id not in copies] or list(group)
    named = {p.origin for p in eligible if p.origin}
    originals = [p for p in eligible if p.department in named]
    return min(originals or eligible, key=lambda p: (p.date, p.id))

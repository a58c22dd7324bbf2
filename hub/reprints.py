"""The same notice published by several departments: near-duplicate detection on Chinese
text and clusters with one canonical post. Pure: texts and dates in, clusters out.

A post's sketch is the bottom-k MinHash of its character 5-gram shingles, taken after
what differs between reprints is set aside (来源, 编辑, 字号, 打印 lines; a 转发 prefix, the
preface that forwards a notice, the addressee line, attachment lines, the signature). Sketches find
the candidates; a candidate pair published within WINDOW is a reprint when one text is
(nearly) contained in the other (`reprinted`), or, short, when both are the same.
An editor's override joins a post to another's cluster, or keeps it apart.
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
THRESHOLD = 0.9  # candidates known by their sketches alone (no text): near-identical
WINDOW = timedelta(days=30)
MIN_CHARS = 40  # texts shorter than this are too short to call reprints
# Candidates share one of their KEYS smallest hashes: the smallest hash of two texts'
# union is in both with probability J, so near-duplicates (J >= 0.9) meet here almost
# surely, and a text in another half its length does nine times in ten (1 - 0.5^4 when
# one holds the other: then the other's first hash in it is its own smallest), while
# unrelated texts rarely do. Only candidates are compared in full.
KEYS = 4
MAX_BUCKET = 100  # a key shared by more posts than this is boilerplate, not a clue
# The rule for a candidate pair, on the exact shingles of both texts: the shorter one's
# shingles nearly all in the longer (a preface added, a last paragraph cut, a line or
# two rewritten), the shorter at least half the longer (a one-sentence post is no
# reprint of a long report), and every figure of the shorter in the longer (the same
# template for another date, other names or this month's figures is another notice).
CONTAINED = 0.95
RATIO = 0.6
MIN_CONTAINED = 80  # shingles: a text much shorter than the other needs this many of its own
NEAR = 0.9  # size ratio from which two texts are about as long (no MIN_CONTAINED then)
# Pairs whose sketches estimate a Jaccard similarity below FLOOR are not compared in
# full: a text holding 90% of one half its length is at J >= 0.43, two standard errors
# (K = 32) above it.
FLOOR = 0.25

_BOILERPLATE = re.compile(
    r"^\s*(?:来源|信息来源|文章来源|稿件来源|编辑|责任编辑|审核|审校|校对|作者|记者|通讯员|"
    r"发布时间|发布日期|日期|时间|浏览次数|点击数|阅读|字号|打印|关闭|分享到|扫一扫|【[^】]*】)"
    r"[^\n]*$",
    re.MULTILINE,
)
# What a reprinting department adds: 转发 or 关于转发 before the title, "转发：" in front,
# "（来源：X）" after, "（此件公开发布）"; and the addressee line, which each department
# writes for its own (各镇（街道）、县直各单位：, 各村（社区）、镇直各单位：).
_ADDED = re.compile(
    r"^\s*(?:关于)?转(?:发|载)\s*[:：]?"
    r"|[（(]\s*(?:信息|文章|稿件)?来源\s*[:：][^）)]*[）)]"
    r"|[（(]\s*此件[^）)]{0,12}[）)]"
    r"|^\s*各[^。！？\n:：]{1,60}[:：]",
    re.MULTILINE,
)
# The sentence that forwards a notice: 现将《…》转发给你们，请认真贯彻执行。
_PREFACE = re.compile(
    r"[^。！？\n]*(?:(?:转发|印发)给你们|现[予将]?(?:转发|印发))[^。！？\n]*[。！？]?"
)
# Attachment lines, which reprints often leave out: 附件：1.….docx, 附件1. …, 相关附件,
# and the file names listed under them.
_ATTACHED = re.compile(
    r"^\s*(?:相关)?附件\s*\d*\s*(?:[:：.、．]|下载)[^\n]*$"
    r"|^\s*\d{1,2}\s*[.、．]\s*[^\n]{1,80}\.(?:docx?|xlsx?|pdf|wps|et|ofd|zip|rar)\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_NOISE = re.compile(r"[\W_]+")  # spaces and punctuation carry no identity
_ORIGIN = re.compile(r"(?:来源|信息来源|文章来源|稿件来源)\s*[:：]\s*([^\s，,。；;]+)")
_NUMERAL = r"\d〇零一二三四五六七八九十"
_DATE = rf"[{_NUMERAL}]{{2,4}}\s*年\s*[{_NUMERAL}]{{1,3}}\s*月\s*[{_NUMERAL}]{{1,3}}\s*日"
# A signature: a line that is a date alone, and the issuer's name on the line above: a
# reprint signs with its own, or with none.
_SIGNATURE = re.compile(
    rf"^(?:[^\n。，,；;：:！？]{{0,30}}(?:政府|办公室|委员会|办事处|局|委|办|中心|街道|镇|乡|社区)"
    rf"\s*\n)?\s*{_DATE}\s*$",
    re.MULTILINE,
)
# figures: numbers, and numerals of a date or a time (六月十八日, 九时)
_FIGURE = re.compile(r"\d+(?:\.\d+)?|[〇零一二三四五六七八九十]+(?=[年月日时号点])")
# places below the county (白沙镇, 石门村, 城关社区): a notice of the same template for
# another town or village (停电, 停水, 封路) is another notice, however long the template
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}(?:镇|乡|村|社区|街道)")


def normalize(text: str) -> str:
    """Text as reprints share it: width-folded, without boilerplate lines and punctuation."""
    return _NOISE.sub("", _stripped(text)).lower()


def _stripped(text: str) -> str:
    """Width-folded, without the lines and sentences reprints add, drop or change."""
    folded = unicodedata.normalize("NFKC", text)
    kept = _SIGNATURE.sub("", _ATTACHED.sub("", _BOILERPLATE.sub("", folded)))
    return _ADDED.sub("", _PREFACE.sub("", kept))


def same_text(post: Post) -> str:
    """A digest of what identical reprints share exactly, long or short; '' for none."""
    core = normalize(f"{post.title}\n{post.text}")
    return hashlib.blake2b(core.encode(), digest_size=12).hexdigest() if core else ""


def compared(post: Post) -> str:
    """What reprint detection compares of a post: its title and its text."""
    return f"{post.title}\n{post.text}"


def sketch_post(post: Post) -> tuple[int, ...]:
    return sketch(compared(post))


@dataclass(frozen=True, slots=True)
class Sketching:
    """`sketch_post` with the version of what a sketch is made of, which the store keeps
    with each sketch: a change (what `normalize` sets aside, the shingles) re-sketches
    every stored post once, at the next publish."""

    version: str = "2"  # 2: a 转发 prefix, prefaces, attachment lines, signatures set aside

    def __call__(self, post: Post) -> tuple[int, ...]:
        return sketch_post(post)


SKETCHER = Sketching()


def sketch(text: str) -> tuple[int, ...]:
    """The bottom-K hashes of the text's shingles, ascending; () for a short text."""
    core = normalize(text)
    if len(core) < MIN_CHARS:
        return ()
    hashes = {zlib.crc32(shingle.encode()) for shingle in _shingles(core)}
    return tuple(heapq.nsmallest(K, hashes))


def _shingles(core: str) -> set[str]:
    return {core[i : i + SHINGLE] for i in range(len(core) - SHINGLE + 1)}


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two texts from their sketches."""
    if not a or not b:
        return 0.0
    union = heapq.nsmallest(K, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the exact comparison of two texts needs of each."""

    shingles: frozenset[str]
    figures: frozenset[str]  # numbers and dates (not the date a text is signed with)
    places: frozenset[str] = frozenset()  # towns, villages, communities named

    @classmethod
    def of(cls, text: str) -> Shape:
        kept = _stripped(text)
        core = _NOISE.sub("", kept).lower()
        figures = _FIGURE.findall(kept)
        places = frozenset(_PLACE.findall(kept))
        return cls(frozenset(_shingles(core)), frozenset(figures), places)


def reprinted(a: Shape, b: Shape) -> bool:
    """Whether one text is the other's reprint: the shorter nearly all in the longer,
    not much shorter than it, and none of its figures or places missing from it."""
    small, large = sorted((a, b), key=lambda s: len(s.shingles))
    size = len(small.shingles)
    if size == 0 or size < RATIO * len(large.shingles):
        return False
    if size < MIN_CONTAINED and size < NEAR * len(large.shingles):
        return False
    if not (small.figures <= large.figures and small.places <= large.places):
        return False
    return len(small.shingles & large.shingles) >= CONTAINED * size


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
    # the post, for comparing candidate pairs in full (`reprinted`); without it their
    # sketches alone decide (estimated Jaccard >= THRESHOLD), which misses containment
    post: Post | None = None


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
    earlier, memo, shapes = _COMPARED, {}, _Shapes()
    for a, b in pairs:
        first, second = members[a], members[b]
        known = earlier.get((a, b))
        if known is not None and _same(known[0], first) and _same(known[1], second):
            alike = known[2]
        else:
            alike = _alike(first, second, shapes)
        memo[a, b] = (first, second, alike)
        if alike:
            yield a, b
    _COMPARED = memo


# The pairs compared by the last call, with the candidates compared: a long-running hub
# clusters the same posts again at every publish, and comparing them was most of it.
_COMPARED: dict[tuple[str, str], tuple[Candidate, Candidate, bool]] = {}


def _same(before: Candidate, now: Candidate) -> bool:
    """The same sketch and the same post as compared before (a changed post is stored,
    sketched and read again: new objects)."""
    return before.sketch is now.sketch and before.post is now.post


def _alike(a: Candidate, b: Candidate, shapes: _Shapes) -> bool:
    estimate = similarity(a.sketch, b.sketch)
    if a.post is None or b.post is None:
        return estimate >= THRESHOLD
    return estimate >= FLOOR and reprinted(shapes.of(a.post), shapes.of(b.post))


class _Shapes(dict[str, Shape]):
    """Each compared post's shape, made once per call (a notice ten towns reprint is
    in forty-five pairs)."""

    def of(self, post: Post) -> Shape:
        made = self.get(post.id)
        if made is None:
            made = self[post.id] = Shape.of(compared(post))
        return made


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

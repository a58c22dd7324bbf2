"""Content checks (issue 14): 10,000 posts of real government prose against 2,000 list
terms and 500 protected terms, beside a baseline in the same run (each term looked for
with `in`, the way a first version would), and the share a check of every new post adds
to a crawl of the demo county.

    python -m bench.checks
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from bench.common import START, Row, prose, quiet, timed
from hub import pipeline
from hub.checks import Checker, Entry, Protected, builtin_entries
from hub.config import Checks
from hub.demo import CountyServer, World, channels_yaml, write_config
from hub.models import Post
from hub.text.words import cut

POSTS, TERMS, PROTECTED = 10_000, 2_000, 500
RARE = "霡霂婞緌鼟鬰龘靐齉爩癵驫麤鱻"  # characters no official text holds


def corpus(count: int) -> list[Post]:
    paragraphs = prose()
    rng = random.Random(14)
    posts = []
    for n in range(count):
        text = "\n".join(rng.choice(paragraphs) for _ in range(rng.randint(2, 6)))
        posts.append(Post("bench", str(n), f"https://x.gov.cn/{n}.html", text[:24], "", text, None))
    return posts


def lists(posts: list[Post], terms: int, protected: int) -> tuple[list[Entry], list[Protected]]:
    """Wrong forms made from real words with one character changed to a rare one (as
    real lists' wrong forms, they hardly ever occur), and protected terms from the
    prose's most frequent long words (they occur, right, as formulations do), a fifth
    of them names with titles."""
    rng = random.Random(15)
    words: set[str] = set()
    while len(words) < terms:
        text = rng.choice(posts).text
        at = rng.randrange(max(1, len(text) - 4))
        word = text[at : at + 4]
        if len(word) == 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
            i = rng.randrange(4)
            words.add(word[:i] + rng.choice(RARE) + word[i + 1 :])
    entries = [
        Entry(w, w.translate({ord(c): "之" for c in RARE}), "typo", "warning") for w in words
    ]
    counts: dict[str, int] = {}
    for post in posts[:2000]:
        for word in cut(post.text):
            if len(word) >= 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
                counts[word] = counts.get(word, 0) + 1
    # the formulations official prose repeats most (社会主义, 改革开放, ...): the most
    # candidates for near misses, the worst case for the checks
    phrases = sorted(counts, key=lambda w: -counts[w])[: protected * 4 // 5]
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "明华强伟芳娟敏静丽军磊洋勇艳杰涛"
    titles = ("县长", "副县长", "县委书记", "局长", "镇长")
    people = {
        rng.choice(surnames) + rng.choice(given) + rng.choice(given): rng.choice(titles)
        for _ in range(protected // 5)
    }
    terms_ = [Protected(p) for p in sorted(phrases)]
    terms_ += [Protected(name, (title,)) for name, title in sorted(people.items())]
    return entries, terms_


def planted(posts: list[Post], count: int = 1000) -> tuple[int, int, int]:
    """(planted, caught, other findings): each of `count` posts gets one wrong form of
    hub's own list written in after a random sentence's end, as a typo would stand."""
    rng = random.Random(16)
    entries = builtin_entries(Checks())
    checker = Checker.build(Checks())
    caught = others = 0
    for post in posts[:count]:
        entry = rng.choice(entries)
        ends = [i + 1 for i, c in enumerate(post.text) if c == "。"] or [0]
        at = rng.choice(ends)
        text = post.text[:at] + entry.wrong + post.text[at:]
        found = checker.text(Post("bench", post.key, post.url, post.title, "", text, None))
        hit = [f for f in found if f.position == at and f.text == entry.wrong]
        caught += bool(hit)
        others += len(found) - len(hit)
    return min(count, len(posts)), caught, others


def naive(posts: list[Post], entries: list[Entry]) -> int:
    """The baseline: each wrong form looked for in each post with `in`."""
    return sum(1 for p in posts for e in entries if e.wrong in p.text)


def crawl_share() -> tuple[int, float, float]:
    """(posts, seconds to crawl the demo county, seconds to check what it stored)."""
    with tempfile.TemporaryDirectory() as temporary, quiet():
        folder = Path(temporary)
        with CountyServer(World(clock=lambda: START)) as county:
            path = write_config(folder / "channels.yaml", channels_yaml(county.base_url))
            config = pipeline.load(path)
            store = pipeline.open_store(config)
            _, crawled = timed(lambda: pipeline.crawl(config, store, START))
        stored = store.posts()
        _, checked = timed(lambda: pipeline.checking.findings_of(config, stored))
        store.close()
    return len(stored), crawled, checked


def rows(repeat: int = 1, count: int = POSTS, *, crawl: bool = True) -> list[Row]:
    posts = corpus(count)
    chars = sum(len(p.text) for p in posts)
    entries, protected = lists(posts, TERMS, PROTECTED)
    checker, built = timed(lambda: Checker.build(Checks(), entries, protected))
    found, seconds = min(
        (timed(lambda: sum(len(checker.text(p)) for p in posts)) for _ in range(max(1, repeat))),
        key=lambda r: r[1],
    )
    words_only = Checker.build(Checks(builtin=False), entries)
    _, listed = timed(lambda: sum(len(words_only.text(p)) for p in posts))
    _, baseline = timed(lambda: naive(posts, entries))
    made = [
        Row(
            f"checks: {count:,} posts x {TERMS:,} list + {PROTECTED} protected terms",
            count / seconds,
            "posts/s",
            f"{seconds:.2f}s, {chars / seconds / 1e6:.2f}M chars/s, {found} findings; "
            f"lists compiled in {built:.2f}s",
        ),
        Row(
            f"checks: the {TERMS:,} list terms alone",
            count / listed,
            "posts/s",
            f"{listed:.2f}s; baseline `term in text` per term {baseline:.2f}s: "
            f"{baseline / listed:.1f}x slower",
        ),
    ]
    sown, caught, others = planted(posts)
    made.append(
        Row(
            "checks: 错别字 of hub's list planted in real prose",
            100 * caught / sown,
            "% caught",
            f"{caught} of {sown}; {others} other findings in the same posts",
        )
    )
    if crawl:
        stored, crawled, checked = crawl_share()
        made.append(
            Row(
                "checks: share of a demo county crawl",
                100 * checked / crawled,
                "%",
                f"{stored} posts checked in {checked:.2f}s after a {crawled:.2f}s crawl",
            )
        )
    return made


if __name__ == "__main__":
    for row in rows():
        print(f"{row.name}: {row.value:,.1f} {row.unit}  ({row.note})")

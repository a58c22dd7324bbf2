"""Routing 100,000 posts through 200 rules with a thousand keywords, beside the plain
`keyword in text` loop a first version would write (timed on a slice, it is that slow)."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from bench.common import START, Row, best, prose
from hub.config import Channel, Rule, Source
from hub.models import Post, StoredPost
from hub.route import Router

POSTS = 100_000
BASELINE_POSTS = 2_000
CHANNELS, RULES_PER_CHANNEL, KEYWORDS_PER_RULE = 50, 4, 5


def corpus(rng: random.Random) -> tuple[list[StoredPost], list[Channel], list[Source]]:
    texts = prose()
    sources = [
        Source(
            id=f"s{n}",
            name=f"单位{n}",
            group=("镇街", "部门")[n % 2],
            feed=f"https://x.gov.cn/{n}.xml",
        )
        for n in range(60)
    ]
    posts = []
    for n in range(POSTS):
        text = texts[n % len(texts)][: rng.randint(300, 1500)]
        title = text[: rng.randint(12, 30)]
        published = START - timedelta(minutes=n)
        post = Post(
            source_id=f"s{n % 60}",
            key=str(n),
            url=f"https://x.gov.cn/a/{n}.html",
            title=title,
            content_html="",
            text=text,
            published=published,
        )
        posts.append(StoredPost(post, published, published))

    # Topical words, as editors write them: each found in 0.1% to 3% of the posts.
    sample_texts = [p.post.title + p.post.text for p in posts[:2000]]

    def frequency(word: str) -> float:
        return sum(1 for text in sample_texts if word in text) / len(sample_texts)

    vocabulary: list[str] = []
    while len(vocabulary) < CHANNELS * RULES_PER_CHANNEL * KEYWORDS_PER_RULE:
        sample = texts[rng.randrange(len(texts))]
        start = rng.randrange(max(1, len(sample) - 4))
        candidate = sample[start : start + rng.randint(3, 4)]
        if (
            candidate.isalnum()
            and candidate not in vocabulary
            and 0.001 <= frequency(candidate) <= 0.03
        ):
            vocabulary.append(candidate)
    words = iter(vocabulary)

    def word() -> str:
        return next(words)

    channels = [
        Channel(
            slug=f"c{c}",
            title=f"栏目{c}",
            include=tuple(
                Rule(
                    keywords=tuple(word() for _ in range(KEYWORDS_PER_RULE)),
                    group=("部门",) if r == 0 else (),
                )
                for r in range(RULES_PER_CHANNEL)
            ),
        )
        for c in range(CHANNELS)
    ]
    channels.append(Channel(slug="qita", title="其他", fallback=True))
    return posts, channels, sources


def plain_loop(posts: list[StoredPost], channels: list[Channel], sources: list[Source]) -> int:
    """Route the obvious way: every rule, every keyword, `in` on title and text."""
    groups = {s.id: s.group for s in sources}
    placed = 0
    for stored in posts:
        post = stored.post
        for channel in channels:
            for rule in channel.include:
                if rule.group and groups[post.source_id] not in rule.group:
                    continue
                if any(k in post.title or k in post.text for k in rule.keywords):
                    placed += 1
                    break
    return placed


def rows(repeat: int) -> list[Row]:
    posts, channels, sources = corpus(random.Random(7))
    router = Router(channels, sources, ZoneInfo("Asia/Shanghai"))
    routed, hub_seconds = best(lambda: router.route_all(posts, START), repeat)
    sample = posts[:BASELINE_POSTS]
    _, loop_seconds = best(lambda: plain_loop(sample, channels, sources), repeat)
    hub_rate, loop_rate = POSTS / hub_seconds, BASELINE_POSTS / loop_seconds
    rules = CHANNELS * RULES_PER_CHANNEL
    keywords = len({k for c in channels for r in c.include for k in r.keywords})
    placements = sum(len(r.channels) for r in routed)
    return [
        Row(
            f"route {POSTS:,} posts × {rules} rules",
            hub_rate,
            "posts/s",
            f"{hub_seconds:.1f}s, {keywords} keywords, {placements:,} placements; "
            f"{hub_rate / loop_rate:.0f}x the plain loop",
        ),
        Row(
            "route, plain `in` loop (baseline)",
            loop_rate,
            "posts/s",
            f"{BASELINE_POSTS:,} posts in {loop_seconds:.1f}s",
        ),
    ]

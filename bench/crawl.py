"""Crawl, publish and search over the simulated county, first run and re-run."""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from bench.common import START, Row, timed
from hub import pipeline, search
from hub.demo import CountyServer, World, channels_yaml, write_config


@dataclass
class Round:
    sources: int
    posts: int
    requests: int
    pages: int
    first: float  # seconds: first crawl
    again: float  # seconds: second crawl, everything 304
    publish: float  # seconds: route + build + index of every post
    republish: float  # seconds: the same with nothing changed
    queries: list[float]  # seconds per query
    bare: float  # seconds: the first crawl without attachments
    files: int  # attachments read


def one_round(folder: Path) -> Round:
    with CountyServer(World(clock=lambda: START)) as county:
        text = channels_yaml(county.base_url)
        (folder / "bare").mkdir()
        bare = pipeline.load(
            write_config(
                folder / "bare" / "channels.yaml",
                text.replace("\nattachments:", "\nattachments:\n  enabled: false", 1),
            )
        )
        bare_store = pipeline.open_store(bare)
        _, bare_first = timed(lambda: pipeline.crawl(bare, bare_store, START))
        bare_store.close()
        county.requests = 0
        config = pipeline.load(write_config(folder / "channels.yaml", text))
        store = pipeline.open_store(config)
        results, first = timed(lambda: pipeline.crawl(config, store, START))
        requests = county.requests
        _, again = timed(lambda: pipeline.crawl(config, store, START + timedelta(minutes=5)))
    read = store.attachments.of(a.url for p in store.posts() for a in p.post.attachments)
    outcome, publish = timed(lambda: pipeline.publish(config, store, START))
    _, republish = timed(lambda: pipeline.publish(config, store, START))
    queries = [
        timed(partial(search.search, config.index_dir, search.Request(q)))[1]
        for q in ("防汛", "旅游 民宿", "招聘", "县应急管理局", "乡村振兴", "养老")
    ]
    store.close()
    return Round(
        len(results),
        sum(r.new for r in results),
        requests,
        outcome.pages,
        first,
        again,
        publish,
        republish,
        queries,
        bare_first,
        sum(1 for a in read.values() if a.text),
    )


def rows(repeat: int) -> list[Row]:
    rounds = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            rounds.append(one_round(Path(folder)))
    r = rounds[0]
    first, again = min(x.first for x in rounds), min(x.again for x in rounds)
    publish, republish = min(x.publish for x in rounds), min(x.republish for x in rounds)
    queries = [q for x in rounds for q in x.queries]
    bare = min(x.bare for x in rounds)
    return [
        Row(
            "crawl demo county, first run",
            r.sources / first,
            "sources/s",
            f"{r.sources} sources, {r.posts} posts, {r.requests} requests in {first:.2f}s",
        ),
        Row(
            "attachments' share of the first crawl",
            100 * (first - bare) / first,
            "%",
            f"{r.files} attachments downloaded and read; {bare:.2f}s without them",
        ),
        Row(
            "crawl demo county, all 304",
            r.sources / again,
            "sources/s",
            f"{again:.2f}s; {first / again:.1f}x faster than the first crawl",
        ),
        Row(
            "publish: route + build + index",
            r.pages / publish,
            "files/s",
            f"{r.pages} files, {r.posts} posts indexed in {publish:.2f}s",
        ),
        Row(
            "publish again, index unchanged",
            r.pages / republish,
            "files/s",
            f"{republish:.2f}s; {publish / republish:.1f}x faster: no post re-indexed",
        ),
        Row(
            "search query, median",
            statistics.median(queries) * 1000,
            "ms",
            f"max {max(queries) * 1000:.1f} ms, {len(queries)} queries over {r.posts} posts",
        ),
    ]

"""End-to-end freshness on the demo county: with the scheduler and the server running,
how long from a post appearing at its department's site to being found by the
portal's search (/api/search)? The county's pulse publishes a post somewhere every
PULSE; sources are polled every EVERY, the scheduler looks every TICK and publishes at
most every TICK. The bound to expect is EVERY + TICK + one publish.

    python -m bench.freshness
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row
from hub import pipeline, schedule
from hub.demo import SOURCES, CountyServer, DemoPost, World, channels_yaml, write_config
from hub.demo.world import day_of
from hub.serve import Server

PULSE = timedelta(seconds=27)  # not a multiple of EVERY: posts land at every phase of a poll
EVERY, TICK = "20s", "5s"
POSTS = 8


def _now() -> datetime:
    return datetime.now(UTC)


def _pulse_post(world: World, moment: datetime) -> DemoPost:
    """The post the county's pulse will publish at `moment` (known ahead: the world is
    deterministic)."""
    found = [
        post
        for source in SOURCES
        for post in world.posts_on(source, day_of(moment))
        if post.time == moment
    ]
    assert len(found) == 1, found  # noqa: S101
    return found[0]


def _matches(portal: str, post: DemoPost) -> int:
    query = urllib.parse.urlencode({"q": post.title, "source": post.source.id, "per_page": "1"})
    with urllib.request.urlopen(f"{portal}api/search?{query}", timeout=10) as answer:
        return int(json.loads(answer.read())["total"])


def measure(folder: Path) -> list[float]:
    """Seconds from appearing to searchable, for POSTS posts of the pulse."""
    world = World(pulse=PULSE, pulse_since=_now() + timedelta(seconds=30))
    delays: list[float] = []
    with CountyServer(world) as county:
        path = folder / "channels.yaml"
        text = channels_yaml(county.base_url)
        text = text.replace("every: 2m", f"every: {EVERY}")
        text = text.replace("tick: 30s", f"tick: {TICK}").replace(
            "publish_every: 30s", f"publish_every: {TICK}"
        )
        write_config(path, text)
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, _now())
        pipeline.publish(config, store, _now())
        store.close()
        server = Server(config, _now, port=0).start()
        background = schedule.Background(config, _now, first_in=timedelta(seconds=1))
        try:
            for n in range(POSTS):
                moment = (world.pulse_since + PULSE * n).astimezone(UTC)
                post = _pulse_post(world, moment)
                before = _matches(server.url, post)  # before it appears
                while _now() < moment:
                    time.sleep(0.05)
                while _matches(server.url, post) <= before:
                    if _now() - moment > timedelta(minutes=3):
                        raise RuntimeError(f"{post.title} never became searchable")
                    time.sleep(0.2)
                delays.append((_now() - moment).total_seconds())
        finally:
            background.stop()
            server.stop()
    return delays


def rows(repeat: int) -> list[Row]:
    del repeat
    with tempfile.TemporaryDirectory() as folder:
        delays = measure(Path(folder))
    return [
        Row(
            "freshness: appeared -> searchable",
            statistics.median(delays),
            "s",
            f"median of {len(delays)} posts, max {max(delays):.1f}s; sources polled every "
            f"{EVERY}, scheduler tick and publish every {TICK} (bound: the two + a publish)",
        )
    ]


if __name__ == "__main__":
    for row in rows(1):
        print(f"{row.name:<36} {row.value:>8.1f} {row.unit:<3} {row.note}")

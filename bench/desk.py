"""The editors' desk on the demo county (1,584 posts crawled, 部门快讯 under review: all),
with the portal and the desk served on 127.0.0.1:

- click to live: from the POST of a takedown (or an approval) to the portal no longer
  (or newly) serving the post's page and /api/search agreeing, 20 of each; beside a
  plain `hub publish` of the same site, the least any way of publishing could take;
- the review queue's first and last page with 10,000 posts waiting;
- exporting an audit trail of 100,000 lines as CSV, over HTTP and from `hub log`.

    python -m bench.desk
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.common import START, Row, timed
from hub import pipeline
from hub.config import Config
from hub.demo import SOURCES, CountyServer, World, channels_yaml, write_config
from hub.models import Post
from hub.serve import Server
from hub.serve.desk import DeskServer
from hub.serve.desk.auth import hash_password
from hub.serve.desk.views import csv_lines
from hub.site import post_path
from hub.store import Actor, LogQuery

CLICKS = 20
WAITING = 10_000
LOG_LINES = 100_000
PASSWORD = "bench-password-1"  # noqa: S105 (a benchmark's)


def _now() -> datetime:
    return datetime.now(UTC)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _found(portal: str, title: str, path: str) -> bool:
    """Whether the portal's search lists the post at `path` for its own title."""
    query = urllib.parse.urlencode({"q": f'"{title}"', "per_page": "50"})
    with urllib.request.urlopen(f"{portal}api/search?{query}", timeout=30) as answer:
        return path in answer.read().decode("utf-8")


def _until(condition: Callable[[], bool], started: float, limit: float = 120.0) -> float:
    """Seconds from `started` (the click) until `condition` holds."""
    while not condition():
        if time.perf_counter() - started > limit:
            raise TimeoutError("the portal did not follow the desk")
        time.sleep(0.02)
    return time.perf_counter() - started


def _site(folder: Path) -> Config:
    """The demo county crawled and published once, 部门快讯 under review: all."""
    world = World(clock=lambda: START)
    with CountyServer(world) as county:
        text = channels_yaml(county.base_url, "http://127.0.0.1:8000/")
        text = text.replace("title: 部门快讯\n", "title: 部门快讯\n    review: all\n", 1)
        config = pipeline.load(write_config(folder / "channels.yaml", text))
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, _now())
        pipeline.publish(config, store, _now())
        store.people.add("bench", "admin", hash_password(PASSWORD), Actor("bench", _now()))
        store.close()
    return config


def _login(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=120)
    token = re.search(r'name="token" value="([^"]+)"', client.get("/login").text)
    assert token is not None  # noqa: S101
    client.post("/login", data={"token": token[1], "name": "bench", "password": PASSWORD})
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/posts").text)
    assert csrf is not None  # noqa: S101
    return client, csrf[1]


def _clicks(config: Config, desk: str, portal: str, clicks: int) -> tuple[list[float], list[float]]:
    store = pipeline.open_store(config)
    client, csrf = _login(desk)
    routed = pipeline.route(config, store, _now())
    zone = config.site.zone
    # posts the portal shows and finds by their own title (a reprint is found as its
    # original)
    shown = [
        r
        for r in routed
        if "zhenjie" in r.channels
        and _found(portal, r.post.post.title, post_path(r.post.post.id, r.post.filed, zone))
    ][:clicks]
    waiting_ids, _ = store.desk.waiting(clicks)
    downs, ups = [], []
    for item in shown:
        post = item.post
        path = post_path(post.post.id, post.filed, zone)
        started = time.perf_counter()
        client.post(f"/posts/{post.post.id}/takedown", data={"csrf": csrf, "reason": "bench"})

        def gone(path: str = path, title: str = post.post.title) -> bool:
            return _status(portal + path) == 404 and not _found(portal, title, path)

        downs.append(_until(gone, started))
    for pid in waiting_ids:
        found = store.find(pid)
        assert found is not None  # noqa: S101
        page = portal + post_path(found.post.id, found.filed, zone)
        # the version the reviewer sees on the queue (an approval is of it)
        seen = store.desk.decision(pid).version(found.post.hash)
        form = {"csrf": csrf, "ids": pid, "verdict": "approve", f"v-{pid}": seen}
        started = time.perf_counter()
        answer = client.post("/queue", data=form)
        assert "已通过 1 篇" in client.get(answer.headers["location"]).text  # noqa: S101

        def live(page: str = page) -> bool:
            return _status(page) == 200

        ups.append(_until(live, started))
    client.close()
    store.close()
    return downs, ups


def _queue(config: Config, desk: str, waiting: int) -> tuple[float, float, int]:
    """Render time of the queue's first and last page with WAITING posts waiting."""
    store = pipeline.open_store(config)
    live = [s.id for s in SOURCES if s.status == "ok"]
    posts = [
        Post(
            source_id=live[n % len(live)],
            key=f"bench-{n}",
            url=f"http://127.0.0.1:9/bench/{n}.html",
            title=f"待审稿件第{n}号：关于防汛工作的通知",
            content_html=f"<p>正文{n}</p>",
            text=f"正文{n}",
            published=START - timedelta(minutes=n),
        )
        for n in range(waiting)
    ]
    store.save(posts, _now())
    already, _ = store.desk.waiting(1_000_000)
    store.desk.mark_waiting([p.id for p in posts[: max(0, waiting - len(already))]], _now())
    _, total = store.desk.waiting(1)
    store.close()
    client, _ = _login(desk)
    last = -(-total // 50)
    first_page = min(timed(lambda: client.get("/queue"))[1] for _ in range(5))
    last_page = min(timed(lambda: client.get(f"/queue?page={last}"))[1] for _ in range(5))
    client.close()
    return first_page, last_page, total


def _export(config: Config, desk: str, count: int) -> tuple[float, float, int]:
    """Seconds to export LOG_LINES lines as CSV: over HTTP, and as `hub log --csv` does."""
    at = START.replace(tzinfo=None)
    log = [
        (
            at + timedelta(seconds=n),
            f"编辑{n % 7}",
            "takedown",
            f"p{n}",
            '{"taken_down": false}',
            '{"taken_down": true}',
            "标题有误",
        )
        for n in range(count)
    ]
    insert = (
        'INSERT INTO desk_log (at, "user", action, post_id, channel, before, after, reason,'
        " address) VALUES (?, ?, ?, ?, '', ?, ?, ?, '127.0.0.1')"
    )
    url = pipeline.runs.store_url(config)
    if pipeline.runs.on_postgres(config):  # the suite's PostgreSQL pass
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url.replace("postgresql+psycopg:", "postgresql:")) as connection:
            connection.cursor().executemany(insert.replace("?", "%s"), log)
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.executemany(insert, log)
    client, _ = _login(desk)
    answer, http_seconds = timed(lambda: client.get("/log.csv"))
    lines = answer.text.count("\n") - 1
    client.close()
    store = pipeline.open_store(config)
    _, cli_seconds = timed(
        lambda: sum(1 for _ in csv_lines(store.desk.export(LogQuery()), config.site.zone))
    )
    store.close()
    return http_seconds, cli_seconds, lines


def rows(
    repeat: int = 1, clicks: int = CLICKS, waiting: int = WAITING, log_lines: int = LOG_LINES
) -> list[Row]:
    with tempfile.TemporaryDirectory() as temporary:
        config = _site(Path(temporary))
        store = pipeline.open_store(config)
        _, publish_seconds = timed(lambda: pipeline.publish(config, store, _now()))
        store.close()
        portal = Server(config, _now, port=0).start()
        desk = DeskServer(config, _now, "127.0.0.1", 0).start()
        try:
            downs, ups = _clicks(config, desk.url, portal.url, clicks)
            first_page, last_page, waiting = _queue(config, desk.url, waiting)
            http_seconds, cli_seconds, lines = _export(config, desk.url, log_lines)
        finally:
            desk.stop()
            portal.stop()
    baseline = f"a plain incremental publish of the same site: {publish_seconds:.2f}s"
    return [
        Row(
            f"desk takedown, click to live (median of {len(downs)})",
            statistics.median(downs),
            "s",
            f"max {max(downs):.2f}s; {statistics.median(downs) / publish_seconds:.2f}x {baseline}",
        ),
        Row(
            f"desk approval, click to live (median of {len(ups)})",
            statistics.median(ups),
            "s",
            f"max {max(ups):.2f}s; {statistics.median(ups) / publish_seconds:.2f}x the publish",
        ),
        Row(
            f"desk queue page, {waiting:,} waiting",
            first_page * 1000,
            "ms",
            f"first page; the last page {last_page * 1000:.0f} ms (best of 5, 50 posts each)",
        ),
        Row(
            f"desk log export, {lines:,} lines (CSV)",
            lines / http_seconds,
            "lines/s",
            f"{http_seconds:.1f}s over HTTP; {cli_seconds:.1f}s as `hub log --csv` reads it",
        ),
    ]


if __name__ == "__main__":
    for row in rows():
        print(f"{row.name:<48} {row.value:>10,.2f} {row.unit:<8} {row.note}")

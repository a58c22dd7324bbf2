"""Readers never see a half-built portal: a publish killed with SIGKILL leaves the previous
site serving, and pages read over HTTP during repeated publishes are always whole."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.config import Config
from hub.models import Post
from hub.serve import Server

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
CONFIG = """\
site: {title: 示例县政务信息聚合平台, base_url: "http://127.0.0.1:8000/", per_page: 10}
sources:
  - {id: banquan, name: 板泉镇人民政府, group: 镇街, feed: "https://x.gov.cn/bq.xml"}
  - {id: wlj, name: 县文化和旅游局, group: 部门, feed: "https://x.gov.cn/wlj.xml"}
channels:
  - {slug: zhenjie, title: 镇街动态, include: [{group: 镇街}]}
  - {slug: bumen, title: 部门快讯, include: [{group: 部门}]}
  - {slug: yiyou, title: 宜游, include: [{keywords: [旅游]}]}
  - {slug: qita, title: 其他, fallback: true}
"""


def add_posts(config: Config, first: int, count: int, now: datetime) -> None:
    store = pipeline.open_store(config)
    words = ("旅游", "会议", "防汛", "招聘")
    store.save(
        [
            Post(
                source_id=("banquan", "wlj")[n % 2],
                key=f"k{n}",
                url=f"https://x.gov.cn/{n}.html",
                title=f"第{n}条信息：{words[n % 4]}",
                content_html=f"<p>{'正文' * 200}{n}</p>",
                text=f"{'正文' * 200}{n}",
                published=now - timedelta(minutes=n),
            )
            for n in range(first, first + count)
        ],
        now,
    )
    store.close()


@pytest.fixture
def project(tmp_path: Path) -> Config:
    (tmp_path / "channels.yaml").write_text(CONFIG, encoding="utf-8")
    config = pipeline.load(tmp_path / "channels.yaml")
    add_posts(config, 0, 1500, T0)
    pipeline.publish(config, pipeline.open_store(config), T0)
    return config


def linked_pages(config: Config) -> list[Path]:
    """Every page the live build links from its home and section pages, plus those."""
    live = config.site_dir.resolve()
    pages = [live / "index.html", *live.glob("c/*/index.html")]
    return pages + sorted(live.glob("p/*/*/*.html"))[:200]


def test_a_killed_publish_leaves_the_previous_site_whole(project: Config) -> None:
    before = project.site_dir.resolve()
    expected = {p.relative_to(before): p.read_bytes() for p in linked_pages(project)}
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(T0.timestamp()) + 60)}
    command = [sys.executable, "-m", "hub", "publish", "--full", "-c", str(project.path)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    builds = project.data_dir / "builds"
    deadline = time.monotonic() + 60
    partial = None
    while partial is None and time.monotonic() < deadline and process.poll() is None:
        for folder in builds.iterdir():
            if folder != before and sum(1 for _ in folder.rglob("*.html")) > 300:
                partial = folder
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert partial is not None, "the publish ended before it could be killed; make it bigger"
    assert project.site_dir.resolve() == before  # the switch never happened
    for relative, content in expected.items():
        assert (project.site_dir / relative).read_bytes() == content
    # the next publish succeeds and clears what the killed one left behind
    pipeline.publish(project, pipeline.open_store(project), T0 + timedelta(minutes=2))
    remaining = set(builds.iterdir())
    assert partial not in remaining and len(remaining) == 2


def test_readers_never_see_a_missing_or_partial_page_during_publishes(project: Config) -> None:
    server = Server(project, lambda: T0, port=0).start()
    paths = [p.relative_to(project.site_dir.resolve()).as_posix() for p in linked_pages(project)]
    problems: list[str] = []
    reads = 0
    stop = threading.Event()

    def reader(seed: int) -> None:
        nonlocal reads
        rng = random.Random(seed)
        while not stop.is_set():
            path = rng.choice(paths)
            try:
                with urllib.request.urlopen(
                    server.url + path.removesuffix("index.html"), timeout=10
                ) as response:
                    body = response.read()
                    length = int(response.headers["Content-Length"])
            except Exception as exc:  # any failure of a reader is what the test looks for
                problems.append(f"{path}: {exc}")
                continue
            if len(body) != length or not body.rstrip().endswith(b"</html>"):
                problems.append(f"{path}: partial ({len(body)} of {length} bytes)")
            reads += 1

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(4):  # new posts each time: pages change, builds switch
            moment = T0 + timedelta(minutes=10 * (round_ + 1))
            add_posts(project, 10_000 + 50 * round_, 50, moment)
            pipeline.publish(project, pipeline.open_store(project), moment)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    assert problems == []
    assert reads > 100

"""The scheduler on a fake clock — due sources only, backoff and Retry-After, jitter,
publishing debounced, restarts that lose nothing — and a real `hub schedule` process
stopped by SIGTERM in the middle of a crawl."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from hub import pipeline, schedule
from hub.config import Config
from hub.demo import CountyServer
from tests.conftest import POSTGRES, Clock
from tests.httpserver import Reply, ScriptedServer

ROOT = Path(__file__).resolve().parent.parent


def rss(*items: str) -> bytes:
    entries = "".join(
        f"<item><title>{t}</title><guid>{t}</guid><description>{t}的正文</description></item>"
        for t in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()


def project(
    folder: Path, server: ScriptedServer, sources: dict[str, str], extra: str = ""
) -> Config:
    """A channels.yaml with one feed source per (id: path) on `server`."""
    listed = ", ".join(
        f'{{id: {sid}, name: 测试{n}局, feed: "{server.url}{path}"}}'
        for n, (sid, path) in enumerate(sources.items())
    )
    path = folder / "channels.yaml"
    path.write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, every: 10m, robots: false, delay: 0s}}
{extra}
sources: [{listed}]
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
        encoding="utf-8",
    )
    return pipeline.load(path)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


Make = Callable[..., schedule.Runner]


@pytest.fixture
def runners() -> Iterator[Make]:
    """Runners made by a test, each closed (its store and its worker processes) after."""
    made: list[schedule.Runner] = []

    def make(config: Config, clock: Clock, **options: bool) -> schedule.Runner:
        made.append(schedule.Runner(config, clock, **options))
        return made[-1]

    yield make
    for runner in made:
        runner.close()


def hits(server: ScriptedServer, path: str) -> int:
    return sum(1 for seen, _ in server.seen if seen == path)


def test_ticks_crawl_due_sources_and_publish_new_posts(
    project: Config, county: CountyServer, clock: Clock, runners: Make
) -> None:
    runner = runners(project, clock)
    first = runner.tick()
    assert len(first) == len(project.sources)
    assert (project.site_dir / "index.html").is_file()  # the first tick always publishes
    built = project.site_dir.resolve()
    assert runner.tick() == []  # nothing is due yet
    clock.advance(timedelta(days=1))
    busy = runner.tick()
    assert sum(r.new for r in busy) > 0
    assert project.site_dir.resolve() != built  # new posts: published


def test_a_tick_with_nothing_new_does_not_publish(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    server.routes["/feed.xml"] = Reply(200, rss("一条信息"), {"ETag": '"same"'})
    config = project(tmp_path, server, {"one": "/feed.xml"})
    runner = runners(config, clock)
    assert [r.new for r in runner.tick()] == [1]
    built = config.site_dir.resolve()
    assert runner.tick() == []
    clock.advance(timedelta(minutes=10))
    (again,) = runner.tick()
    assert (again.ok, again.new, again.not_modified) == (True, 0, True)
    assert config.site_dir.resolve() == built


def test_failures_back_off_and_retry_after_is_honoured_across_restarts(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    server.routes["/ok.xml"] = Reply(200, rss("正常"))
    server.routes["/err.xml"] = Reply(500, b"oops")
    server.routes["/busy.xml"] = Reply(503, b"later", {"Retry-After": "7200"})
    config = project(
        tmp_path,
        server,
        {"ok": "/ok.xml", "err": "/err.xml", "busy": "/busy.xml"},
        "schedule: {jitter: 0}",
    )
    start = clock()
    runner = runners(config, clock)
    runner.tick()
    store = runner.store
    # the failing source: 10m, then 20m, then 40m (doubling from its interval)
    waits = [store.state("err").next_fetch_at - clock()]  # type: ignore[operator]
    for _ in range(2):
        clock.now = store.state("err").next_fetch_at  # type: ignore[assignment]
        runner.tick()
        waits.append(store.state("err").next_fetch_at - clock())  # type: ignore[operator]
    assert waits == [timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert store.state("err").failures == 3
    # the server asked for two hours: nothing before that, even from a new scheduler
    assert store.state("busy").next_fetch_at == start + timedelta(hours=2)
    assert hits(server, "/busy.xml") == 1
    runner.close()
    clock.now = start + timedelta(hours=1, minutes=59)
    restarted = runners(config, clock)
    restarted.tick()
    assert hits(server, "/busy.xml") == 1
    clock.now = start + timedelta(hours=2)
    restarted.tick()
    assert hits(server, "/busy.xml") == 2
    restarted.close()


def test_a_restart_polls_nothing_early_and_publishes_what_was_missed(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    server.routes["/feed.xml"] = Reply(200, rss("第一条"))
    config = project(tmp_path, server, {"one": "/feed.xml"})
    with pipeline.writer_lock(config):  # as a scheduler killed between crawl and publish
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock())
        store.close()
    assert not config.site_dir.exists()
    runner = runners(config, clock)
    assert runner.tick() == []  # not due: the state in the database says so
    assert hits(server, "/feed.xml") == 1
    assert (config.site_dir / "index.html").is_file()  # but the missed publish happens
    (run,) = runner.store.runs()
    assert (run.kind, run.sources, run.published) == ("schedule", 0, True)
    runner.close()


def test_a_scheduler_told_the_site_is_fresh_does_not_publish_it_again(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    server.routes["/feed.xml"] = Reply(200, rss("第一条"))
    config = project(tmp_path, server, {"one": "/feed.xml"})
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock())
    pipeline.publish(config, store, clock())  # as `hub demo` does before it schedules
    store.close()
    built = config.site_dir.resolve()
    runner = runners(config, clock, published=True)
    assert runner.tick() == [] and config.site_dir.resolve() == built
    assert runner.store.runs() == []
    runner.close()


def test_the_next_poll_comes_early_by_at_most_the_jitter(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    ids = {f"s{n}": f"/{n}.xml" for n in range(12)}
    for path in ids.values():
        server.routes[path] = Reply(200, rss(path))
    config = project(tmp_path, server, ids, "schedule: {jitter: 0.2}")
    runner = runners(config, clock)
    runner.tick()
    waits = {runner.store.state(sid).next_fetch_at - clock() for sid in ids}  # type: ignore[operator]
    assert all(timedelta(minutes=8) <= w <= timedelta(minutes=10) for w in waits)
    assert len(waits) > 6  # spread out, not one slot
    runner.close()


def test_publishing_is_debounced(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    count = iter(range(1, 1000))

    def growing(_: BaseHTTPRequestHandler) -> Reply:  # a new post at every fetch
        return Reply(200, rss(*(f"第{n}条" for n in range(next(count)))))

    server.routes["/feed.xml"] = growing
    config = project(tmp_path, server, {"one": "/feed.xml"}, "schedule: {publish_every: 30m}")
    runner = runners(config, clock)
    published = []
    for _ in range(7):  # every 10 minutes for an hour
        runner.tick()
        published.append(runner.last_publish == clock())
        clock.advance(timedelta(minutes=10))
    assert published == [True, False, False, True, False, False, True]
    kinds = [(r.new, r.published) for r in reversed(runner.store.runs())]
    assert kinds == [
        (1, True),
        (1, False),
        (1, False),
        (1, True),
        (1, False),
        (1, False),
        (1, True),
    ]
    runner.close()


def test_a_tick_skips_while_another_writer_works(
    project: Config, clock: Clock, runners: Make
) -> None:
    runner = runners(project, clock)
    with pipeline.writer_lock(project):
        results = runner.tick()
    if POSTGRES:  # crawls on a shared database take no writer lock: they lease sources
        assert len(results) == len(project.sources)
    else:
        assert results == []
        assert runner.store.runs() == []  # a skipped tick did nothing worth recording
    runner.close()


def test_background_scheduler_starts_and_stops(project: Config, clock: Clock) -> None:
    background = schedule.Background(project, clock, first_in=timedelta(hours=1))
    assert background.scheduler.running and background.scheduler.get_job("crawl") is not None
    background.stop()
    assert not background.scheduler.running and background.runner.stopping.is_set()


def test_sigterm_mid_crawl_finishes_the_sources_under_way_and_exits_0(
    tmp_path: Path, server: ScriptedServer
) -> None:
    ids = {f"s{n:02d}": f"/{n}.xml" for n in range(12)}
    for path in ids.values():  # each answer takes about a second to arrive
        server.routes[path] = Reply(200, rss(f"慢{path}"), drip=1.0 / len(rss(f"慢{path}")))
    config = project(tmp_path, server, ids)
    config.path.write_text(
        config.path.read_text(encoding="utf-8").replace(
            "robots: false,", "robots: false, concurrency: 2,"
        ),
        encoding="utf-8",
    )
    child = _schedule(config)
    deadline = time.monotonic() + 120  # a busy machine starts a process slowly
    while len(server.seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGTERM)
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 0, output
    assert "stopped" in output
    store = pipeline.open_store(pipeline.load(config.path))
    states = store.states()
    crawled = {sid for sid, state in states.items() if state.last_fetch_at is not None}
    # the two under way finished and were stored whole; no others were begun
    assert 2 <= len(crawled) < len(ids), output
    assert all(states[sid].posts == 1 and states[sid].failures == 0 for sid in crawled)
    (run,) = store.runs()
    assert (run.sources, run.published) == (len(crawled), False)
    store.close()


def test_an_edited_channels_yaml_is_read_at_the_next_tick(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    """Issue 12: a running scheduler once ignored an edited channels.yaml: a new source
    stayed "next fetch -" for ten ticks, and a rule change reached the portal only by a
    manual `hub publish`."""
    server.routes["/one.xml"] = Reply(200, rss("防汛通知"))
    server.routes["/two.xml"] = Reply(200, rss("新单位的第一条"))
    config = project(tmp_path, server, {"one": "/one.xml"})
    runner = runners(config, clock)
    assert [r.source_id for r in runner.tick()] == ["one"]
    edited = project(tmp_path, server, {"one": "/one.xml", "two": "/two.xml"})
    edited.path.write_text(
        edited.path.read_text(encoding="utf-8").replace(
            "channels: [",
            "channels: [{slug: fangxun, title: 防汛, include: [{keywords: [防汛]}]}, ",
        ),
        encoding="utf-8",
    )
    clock.advance(timedelta(minutes=1))  # nothing of the old file is due yet
    assert [r.source_id for r in runner.tick()] == ["two"]  # the new source, at once
    assert "防汛通知" in (config.site_dir / "c" / "fangxun" / "index.html").read_text(
        encoding="utf-8"
    )  # the new rule, published without being asked


def test_an_edit_with_a_mistake_is_refused_and_the_running_file_kept(
    tmp_path: Path,
    server: ScriptedServer,
    clock: Clock,
    runners: Make,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.routes["/one.xml"] = Reply(200, rss("第一条"))
    config = project(tmp_path, server, {"one": "/one.xml"})
    runner = runners(config, clock)
    runner.tick()
    config.path.write_text("sources: [unclosed\n", encoding="utf-8")
    clock.advance(timedelta(hours=1))
    with caplog.at_level(logging.ERROR, logger="hub.schedule"):
        assert [r.source_id for r in runner.tick()] == ["one"]  # still the running file
    assert "channels.yaml not reloaded" in caplog.text and "channels.yaml:2: YAML" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="hub.schedule"):
        runner.tick()
    assert "not reloaded" not in caplog.text  # said once per version of the file


def test_posts_another_writer_stored_are_published_at_the_next_tick(
    tmp_path: Path, server: ScriptedServer, clock: Clock, runners: Make
) -> None:
    """Issue 12: posts stored by a manual `hub crawl` waited for the scheduler's own next
    find to be published."""
    server.routes["/one.xml"] = Reply(200, rss("第一条"))
    config = project(tmp_path, server, {"one": "/one.xml"})
    runner = runners(config, clock)
    runner.tick()
    server.routes["/one.xml"] = Reply(200, rss("第一条", "手动抓取的第二条"))
    manual = pipeline.open_store(config)
    with pipeline.recorded(manual, "crawl", clock.advance(timedelta(minutes=1))) as tally:
        tally.crawled(pipeline.crawl(config, manual, clock()))  # `hub crawl`
    manual.close()
    clock.advance(timedelta(minutes=1))
    assert runner.tick() == []  # nothing of its own was due
    page = (config.site_dir / "c" / "qita" / "index.html").read_text(encoding="utf-8")
    assert "手动抓取的第二条" in page


def test_sighup_reads_channels_yaml_at_once(tmp_path: Path, server: ScriptedServer) -> None:
    server.routes["/one.xml"] = Reply(200, rss("第一条"))
    config = project(tmp_path, server, {"one": "/one.xml"}, extra="schedule: {tick: 1h}")
    child = _schedule(config)
    try:
        deadline = time.monotonic() + 120  # the first tick crawls and publishes
        while not (config.site_dir / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        _rename(config)
        os.kill(child.pid, signal.SIGHUP)
        renamed = _renamed(config, child)
    finally:
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=120)
    assert renamed, output
    assert "SIGHUP" in output and "channels.yaml reloaded" in output, output
    assert child.returncode == 0, output


def test_sighup_during_a_tick_reads_channels_yaml_after_it(
    tmp_path: Path, server: ScriptedServer
) -> None:
    """The signal comes while the first tick is crawling: the edit is published when
    that tick ends, not at the next one an hour later."""
    asked, release = threading.Event(), threading.Event()

    def held(request: BaseHTTPRequestHandler) -> Reply:
        asked.set()
        release.wait(120)
        return Reply(200, rss("第一条"))

    server.routes["/one.xml"] = held
    config = project(tmp_path, server, {"one": "/one.xml"}, extra="schedule: {tick: 1h}")
    child = _schedule(config)
    try:
        assert asked.wait(120), "the first tick never crawled"
        _rename(config)
        os.kill(child.pid, signal.SIGHUP)
        time.sleep(1)  # the signal is handled while the tick still waits for its feed
        release.set()
        renamed = _renamed(config, child)
    finally:
        release.set()
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=120)
    assert renamed, output
    assert "channels.yaml reloaded" in output, output
    assert child.returncode == 0, output


def _rename(config: Config) -> None:
    """The site's title edited in channels.yaml."""
    config.path.write_text(
        config.path.read_text(encoding="utf-8").replace("title: 测试,", "title: 改名了,"),
        encoding="utf-8",
    )


def _renamed(config: Config, child: subprocess.Popen[str]) -> bool:
    """Whether the portal shows the new title within two minutes, the child alive."""
    deadline = time.monotonic() + 120
    index = config.site_dir / "index.html"
    while not index.exists() or "改名了" not in index.read_text(encoding="utf-8"):
        if time.monotonic() > deadline or child.poll() is not None:
            return False
        time.sleep(0.1)
    return True


def _schedule(config: Config) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "schedule", "-c", str(config.path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

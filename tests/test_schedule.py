"""The scheduler's tick on a fake clock: due sources only, publish only on change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hub import pipeline, schedule
from hub.config import Config
from hub.demo import SOURCES, CountyServer
from tests.conftest import Clock
from tests.httpserver import Reply, ScriptedServer

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>一条信息</title><guid>1</guid><description>正文</description></item></channel></rss>"""


def test_ticks_crawl_due_sources_and_publish_new_posts(
    project: Config, county: CountyServer, clock: Clock
) -> None:
    runner = schedule.Runner(project, clock)
    first = runner.tick()
    assert len(first) == len(SOURCES)
    assert (project.site_dir / "index.html").is_file()  # the first tick always publishes
    built = project.site_dir.resolve()
    assert runner.tick() == []  # nothing is due yet
    clock.advance(timedelta(days=1))
    busy = runner.tick()
    assert sum(r.new for r in busy) > 0
    assert project.site_dir.resolve() != built  # new posts: published


def test_a_tick_with_nothing_new_does_not_publish(tmp_path: Path, clock: Clock) -> None:
    with ScriptedServer() as server:
        server.routes["/feed.xml"] = Reply(200, FEED.encode(), {"ETag": '"same"'})
        path = tmp_path / "channels.yaml"
        path.write_text(
            f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, every: 10m}}
sources: [{{id: one, name: 测试局, feed: "{server.url}/feed.xml"}}]
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
            encoding="utf-8",
        )
        config = pipeline.load(path)
        runner = schedule.Runner(config, clock)
        assert [r.new for r in runner.tick()] == [1]
        built = config.site_dir.resolve()
        assert runner.tick() == []
        clock.advance(timedelta(minutes=10))
        (again,) = runner.tick()
        assert (again.ok, again.new) == (True, 0)
        assert config.site_dir.resolve() == built


def test_a_tick_skips_while_another_writer_works(project: Config, clock: Clock) -> None:
    runner = schedule.Runner(project, clock)
    with pipeline.writer_lock(project):
        assert runner.tick() == []


def test_background_scheduler_starts_and_stops(project: Config, clock: Clock) -> None:
    scheduler = schedule.start_background(project, clock, first_in=timedelta(hours=1))
    assert scheduler.running and scheduler.get_job("crawl") is not None
    scheduler.shutdown(wait=False)
    assert not scheduler.running

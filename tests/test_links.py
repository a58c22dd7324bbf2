"""Link checks (`checks.links`): which links a post has, which site an address is on,
and the checks over real HTTP on 127.0.0.1, with the clock moved by hand."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.config import Config
from hub.errors import FetchError
from hub.fetch import Fetcher
from hub.models import Attachment, Fetched, Link, LinkStatus, Post
from hub.parse.links import outbound, same_site, site
from hub.pipeline import linking
from hub.store import Actor, Store
from tests.conftest import START, Clock
from tests.httpserver import Reply, ScriptedServer

DAY = timedelta(days=1)


def post(html: str, *, url: str = "http://dept.example.gov.cn/a/1.html", key: str = "1") -> Post:
    return Post(
        source_id="dept",
        key=key,
        url=url,
        title="通知",
        content_html=html,
        text="通知",
        published=START,
    )


# -- which links ----------------------------------------------------------------------


def test_a_posts_links_are_its_hrefs_and_attachments_each_once() -> None:
    html = (
        '<p><a href="http://other.gov.cn/x?a=1#part">x</a> '
        '<a href="http://dept.example.gov.cn/a/1.html#top">top</a> '  # itself
        '<a href="mailto:office@example.gov.cn">mail</a> '
        '<a href="http://other.gov.cn/x?a=1">again</a> '
        '<a href="http://intranet.example.gov.cn/oa">oa</a> '
        '<a href="https://cdn.intranet.example.gov.cn/f">sub</a> '
        '<a href="javascript:void(0)">js</a></p>'
    )
    base = post(html)
    with_files = Post(
        **{name: getattr(base, name) for name in ("source_id", "key", "url", "title")},
        content_html=base.content_html,
        text=base.text,
        published=base.published,
        attachments=(
            Attachment("附件1.doc", "http://dept.example.gov.cn/files/1.doc"),
            Attachment("again", "http://other.gov.cn/x?a=1"),
        ),
    )
    assert outbound(with_files, ["intranet.example.gov.cn"]) == (
        "http://other.gov.cn/x?a=1",
        "http://dept.example.gov.cn/files/1.doc",
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://www.example.gov.cn/a", "https://example.gov.cn/b", True),
        ("http://example.gov.cn/a", "https://example.gov.cn/a", True),
        ("http://rsj.county.gov.cn/a", "http://www.county.gov.cn/b", True),
        ("http://old-dept.gov.cn/", "http://casino-xyz.com/", False),
        ("http://old-dept.gov.cn/", "http://county.gov.cn/", False),
        ("http://news.example.com/", "http://www.example.com/", True),
        ("http://example.com.cn/", "http://other.com.cn/", False),
        ("http://example.co.uk/", "http://other.co.uk/", False),
        ("http://localhost:8000/", "http://127.0.0.1:8000/", False),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:9000/", True),
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same


def test_a_site_is_named_by_its_registrable_labels() -> None:
    assert site("WWW.Example.GOV.CN.") == "example.gov.cn"
    assert site("a.b.example.org") == "example.org"
    assert site("[::1]") == "::1"


# -- what an answer means ---------------------------------------------------------------


def answer(status: int, url: str = "http://a.gov.cn/x", **headers: str) -> Fetched:
    return Fetched("", url, status, b"", headers, START)


@pytest.mark.parametrize(
    ("status", "headers", "verdict"),
    [
        (200, {}, "ok"),
        (401, {}, "ok"),  # behind a login: the page is there
        (403, {}, "ok"),
        (404, {}, "failed"),
        (410, {}, "failed"),
        (500, {}, "failed"),
        (503, {}, "failed"),
        (503, {"retry-after": "120"}, "unjudged"),
        (429, {}, "unjudged"),
    ],
)
def test_what_a_status_says_of_a_link(status: int, headers: dict[str, str], verdict: str) -> None:
    assert linking.judge("http://a.gov.cn/x", answer(status, **headers)).verdict == verdict


def test_an_answer_on_another_site_is_a_move_and_robots_says_nothing() -> None:
    moved = linking.judge("http://old.gov.cn/x", answer(200, "http://casino-xyz.com/"))
    assert (moved.verdict, moved.final_url) == ("moved", "http://casino-xyz.com/")
    assert linking.judge_error(FetchError("no", kind="robots")).verdict == "unjudged"
    assert linking.judge_error(FetchError("no", kind="refused-address")).verdict == "unjudged"
    assert linking.judge_error(FetchError("no", kind="timeout")).verdict == "failed"


def test_a_server_asking_to_wait_is_not_asked_again_before() -> None:
    link = Link("http://a.gov.cn/x", START, status="failing", failures=1)
    check = linking.judge(link.url, answer(503, **{"retry-after": "7200"}))
    after = linking.after_check(link, check, START, dead_after=2)
    assert (after.status, after.failures) == ("failing", 1)
    assert after.not_before == START + timedelta(hours=2)


# -- checks over HTTP -------------------------------------------------------------------


def project(folder: Path, allow_private: bool = True, links: str = "") -> Config:
    (folder / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: {str(allow_private).lower()}, timeout: 5s, every: 1h, delay: 0s}}
checks: {{links: {{{links}}}}}
sources:
  - {{id: dept, name: 测试局, feed: "http://127.0.0.1:9/feed.xml"}}
channels:
  - {{slug: qita, title: 其他, fallback: true}}
""",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


def check(config: Config, store: Store, clock: Clock) -> Counter[LinkStatus]:
    """One run of link checks, as a crawl runs them after its sources."""

    async def run() -> Counter[LinkStatus]:
        with ThreadPoolExecutor(1) as database:
            async with Fetcher(config.fetch, "hub-test") as fetcher:
                return await linking.check_links(
                    config, store, clock(), fetcher=fetcher, database=database
                )

    return asyncio.run(run())


def carrying(store: Store, clock: Clock, *urls: str, key: str = "1") -> Post:
    html = "".join(f'<p><a href="{url}">链接</a></p>' for url in urls)
    saved = post(html, key=key)
    store.save([saved], clock())
    return saved


def statuses(store: Store) -> dict[str, tuple[LinkStatus, int]]:
    return {link.url: (link.status, link.failures) for link in store.links.links()}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def test_a_live_link_stays_ok_and_is_checked_again_after_every(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    server.routes["/page.html"] = Reply(200, b"<p>ok</p>")
    server.heads["/page.html"] = Reply(200)
    carrying(store, clock, f"{server.url}/page.html")
    assert check(config, store, clock) == Counter(ok=1)
    assert server.methods.count(("HEAD", "/page.html")) == 1
    assert ("GET", "/page.html") not in server.methods  # HEAD was enough
    clock.advance(6 * DAY)
    assert check(config, store, clock) == Counter()
    clock.advance(DAY)
    assert check(config, store, clock) == Counter(ok=1)
    assert server.methods.count(("HEAD", "/page.html")) == 2
    assert linking.link_findings(config, store) == {}


def test_head_refused_falls_back_to_get(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    server.heads["/a.pdf"] = Reply(405)
    server.routes["/a.pdf"] = Reply(200, b"%PDF" + b"x" * 300_000)  # read no further than 64 KB
    server.routes["/b.html"] = Reply(200, b"ok")  # no HEAD at all: 501
    carrying(store, clock, f"{server.url}/a.pdf", f"{server.url}/b.html")
    assert check(config, store, clock) == Counter(ok=2)
    assert [m for m in server.methods if m[1] == "/a.pdf"] == [
        ("HEAD", "/a.pdf"),
        ("GET", "/a.pdf"),
    ]
    assert [m for m in server.methods if m[1] == "/b.html"] == [
        ("HEAD", "/b.html"),
        ("GET", "/b.html"),
    ]


def test_a_404_is_dead_only_after_dead_after_checks_a_day_apart(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path, links="dead_after: 2")
    store = pipeline.open_store(config)
    dead = f"{server.url}/gone.doc"
    saved = carrying(store, clock, dead)
    assert check(config, store, clock) == Counter(failing=1)
    assert statuses(store)[dead] == ("failing", 1)
    assert linking.link_findings(config, store) == {}
    clock.advance(timedelta(hours=3))  # one bad hour, the server's or the network's
    assert check(config, store, clock) == Counter()
    clock.advance(DAY)
    assert check(config, store, clock) == Counter(dead=1)
    (finding,) = linking.link_findings(config, store)[saved.id]
    assert (finding.kind, finding.text, finding.field) == ("dead-link", dead, "link")
    assert finding.severity == config.checks.weight("dead-link") == "warning"
    assert "HTTP 404" in finding.note
    # a content finding like any other: on the desk's list, dismissed per link
    (found,) = pipeline.checking.findings_of(config, store.posts(), store)[saved.id]
    assert found == finding
    store.desk.dismiss(saved.id, [finding.key], Actor("editor", clock()), "the page moved")
    assert saved.id not in pipeline.checking.findings_of(config, store.posts(), store)
    # it comes back: ok again, and no finding
    server.routes["/gone.doc"] = Reply(200, b"back")
    clock.advance(timedelta(seconds=config.checks.links.every))
    assert check(config, store, clock) == Counter(ok=1)
    assert linking.link_findings(config, store) == {}


def test_a_link_redirecting_to_another_site_is_moved(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    port = server.url.rsplit(":", 1)[1]
    lapsed = f"http://localhost:{port}/old-dept/"  # localhost and 127.0.0.1: two sites
    server.heads["/old-dept/"] = Reply(301, headers={"Location": f"{server.url}/casino"})
    server.heads["/casino"] = Reply(200)
    server.heads["/renamed"] = Reply(302, headers={"Location": "/new-name"})
    server.heads["/new-name"] = Reply(200)
    saved = carrying(store, clock, lapsed, f"{server.url}/renamed")
    assert check(config, store, clock) == Counter(moved=1, ok=1)
    links = {link.url: link for link in store.links.links()}
    assert links[lapsed].final_url == f"{server.url}/casino"
    assert links[f"{server.url}/renamed"].final_url == f"{server.url}/new-name"
    (finding,) = linking.link_findings(config, store)[saved.id]
    assert (finding.kind, finding.text, finding.severity) == ("moved-link", lapsed, "serious")
    assert "127.0.0.1" in finding.suggestion


def test_per_run_caps_the_checks_and_the_oldest_go_first(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path, links="per_run: 2")
    store = pipeline.open_store(config)
    for n in range(5):
        server.heads[f"/{n}"] = Reply(200)
    carrying(store, clock, *(f"{server.url}/{n}" for n in range(5)))
    assert check(config, store, clock) == Counter(ok=2)
    clock.advance(timedelta(minutes=1))
    assert check(config, store, clock) == Counter(ok=2)
    clock.advance(timedelta(minutes=1))
    assert check(config, store, clock) == Counter(ok=1)  # the last never-checked one
    assert sorted(p for m, p in server.methods if m == "HEAD") == [f"/{n}" for n in range(5)]


def test_the_guard_refuses_a_private_link_without_a_packet(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path, allow_private=False)
    store = pipeline.open_store(config)
    private = f"{server.url}/intranet"
    carrying(store, clock, private, f"http://localhost:{server.url.rsplit(':', 1)[1]}/x")
    assert check(config, store, clock) == Counter(unchecked=2)
    assert server.methods == []
    link = store.links.links()[0]
    assert (link.answer, link.failures) == ("refused-address", 0)
    assert linking.link_findings(config, store) == {}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_when_no_link_can_be_reached_none_is_blamed(tmp_path: Path, clock: Clock) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    port = closed_port()
    carrying(store, clock, *(f"http://127.0.0.1:{port}/{n}" for n in range(3)))
    assert check(config, store, clock) == Counter()
    assert {s for s, _ in statuses(store).values()} == {"unchecked"}
    config = project(tmp_path, links="per_run: 1")  # one link alone: it is to blame
    clock.advance(timedelta(minutes=1))
    assert check(config, store, clock) == Counter(failing=1)


def test_skip_hosts_are_neither_checked_nor_reported(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path, links="skip_hosts: [127.0.0.1]")
    store = pipeline.open_store(config)
    carrying(store, clock, f"{server.url}/x")
    assert check(config, store, clock) == Counter()
    assert server.methods == []


def test_a_changed_post_carries_its_new_links_and_old_ones_are_forgotten(
    tmp_path: Path, clock: Clock
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    carrying(store, clock, "http://a.gov.cn/1", "http://b.gov.cn/2")
    carrying(store, clock, "http://b.gov.cn/2", key="2")
    assert linking.scan(store, clock()) == 2
    carrying(store, clock, "http://b.gov.cn/2", "http://c.gov.cn/3")  # post 1 changed
    assert linking.scan(store, clock()) == 1
    assert linking.scan(store, clock()) == 0  # nothing changed since
    carriers = {link.url: len(link.posts) for link in store.links.links()}
    assert carriers == {"http://b.gov.cn/2": 2, "http://c.gov.cn/3": 1}


# -- in a crawl -------------------------------------------------------------------------

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>测试局</title>
<item><title>通知</title><link>{base}/n1.html</link><guid>n1</guid>
<pubDate>Mon, 15 Jun 2026 00:00:00 GMT</pubDate>
<description><![CDATA[<p>见<a href="{base}/missing.doc">附件</a>。</p>]]></description></item>
</channel></rss>"""


def feed_project(folder: Path, server: ScriptedServer) -> Config:
    text = (project(folder).path).read_text(encoding="utf-8")
    (folder / "channels.yaml").write_text(
        text.replace("http://127.0.0.1:9/feed.xml", f"{server.url}/feed.xml"), encoding="utf-8"
    )
    server.routes["/feed.xml"] = Reply(200, FEED.format(base=server.url).encode())
    return pipeline.load(folder / "channels.yaml")


def test_a_crawl_checks_the_links_of_what_it_stored(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = feed_project(tmp_path, server)
    store = pipeline.open_store(config)
    (result,) = pipeline.crawl(config, store, clock())
    assert result.ok and result.new == 1
    assert statuses(store) == {f"{server.url}/missing.doc": ("failing", 1)}


def test_a_failing_link_check_fails_no_crawl(
    tmp_path: Path,
    server: ScriptedServer,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = feed_project(tmp_path, server)
    store = pipeline.open_store(config)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the link checks")

    monkeypatch.setattr(linking, "judge", broken)  # each check: costs only its link
    with caplog.at_level(logging.ERROR, logger="hub"):
        (result,) = pipeline.crawl(config, store, clock())
    assert result.ok and result.new == 1
    assert statuses(store) == {f"{server.url}/missing.doc": ("unchecked", 0)}
    assert "unexpected error while checking the link" in caplog.text
    monkeypatch.setattr(store.links, "due", broken)  # the whole run
    clock.advance(DAY)
    (result,) = pipeline.crawl(config, store, clock())
    assert result.ok
    assert "link checks stopped" in caplog.text


def test_robots_txt_refusing_a_link_says_nothing_a_site_failing_to_serve_it_does(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    carrying(store, clock, f"{server.url}/private/x")
    assert check(config, store, clock) == Counter(unchecked=1)
    assert store.links.links()[0].answer == "robots"
    with ScriptedServer() as failing:
        failing.routes["/robots.txt"] = Reply(502, b"bad gateway")
        carrying(store, clock, f"{failing.url}/x", key="2")
        assert check(config, store, clock) == Counter(failing=1)
        assert ("HEAD", "/x") not in failing.methods


def test_hub_links_lists_the_dead_and_moved_links_with_their_posts(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = project(tmp_path, links="dead_after: 1")
    store = pipeline.open_store(config)
    saved = carrying(store, clock, f"{server.url}/gone", "http://a.gov.cn/never-checked")
    config = project(tmp_path, links="dead_after: 1, per_run: 1")
    check(config, store, clock)
    store.close()
    result = CliRunner().invoke(main, ["links", "-c", str(config.path)])
    assert result.exit_code == 0, result.output
    assert f"{server.url}/gone" in result.stdout and saved.id in result.stdout
    assert "never-checked" not in result.stdout
    assert result.stdout.splitlines()[-1] == "1 unchecked, 1 dead"
    result = CliRunner().invoke(main, ["links", "--all", "--json", "-c", str(config.path)])
    listed = {link["url"]: link for link in json.loads(result.stdout)}
    assert listed[f"{server.url}/gone"]["posts"] == [
        {"id": saved.id, "title": "通知", "url": saved.url}
    ]
    assert listed["http://a.gov.cn/never-checked"]["status"] == "unchecked"


def test_checks_start_within_their_budget_and_stop_when_asked(
    tmp_path: Path, server: ScriptedServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path)
    store = pipeline.open_store(config)
    server.heads["/x"] = Reply(200)
    carrying(store, clock, f"{server.url}/x")
    monkeypatch.setattr(linking, "BUDGET", 0.0)
    assert check(config, store, clock) == Counter()
    assert server.methods == [] and statuses(store)[f"{server.url}/x"] == ("unchecked", 0)
    monkeypatch.undo()

    async def stopped() -> Counter[LinkStatus]:
        with ThreadPoolExecutor(1) as database:
            async with Fetcher(config.fetch, "hub-test") as fetcher:
                return await linking.check_links(
                    config,
                    store,
                    clock(),
                    fetcher=fetcher,
                    database=database,
                    stopping=lambda: True,
                )

    assert asyncio.run(stopped()) == Counter() and server.methods == []
    assert check(config, store, clock) == Counter(ok=1)

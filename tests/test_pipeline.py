"""End to end over the simulated county on 127.0.0.1: crawl -> store -> route -> portal ->
search, with broken sources recorded and the others stored."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from hub import pipeline, search
from hub.config import Config
from hub.demo import SOURCES, CountyServer, World, catalogue
from hub.demo.render import FEED_ITEMS, PER_PAGE
from hub.errors import BusyError
from hub.models import Post
from hub.pipeline import ending
from hub.site import post_path
from tests.conftest import Clock, Crawled, reprinted_by
from tests.httpserver import Reply, ScriptedServer


def test_one_source_answers_500_and_the_rest_are_stored(crawled: Crawled) -> None:
    failed = {r.source_id: r for r in crawled.results if not r.ok}
    assert set(failed) == {"qxj", "kxj"}
    assert failed["qxj"].error_kind == "http" and "HTTP 500" in failed["qxj"].error
    assert "HTTP 404" in failed["kxj"].error
    counts = pipeline.open_store(crawled.config).post_counts()
    world = World(clock=crawled.clock)
    for each in SOURCES:
        if each.status in ("error500", "gone404"):
            assert each.id not in counts
            continue
        if each.shape in ("rss", "atom"):
            expected = {p.num for p in world.latest(each, FEED_ITEMS)}
        else:  # two list pages on the first crawl, and a pinned post wherever there is one
            oldest = world.oldest(each) if each.pinned else None
            expected = {p.num for p in world.latest(each, 2 * PER_PAGE)}
            expected |= {oldest.num} if oldest else set()
        assert counts[each.id] == len(expected), each.id


def test_failures_are_recorded_on_the_source(crawled: Crawled) -> None:
    states = pipeline.open_store(crawled.config).states()
    broken = states["qxj"]
    assert (broken.failures, broken.error_kind) == (1, "http")
    assert broken.last_ok_at is None and broken.last_error.startswith("HTTP 500")
    healthy = states["baisha"]
    assert healthy.failures == 0 and healthy.last_ok_at == crawled.clock()
    # its interval, less at most the jitter (schedule.jitter: 10%)
    assert healthy.etag and healthy.next_fetch_at is not None
    wait = healthy.next_fetch_at - crawled.clock()
    assert timedelta(minutes=2) * 0.9 <= wait <= timedelta(minutes=2)


def test_publish_fills_every_section(crawled: Crawled) -> None:
    site_dir = crawled.config.site_dir
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    for channel in crawled.config.channels:
        page = (site_dir / "c" / channel.slug / "index.html").read_text(encoding="utf-8")
        assert page.count("<li>") >= 1 and "本栏目暂无信息" not in page, channel.slug
        assert f'href="/c/{channel.slug}/"' in home
    counts = pipeline.open_store(crawled.config).post_counts()
    assert crawled.publish.services == counts.pop("zwfw")  # the catalogue's: on /banshi/
    assert crawled.publish.posts == sum(counts.values())


def test_search_finds_flood_posts(crawled: Crawled) -> None:
    results = search.search(crawled.config.index_dir, search.Request("防汛", per_page=5))
    hits = results.hits
    assert results.total >= 5 and len(hits) == 5
    assert all("防汛" in h.title + search.plain(h.snippet) for h in hits)
    assert all((crawled.config.site_dir / h.path).is_file() for h in hits)


def test_second_crawl_is_conditional_and_new_posts_arrive_later(
    project: Config, county: CountyServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without link checks and attachments, which a crawl ends with (requests of their own)
    monkeypatch.setattr(ending, "reachable", lambda *args: False)
    store = pipeline.open_store(project)
    first = pipeline.crawl(project, store, clock())
    requests = county.requests
    again = pipeline.crawl(project, store, clock())
    # every source but the service catalogue, which is read whole each time
    assert sum(r.not_modified for r in again) == sum(r.ok for r in first) - 1
    assert not next(r for r in again if r.source_id == "zwfw").not_modified
    assert sum(r.new for r in again) == 0
    # one request per source (no article fetched twice), robots.txt once per crawl, and
    # the catalogue's pages and the one past its end
    assert county.requests - requests == len(SOURCES) + 1 + catalogue.pages() + 1
    clock.advance(timedelta(days=2))
    later = pipeline.crawl(project, store, clock())
    assert sum(r.new for r in later) > 10


def test_due_only_crawls_wait_for_each_source_interval(
    project: Config, county: CountyServer, clock: Clock
) -> None:
    store = pipeline.open_store(project)
    t0 = clock()
    pipeline.crawl(project, store, t0)  # every source; the demo polls every 2 minutes

    def due_at(minutes: int) -> set[str]:
        results = pipeline.crawl(project, store, t0 + timedelta(minutes=minutes), due_only=True)
        return {r.source_id for r in results}

    failing = {"qxj", "kxj"}
    healthy = {s.id for s in project.sources} - failing
    assert due_at(1) == set()
    assert due_at(2) == healthy | failing
    # the second failure in a row waits twice the interval (until minute 6)
    assert due_at(5) == healthy
    assert due_at(6) == failing


LIST = """<html><body><ul class="list">{items}</ul></body></html>"""
ARTICLE = '<html><body><div class="TRS_Editor"><p>{text}</p></div></body></html>'


def scripted_project(folder: Path, server: ScriptedServer) -> Config:
    (folder / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, timeout: 5s, every: 1h, delay: 0s}}
sources:
  - id: flaky
    name: 测试局
    page: {{url: "{server.url}/list.html", item: ul.list li, date: span,
            article: div.TRS_Editor}}
channels:
  - {{slug: qita, title: 其他, fallback: true}}
""",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


def test_a_page_that_stops_matching_is_a_layout_change(tmp_path: Path, clock: Clock) -> None:
    with ScriptedServer() as server:
        config = scripted_project(tmp_path, server)
        store = pipeline.open_store(config)
        server.routes["/list.html"] = Reply(
            200,
            LIST.format(
                items='<li><a href="/a1.html">第一条</a><span>2026-06-14</span></li>'
            ).encode(),
        )
        server.routes["/a1.html"] = Reply(200, ARTICLE.format(text="正文").encode())
        (ok,) = pipeline.crawl(config, store, clock())
        assert ok.new == 1
        server.routes["/list.html"] = Reply(200, b"<html><body><div>new design</div></body></html>")
        (broken,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert broken.error_kind == "layout-changed"
        assert store.state("flaky").error_kind == "layout-changed"


def test_a_failed_article_is_skipped_and_fetched_next_time(tmp_path: Path, clock: Clock) -> None:
    with ScriptedServer() as server:
        config = scripted_project(tmp_path, server)
        store = pipeline.open_store(config)
        items = (
            '<li><a href="/a1.html">一</a><span>2026-06-14</span></li>'
            '<li><a href="/a2.html">二</a><span>2026-06-14</span></li>'
        )
        server.routes["/list.html"] = Reply(200, LIST.format(items=items).encode())
        server.routes["/a1.html"] = Reply(200, ARTICLE.format(text="一").encode())
        server.routes["/a2.html"] = Reply(503, b"busy")
        (first,) = pipeline.crawl(config, store, clock())
        assert first.ok and first.new == 1
        server.routes["/a2.html"] = Reply(200, ARTICLE.format(text="二").encode())
        (second,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert second.new == 1
        assert [p for p, _ in server.seen].count("/a1.html") == 1


def test_one_writer_at_a_time(project: Config) -> None:
    with (
        pipeline.writer_lock(project),
        pytest.raises(BusyError, match="another hub process"),
        pipeline.writer_lock(project),
    ):
        pass


@pytest.mark.parametrize(
    ("reply", "kind", "wait"),
    [
        (Reply(503, b"", {"Retry-After": "7200"}), "http", timedelta(hours=2)),
        (Reply(429, b"", {"Retry-After": "5"}), "http", timedelta(hours=1)),  # backoff wins
        (Reply(410, b"gone"), "gone", timedelta(days=7)),
        (Reply(500, b""), "http", timedelta(hours=1)),
    ],
)
def test_failures_set_the_next_fetch(
    tmp_path: Path, clock: Clock, reply: Reply, kind: str, wait: timedelta
) -> None:
    with ScriptedServer() as server:
        server.routes["/list.html"] = reply
        config = scripted_project(tmp_path, server)
        store = pipeline.open_store(config)
        (result,) = pipeline.crawl(config, store, clock())
        state = store.state("flaky")
        assert (result.error_kind, state.error_kind, state.failures) == (kind, kind, 1)
        assert state.next_fetch_at == clock() + wait


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>一条信息</title><guid>1</guid><description>正文</description></item></channel></rss>"""


def test_a_feed_address_that_gives_a_page_is_followed_to_its_feed(
    tmp_path: Path, clock: Clock
) -> None:
    with ScriptedServer() as server:
        server.routes["/index.html"] = Reply(
            200,
            (
                '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
                'href="/rss.xml"></head><body>首页</body></html>'
            ).encode(),
            {"Content-Type": "text/html; charset=utf-8"},
        )
        server.routes["/rss.xml"] = Reply(200, FEED.encode(), {"ETag": '"f1"'})
        (tmp_path / "channels.yaml").write_text(
            f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s}}
sources: [{{id: home, name: 测试局, feed: "{server.url}/index.html"}}]
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)
        (first,) = pipeline.crawl(config, store, clock())
        assert first.new == 1
        state = store.state("home")
        assert state.feed_url == server.url + "/rss.xml" and state.etag == '"f1"'
        server.seen.clear()
        (again,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert again.not_modified
        assert [path for path, _ in server.seen] == ["/robots.txt", "/rss.xml"]


def listing(*numbers: int, pinned: int | None = None) -> bytes:
    rows = [f'<li><a href="/a{n}.html">第{n}条</a><span>2026-06-14</span></li>' for n in numbers]
    if pinned is not None:
        rows.insert(
            0, f'<li>[置顶]<a href="/a{pinned}.html">第{pinned}条</a><span>2025-01-02</span></li>'
        )
    return LIST.format(items="".join(rows)).encode()


def paged_project(folder: Path, server: ScriptedServer, backfill: int) -> Config:
    (folder / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s, robots: false}}
sources:
  - id: paged
    name: 测试局
    page: {{url: "{server.url}/list.html", item: ul.list li, date: span,
            article: div.TRS_Editor, more: "list_{{index}}.html", backfill: {backfill}}}
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


def lists_read(server: ScriptedServer) -> list[str]:
    return [path for path, _ in server.seen if path.startswith("/list")]


def test_list_pages_are_followed_while_the_newest_posts_run_past_a_page(
    tmp_path: Path, clock: Clock
) -> None:
    with ScriptedServer() as server:
        for n in range(1, 30):
            server.routes[f"/a{n}.html"] = Reply(200, ARTICLE.format(text=f"正文{n}").encode())
        server.routes["/list.html"] = Reply(200, listing(9, 8, 7, pinned=1))
        server.routes["/list_1.html"] = Reply(200, listing(6, 5, 4))
        server.routes["/list_2.html"] = Reply(200, listing(3, 2, 1))
        config = paged_project(tmp_path, server, backfill=3)
        store = pipeline.open_store(config)
        (first,) = pipeline.crawl(config, store, clock())  # first crawl: every page
        assert first.new == 9
        assert lists_read(server) == ["/list.html", "/list_1.html", "/list_2.html"]

        server.seen.clear()  # two new posts: the page's last item is known, so stop there
        server.routes["/list.html"] = Reply(200, listing(11, 10, 9, pinned=1))
        (quiet,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert quiet.new == 2 and lists_read(server) == ["/list.html"]

        server.seen.clear()  # a burst: the pinned old post on top must not stop the paging
        server.routes["/list.html"] = Reply(200, listing(16, 15, 14, pinned=1))
        server.routes["/list_1.html"] = Reply(200, listing(13, 12, 11))
        (burst,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert burst.new == 5 and lists_read(server) == ["/list.html", "/list_1.html"]


def test_paging_stops_quietly_past_the_last_page(tmp_path: Path, clock: Clock) -> None:
    with ScriptedServer() as server:
        for n in range(1, 4):
            server.routes[f"/a{n}.html"] = Reply(200, ARTICLE.format(text=f"正文{n}").encode())
        server.routes["/list.html"] = Reply(200, listing(3, 2))
        server.routes["/list_1.html"] = Reply(200, listing(1))
        config = paged_project(tmp_path, server, backfill=5)
        (result,) = pipeline.crawl(config, pipeline.open_store(config), clock())
        assert (result.ok, result.new) == (True, 3)
        assert lists_read(server) == ["/list.html", "/list_1.html", "/list_2.html"]  # 404


def test_reprints_are_listed_once_with_also_published_by(crawled: Crawled) -> None:
    config = crawled.config
    routed = pipeline.route(config, pipeline.open_store(config), crawled.clock())
    canonical_of = pipeline.find_reprints(config, routed)
    copies = reprinted_by(canonical_of)
    assert len(copies) >= 10  # the demo's towns reprint departments' notices
    by_id = {r.post.post.id: r.post for r in routed}
    names = {s.id: s.name for s in config.sources}
    zone = config.site.zone
    original, reprint_ids = max(copies.items(), key=lambda item: len(item[1]))
    page = (config.site_dir / post_path(original, by_id[original].filed, zone)).read_text("utf-8")
    assert "同时发布：" in page
    for reprint in reprint_ids:
        assert names[by_id[reprint].post.source_id] in page
        copy = (config.site_dir / post_path(reprint, by_id[reprint].filed, zone)).read_text("utf-8")
        assert '<link rel="canonical"' in copy and "本文为转载" in copy
    listed = "".join(p.read_text("utf-8") for p in (config.site_dir / "c").rglob("index.html"))
    assert all(reprint not in listed for ids in copies.values() for reprint in ids)
    assert original in listed  # the original itself is listed
    title = by_id[original].post.title
    indexed = {hit.id for hit in search.search(config.index_dir, search.Request(title)).hits}
    assert original in indexed and not indexed & set(reprint_ids)


def dated_item(n: int, day: int) -> str:
    return (
        f"<item><title>第{n}条</title><guid>{n}</guid><description>正文{n}</description>"
        f"<pubDate>{day:02d} Jun 2026 02:00:00 GMT</pubDate></item>"
    )


@pytest.mark.parametrize("keep", [True, False])
def test_posts_withdrawn_upstream_are_kept_unless_configured(
    tmp_path: Path, clock: Clock, keep: bool
) -> None:
    def feed(*numbers: int) -> Reply:
        items = "".join(dated_item(n, 10 + n) for n in numbers)  # newer numbers, newer days
        return Reply(
            200, f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
        )

    with ScriptedServer() as server:
        (tmp_path / "channels.yaml").write_text(
            f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s, robots: false}}
sources: [{{id: one, name: 测试局, feed: "{server.url}/rss", keep_removed: {str(keep).lower()}}}]
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)

        def shown() -> list[str]:
            return sorted(r.post.post.title for r in pipeline.route(config, store, clock()))

        server.routes["/rss"] = feed(4, 3, 2, 1)
        pipeline.crawl(config, store, clock())
        server.routes["/rss"] = feed(5, 4, 2)  # 3 withdrawn; 1 merely fell off the end
        pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        removed = {p.post.title for p in store.posts() if p.removed}
        assert removed == {"第3条"}
        everything = ["第1条", "第2条", "第3条", "第4条", "第5条"]
        assert shown() == (everything if keep else [t for t in everything if t != "第3条"])
        server.routes["/rss"] = feed(5, 4, 3, 2)  # back again
        pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert not any(p.removed for p in store.posts()) and shown() == everything


def repeating_feed(times: int) -> bytes:
    """A feed whose CMS lists one notice `times` times: long to read, one post to store."""
    item = "<item><title>关于做好防汛工作的通知</title><guid>same</guid></item>"
    return f'<rss version="2.0"><channel><title>大</title>{item * times}</channel></rss>'.encode()


def test_a_heavy_feed_costs_no_other_source_its_deadline(tmp_path: Path, clock: Clock) -> None:
    """Issue 19: redirecting sources timed out while the event loop read another source's
    feed. Many sources share one host; while a feed of 8,000 items is read (seconds of
    work), a redirect's second hop is answered. Its deadline measures the server, which
    answered at once: neither the reading nor the queue at the host may count."""
    heavy_sent = threading.Event()

    def heavy(request: object) -> Reply:
        return Reply(200, repeating_feed(20_000), sent=heavy_sent)

    def moved(request: object) -> Reply:
        heavy_sent.wait(10)
        time.sleep(0.2)  # by now the heavy feed is being read
        return Reply(200, FEED.encode())

    with ScriptedServer() as server:
        server.routes["/heavy"] = heavy
        server.routes["/old"] = Reply(301, headers={"Location": "/moved"})
        server.routes["/moved"] = moved
        plain = [f"s{n}" for n in range(20)]
        for name in plain:
            server.routes[f"/{name}"] = Reply(200, FEED.encode())
        lines = [  # the redirect's first hop is asked first, the heavy feed next
            f'  - {{id: redirected, name: 迁, feed: "{server.url}/old"}}',
            f'  - {{id: heavy, name: 大, feed: "{server.url}/heavy"}}',
            *(f'  - {{id: {n}, name: "{n}", feed: "{server.url}/{n}"}}' for n in plain),
        ]
        (tmp_path / "channels.yaml").write_text(
            'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
            # 23 requests spaced by 60 ms on one host: the queue alone outlasts the deadline
            "fetch: {allow_private: true, timeout: 1s, delay: 60ms, per_host: 2,"
            " max_bytes: 20MB}\n"
            "sources:\n" + "\n".join(lines) + "\n"
            "channels: [{slug: qita, title: 其他, fallback: true}]\n",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        results = {
            r.source_id: r for r in pipeline.crawl(config, pipeline.open_store(config), clock())
        }
    assert results["heavy"].new == 1
    assert results["redirected"].ok and results["redirected"].new == 1, results["redirected"]
    assert all(results[name].ok for name in plain)


def test_a_title_of_megabytes_stays_a_title_on_the_portal(tmp_path: Path, clock: Clock) -> None:
    """Issue 12: a 10 MB title once became 141 MB of portal (a 31 MB post page, a 10 MB
    home page and feed). Every stored field has a cap; the pages stay page-sized."""
    huge = "长标题" * 1_700_000  # 5 million characters, 15 MB of UTF-8
    feed = (
        '<rss version="2.0"><channel><title>大</title><item><title>'
        + huge
        + '</title><guid isPermaLink="false">1</guid><description>正文</description></item>'
        "</channel></rss>"
    ).encode()
    with ScriptedServer() as server:
        server.routes["/feed"] = Reply(200, feed)
        (tmp_path / "channels.yaml").write_text(
            'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
            "fetch: {allow_private: true, delay: 0s, max_bytes: 20MB}\n"
            f'sources: [{{id: big, name: 大, feed: "{server.url}/feed"}}]\n'
            "channels: [{slug: qita, title: 其他, fallback: true}]\n",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)
        (result,) = pipeline.crawl(config, store, clock())
        pipeline.publish(config, store, clock())
    assert result.ok and result.new == 1 and "title cut" in result.notes[0]
    sizes = {p: p.stat().st_size for p in config.site_dir.resolve().rglob("*") if p.is_file()}
    assert max(sizes.values()) < 200_000, max(sizes.items(), key=lambda kv: kv[1])


def test_what_xml_forbids_never_reaches_a_feed_even_from_an_older_database(
    tmp_path: Path, clock: Clock
) -> None:
    """Issue 12: a title with U+FFFE/U+FFFF made the site's feeds unparseable. New posts
    are cleaned when read; a post an older hub stored is cleaned when written out."""
    (tmp_path / "channels.yaml").write_text(
        'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
        'sources: [{id: old, name: 旧单位, feed: "http://127.0.0.1:9/feed"}]\n'
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    config = pipeline.load(tmp_path / "channels.yaml")
    store = pipeline.open_store(config)
    dirty = "\ufffe旧\uffff标题\x01\x0b\U0010ffff"
    store.save(
        [Post("old", "k", "http://x.gov.cn/1", dirty, f"<p>{dirty}</p>", dirty, clock())],
        clock(),
    )
    pipeline.publish(config, store, clock())
    site = config.site_dir.resolve()
    machine = [p for p in site.rglob("*") if p.suffix in (".xml", ".atom", ".json")]
    assert len(machine) > 3
    for path in machine:
        text = path.read_text(encoding="utf-8")
        assert not any(c in text for c in "\ufffe\uffff\x01\x0b\U0010ffff"), path
        if path.suffix != ".json":
            ET.fromstring(text.encode())  # noqa: S314 (our own output)
    assert "旧标题" in (site / "c" / "qita" / "index.html").read_text(encoding="utf-8")


def test_the_same_short_post_from_two_sources_is_listed_once(tmp_path: Path, clock: Clock) -> None:
    """Issue 12: two sources carrying the same original URL, title, body and date, too
    short to sketch, were both listed in one section. An editor can keep them apart."""
    item = (
        '<rss version="2.0"><channel><title>t</title><item><title>城关片区明日停水</title>'
        "<link>https://water.example.gov.cn/a/1.html</link>"
        "<pubDate>Sun, 14 Jun 2026 02:30:00 GMT</pubDate>"
        "<description>明日9时至17时城关片区停水。</description></item></channel></rss>"
    ).encode()
    with ScriptedServer() as server:
        server.routes["/water.xml"] = Reply(200, item)
        server.routes["/town.xml"] = Reply(200, item)
        text = (
            'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
            "fetch: {allow_private: true, delay: 0s}\n"
            "sources:\n"
            f'  - {{id: water, name: 自来水公司, feed: "{server.url}/water.xml"}}\n'
            f'  - {{id: town, name: 城关街道, feed: "{server.url}/town.xml"}}\n'
            "channels: [{slug: qita, title: 其他, fallback: true}]\n"
        )
        (tmp_path / "channels.yaml").write_text(text, encoding="utf-8")
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock())
        pipeline.publish(config, store, clock())
        listing = (config.site_dir / "c" / "qita" / "index.html").read_text(encoding="utf-8")
        assert listing.count("城关片区明日停水") == 1
        # an editor who knows better keeps the town's copy apart
        town = next(p for p in store.posts("town"))
        (tmp_path / "channels.yaml").write_text(
            text + f"overrides: [{{post: {town.post.id}, not_reprint: true}}]\n", encoding="utf-8"
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        pipeline.publish(config, store, clock.advance(timedelta(minutes=1)))
        listing = (config.site_dir / "c" / "qita" / "index.html").read_text(encoding="utf-8")
        assert listing.count("城关片区明日停水") == 2


def test_a_clock_step_neither_stalls_polling_nor_churns_posts(tmp_path: Path, clock: Clock) -> None:
    """Issue 12: 30 days behind, `hub crawl --due` crawled nothing; 200 days behind, all
    but a few posts were marked changed (their dates now "in the future") and changed
    again when the clock came back."""
    days = [clock() - timedelta(days=n) for n in range(0, 120, 3)]
    items = "".join(
        f'<item><title>第{n}条通知</title><guid isPermaLink="false">{n}</guid>'
        f"<pubDate>{format_datetime(day, usegmt=True)}</pubDate>"
        f"<description>第{n}条通知的正文</description></item>"
        for n, day in enumerate(days)
    )
    feed = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    with ScriptedServer() as server:
        server.routes["/feed.xml"] = Reply(200, feed)
        (tmp_path / "channels.yaml").write_text(
            'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
            "fetch: {allow_private: true, delay: 0s, every: 1h}\n"
            f'sources: [{{id: one, name: 测试局, feed: "{server.url}/feed.xml"}}]\n'
            "channels: [{slug: qita, title: 其他, fallback: true}]\n",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)
        start = clock()
        (first,) = pipeline.crawl(config, store, start)
        assert first.new == len(days)
        for step in (timedelta(days=-30), timedelta(days=-200), timedelta(minutes=90)):
            (again,) = pipeline.crawl(config, store, start + step, due_only=True)
            assert (again.ok, again.new, again.changed) == (True, 0, 0), (step, again)
    dated = [p.post.published for p in store.posts()]
    assert None not in dated  # no date was lost to a clock that was behind


def one_feed_site(folder: Path, feed: str) -> Config:
    """A site of one source, the feed at `feed`, and one section."""
    (folder / "channels.yaml").write_text(
        'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
        "fetch: {allow_private: true, delay: 0s}\n"
        f'sources: [{{id: one, name: 测试局, feed: "{feed}"}}]\n'
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


def test_an_entry_left_out_is_not_taken_for_withdrawn(tmp_path: Path, clock: Clock) -> None:
    """An entry dropped by the parse stage (over its budget, nested too deep) is still
    listed upstream: it must not be marked withdrawn (撤稿), and flip back next time."""

    def feed(deep: bool) -> bytes:
        body = "&lt;div/&gt;" * 2000 if deep else "会议内容"
        rows = "".join(
            f'<item><title>会议{n}</title><guid isPermaLink="false">g{n}</guid>'
            "<pubDate>Sun, 14 Jun 2026 02:30:00 GMT</pubDate>"
            f"<description>{body if n == 2 else '会议内容'}</description></item>"
            for n in range(1, 4)
        )
        return f'<rss version="2.0"><channel><title>t</title>{rows}</channel></rss>'.encode()

    with ScriptedServer() as server:
        server.routes["/feed.xml"] = Reply(200, feed(deep=False))
        config = one_feed_site(tmp_path, f"{server.url}/feed.xml")
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock())
        server.routes["/feed.xml"] = Reply(200, feed(deep=True))
        (again,) = pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
    assert again.ok and "dropped" in again.notes[0]
    assert [p.removed for p in store.posts()] == [None, None, None]


def test_a_crawl_that_lost_its_lease_marks_nothing_withdrawn(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawler whose lease another took over may hold an older listing: the posts it
    lacks are not marked withdrawn (撤稿) by it; the holder's crawl judges them."""
    from hub.pipeline import claims  # noqa: PLC0415

    def feed(count: int) -> bytes:
        rows = "".join(
            f'<item><title>会议{n}</title><guid isPermaLink="false">g{n}</guid>'
            "<pubDate>Sun, 14 Jun 2026 02:30:00 GMT</pubDate><description>内容</description></item>"
            for n in range(1, count + 1)
        )
        return f'<rss version="2.0"><channel><title>t</title>{rows}</channel></rss>'.encode()

    with ScriptedServer() as server:
        server.routes["/feed.xml"] = Reply(200, feed(3))
        config = one_feed_site(tmp_path, f"{server.url}/feed.xml")
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock())
        server.routes["/feed.xml"] = Reply(200, feed(2))  # the third is gone upstream
        taken, leased = claims.Given.next, claims.Leased.next

        async def lost_lease(self: claims.Leased) -> claims.Job | None:
            job = await leased(self)
            return None if job is None else replace(job, held=lambda: False)

        async def lost(self: claims.Given) -> claims.Job | None:
            job = await taken(self)
            return None if job is None else replace(job, held=lambda: False)

        with monkeypatch.context() as patched:  # Given on SQLite, Leased on PostgreSQL
            patched.setattr(claims.Given, "next", lost)
            patched.setattr(claims.Leased, "next", lost_lease)
            pipeline.crawl(config, store, clock.advance(timedelta(hours=1)))
        assert [p.removed for p in store.posts()] == [None, None, None]
        pipeline.crawl(config, store, clock.advance(timedelta(hours=2)))  # held: judged
    assert sum(1 for p in store.posts() if p.removed) == 1

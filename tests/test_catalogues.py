"""A service catalogue's listing and what leaves the portal: only what the whole
catalogue stops listing, and a few at a time; a page answered 200 without items (a
login or maintenance page), a page from a cache, a feed cut short or empty take nothing
off; services that share a link stay apart; the desk takes one down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.config import Config
from hub.pipeline.decide import WITHDRAW_AFTER
from hub.pipeline.routing import services
from hub.store import Store
from hub.store.desk import Actor
from tests.conftest import Clock
from tests.httpserver import Reply, ScriptedServer

PER_PAGE = 15
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _list(names: list[tuple[str, str, str]]) -> bytes:
    rows = "".join(
        f'<li><a href="{link}">{name}</a><span class="dept">{dept}</span></li>'
        for name, link, dept in names
    )
    return f'<html><body><ul class="svc">{rows}</ul></body></html>'.encode()


def _catalogue(count: int) -> list[tuple[str, str, str]]:
    return [(f"事项{n:02d}", f"/guide/{n}.html", "县民政局") for n in range(count)]


def _serve(server: ScriptedServer, names: list[tuple[str, str, str]]) -> None:
    pages = [names[i : i + PER_PAGE] for i in range(0, len(names), PER_PAGE)] or [[]]
    for path in [p for p in server.routes if p.startswith("/list")]:
        del server.routes[path]
    for n, part in enumerate(pages):
        server.routes[f"/list{'' if n == 0 else f'_{n + 1}'}.html"] = Reply(200, _list(part), HTML)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def _project(tmp_path: Path, server: ScriptedServer, feed: bool = False) -> Config:
    where = (
        f'feed: "{server.url}/services.xml"'
        if feed
        else (
            f'page: {{url: "{server.url}/list.html", item: "ul.svc li", '
            'department: "span.dept", more: "list_{page}.html", backfill: 10}'
        )
    )
    (tmp_path / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s}}
services: {{themes: [{{name: 户籍, slug: huji, words: [户口]}}]}}
sources:
  - {{id: zwfw, name: 政务服务网, kind: services, {where}}}
  - {{id: dept, name: 测试局, feed: "{server.url}/news.xml"}}
channels:
  - {{slug: qita, title: 其他, fallback: true, show_empty: true}}
""",
        encoding="utf-8",
    )
    return pipeline.load(tmp_path / "channels.yaml")


def _shown(config: Config, store: Store, clock: Clock) -> list[str]:
    return sorted(s.post.title for s in services(config, store, clock()))


def _crawl(config: Config, store: Store, clock: Clock) -> None:
    clock.advance(timedelta(hours=3))
    pipeline.crawl(config, store, clock(), only=["zwfw"])


@pytest.mark.parametrize(
    "answer",
    [
        Reply(200, "<html><body><form>请登录</form></body></html>".encode(), HTML),
        Reply(200, "<html><body><p>系统维护中</p></body></html>".encode(), HTML),
        Reply(500, b"busy"),
        "page one again",
    ],
    ids=["login-page", "maintenance-page", "server-error", "cached-first-page"],
)
def test_a_later_page_that_fails_takes_nothing_off(
    tmp_path: Path, server: ScriptedServer, clock: Clock, answer: Reply | str
) -> None:
    names = _catalogue(35)
    _serve(server, names)
    config = _project(tmp_path, server)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 35
    first = server.routes["/list.html"]
    assert isinstance(first, Reply)
    server.routes["/list_2.html"] = first if answer == "page one again" else answer  # type: ignore[assignment]
    for _ in range(WITHDRAW_AFTER + 1):
        _crawl(config, store, clock)
        assert len(_shown(config, store, clock)) == 35
    store.close()


def test_a_catalogue_that_loses_many_at_once_is_believed_only_when_it_keeps_saying_so(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = _catalogue(35)
    _serve(server, names)
    config = _project(tmp_path, server)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    # page 2 answers 404: the catalogue seems to end after 15 services
    del server.routes["/list_2.html"]
    for crawl in range(1, WITHDRAW_AFTER):
        _crawl(config, store, clock)
        assert len(_shown(config, store, clock)) == 35, crawl
        assert "lacks 20 of the 35 shown" in store.states()["zwfw"].notes
    # back to normal: the count starts again
    _serve(server, names)
    _crawl(config, store, clock)
    assert store.states()["zwfw"].shrunk == 0
    del server.routes["/list_2.html"]
    for _ in range(WITHDRAW_AFTER - 1):
        _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 35
    _crawl(config, store, clock)  # the third whole listing in a row that lacks them
    assert len(_shown(config, store, clock)) == 15
    store.close()


def test_a_few_services_dropped_leave_at_once_and_come_back(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = _catalogue(35)
    _serve(server, names)
    config = _project(tmp_path, server)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    _serve(server, names[:17] + names[19:])  # two services dropped
    _crawl(config, store, clock)
    shown = _shown(config, store, clock)
    assert len(shown) == 33 and "事项17" not in shown and "事项18" not in shown
    _serve(server, names)  # listed again
    _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 35
    store.close()


def test_a_catalogue_longer_than_its_backfill_is_not_whole(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = _catalogue(35)
    _serve(server, names)
    config = _project(tmp_path, server)
    text = config.path.read_text(encoding="utf-8").replace("backfill: 10", "backfill: 2")
    config.path.write_text(text, encoding="utf-8")
    config = pipeline.load(config.path)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 30  # the third page is never read
    _serve(server, names[1:])  # one gone: but only part of the catalogue was read
    _crawl(config, store, clock)
    shown = _shown(config, store, clock)
    assert "事项00" in shown and "事项30" in shown  # nothing taken off, one moved up
    store.close()


def _feed(names: list[tuple[str, str, str]], author: bool = True) -> bytes:
    items = "".join(
        f"<item><title>{name}</title><link>http://127.0.0.1{link}</link>"
        + (f"<author>{dept}</author>" if author else "")
        + "</item>"
        for name, link, dept in names
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>目录</title>{items}</channel></rss>'.encode()


@pytest.mark.parametrize("left", [20, 0], ids=["cut-to-twenty", "empty"])
def test_a_feed_cut_short_or_empty_takes_nothing_off(
    tmp_path: Path, server: ScriptedServer, clock: Clock, left: int
) -> None:
    names = _catalogue(40)
    server.routes["/services.xml"] = Reply(200, _feed(names), {"Content-Type": "text/xml"})
    config = _project(tmp_path, server, feed=True)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 40
    server.routes["/services.xml"] = Reply(200, _feed(names[:left]), {"Content-Type": "text/xml"})
    _crawl(config, store, clock)
    _crawl(config, store, clock)
    assert len(_shown(config, store, clock)) == 40
    store.close()


def test_services_that_share_a_link_stay_apart_and_name_their_department(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = [
        ("结婚登记", "/yth/apply.html", "县民政局"),
        ("离婚登记", "/yth/apply.html", "县 民政局"),
        ("居住证申领", "/portal/#/guide?id=1", "县公安局"),
        ("户口迁移", "/portal/#/guide?id=2", "县公安局"),
    ]
    _serve(server, names)
    config = _project(tmp_path, server)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    shown = services(config, store, clock())
    assert sorted(s.post.title for s in shown) == sorted(n for n, _, _ in names)
    assert {s.post.author for s in shown} == {"县民政局", "县公安局"}
    store.close()


def test_a_feed_s_services_without_a_department_are_the_catalogue_s(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = _catalogue(3)
    server.routes["/services.xml"] = Reply(
        200, _feed(names, author=False), {"Content-Type": "text/xml"}
    )
    config = _project(tmp_path, server, feed=True)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    assert {s.post.author for s in services(config, store, clock())} == {"政务服务网"}
    store.close()


def test_the_desk_takes_a_service_down_and_renames_one(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    names = _catalogue(5)
    _serve(server, names)
    config = _project(tmp_path, server)
    store = pipeline.open_store(config)
    _crawl(config, store, clock)
    by_title = {s.post.title: s.post.id for s in services(config, store, clock())}
    actor = Actor("editor1", clock(), "127.0.0.1")
    store.desk.change(by_title["事项01"], actor, "takedown", taken_down=True)
    store.desk.change(by_title["事项02"], actor, "edit", title="事项二（新）")
    assert _shown(config, store, clock) == ["事项00", "事项03", "事项04", "事项二（新）"]
    published = pipeline.publish(config, store, clock(), force=True)
    assert published.services == 4
    opml = (config.site_dir / "sources.opml").read_text(encoding="utf-8")
    assert "zwfw" not in opml and "政务服务网" not in opml  # not a department's feed
    store.close()

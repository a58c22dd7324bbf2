"""A hostile county on 127.0.0.1: one crawl over sources that each misbehave in their own
way, beside healthy ones. Every fault ends as a recorded error of the expected kind or as
a clean, normalized post; the healthy sources of the same run are stored as usual."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.config import Config
from hub.models import SourceResult, StoredPost
from hub.store import Store
from tests.conftest import START
from tests.httpserver import Reply, ScriptedServer

RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试</title>'
    "{items}</channel></rss>"
)
ITEM = (
    "<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
    "<pubDate>Sun, 14 Jun 2026 02:30:00 GMT</pubDate><description>{body}</description></item>"
)
LIST = '<html><body><ul class="list">{items}</ul></body></html>'
ARTICLE = '<html><body><div class="TRS_Editor"><p>{text}</p></div></body></html>'
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + ']><rss version="2.0"><channel><title>t</title><item><title>&i;</title>'
    "<guid>1</guid><description>炸弹</description></item></channel></rss>"
)


# fetch.timeout of this crawl: the healthy answer well within it, even on a busy machine
# (at 2 s, a CI machine running both passes and LibreOffice once stalled every answer);
# the hanging server would answer only after HANG seconds, far past it
DEADLINE = 6
HANG = 24


def rss(*items: str) -> bytes:
    return RSS.format(items="".join(items)).encode()


def item(
    title: str = "县召开防汛工作会议",
    body: str = "会议部署防汛工作。",
    guid: str = "g1",
    link: str = "/a/1.html",
) -> str:
    return ITEM.format(title=title, link=link, guid=guid, body=body)


def slow(seconds: float, reply: Reply) -> Callable[[object], Reply]:
    def answer(request: object) -> Reply:
        time.sleep(seconds)
        return reply

    return answer


@dataclass
class Fault:
    """One misbehaving source: its routes, its kind, and what must come of it."""

    id: str
    routes: dict[str, Reply | Callable[[object], Reply]]
    page: bool = False  # a list page (with articles) instead of a feed
    kind: str = ""  # the expected error kind; "" for a source that must succeed
    check: Callable[[list[StoredPost]], bool] = bool  # by default: some post was stored


def titles(*expected: str) -> Callable[[list[StoredPost]], bool]:
    return lambda posts: sorted(p.post.title for p in posts) == sorted(expected)


GB_RSS = RSS.replace(' encoding="utf-8"', "").format(
    items=item(title="关于做好汛期安全防范工作的通知", body="请各镇（街道）做好准备。")
)
FAULTS = [
    Fault("ok-feed", {"/ok-feed": Reply(200, rss(item()))}, check=titles("县召开防汛工作会议")),
    Fault(
        "ok-page",
        {
            "/ok-page": Reply(
                200,
                LIST.format(
                    items='<li><a href="/ok-a1.html" title="白沙镇召开例会">白沙…</a><span>2026-06-14</span></li>'
                ).encode(),
            ),
            "/ok-a1.html": Reply(200, ARTICLE.format(text="例会内容").encode()),
        },
        page=True,
        check=titles("白沙镇召开例会"),
    ),
    # HTTP
    Fault("http-500", {"/http-500": Reply(500, b"error")}, kind="http"),
    Fault("http-404", {"/http-404": Reply(404, b"missing")}, kind="http"),
    Fault("gone-410", {"/gone-410": Reply(410, b"gone")}, kind="gone"),
    Fault("busy-429", {"/busy-429": Reply(429, b"", {"Retry-After": "7200"})}, kind="http"),
    Fault(
        "busy-503-date",
        {"/busy-503-date": Reply(503, b"", {"Retry-After": "Mon, 15 Jun 2026 05:00:00 GMT"})},
        kind="http",
    ),
    Fault("drip", {"/drip": Reply(200, rss(item()), drip=0.1)}, kind="timeout"),
    Fault("hang", {"/hang": slow(HANG, Reply(200, rss(item())))}, kind="timeout"),
    Fault("too-large", {"/too-large": Reply(200, b"x" * 300_000)}, kind="too-large"),
    Fault(
        "gzip-bomb",
        {"/gzip-bomb": Reply(200, gzip.compress(b" " * 5_000_000), {"Content-Encoding": "gzip"})},
        kind="too-large",
    ),
    Fault(
        "redirect-loop",
        {
            "/redirect-loop": Reply(302, headers={"Location": "/redirect-b"}),
            "/redirect-b": Reply(302, headers={"Location": "/redirect-loop"}),
        },
        kind="http",
    ),
    Fault(
        "redirect-chain",
        {
            f"/redirect-chain{'' if n == 0 else n}": Reply(
                301, headers={"Location": f"/redirect-chain{n + 1}"}
            )
            for n in range(8)
        },
        kind="http",
    ),
    Fault(
        "redirect-ok",
        {
            "/redirect-ok": Reply(301, headers={"Location": "/moved"}),
            "/moved": Reply(200, rss(item(title="已迁移"))),
        },
        check=titles("已迁移"),
    ),
    # what comes back is not what was expected
    Fault(
        "html-not-feed",
        {
            "/html-not-feed": Reply(
                200,
                b"<!DOCTYPE html><html><body><p>\xe9\xa6\x96\xe9\xa1\xb5</p></body></html>",
                {"Content-Type": "text/html"},
            )
        },
        kind="parse",
    ),
    Fault("empty-body", {"/empty-body": Reply(200, b"")}, kind="parse"),
    Fault(
        "truncated",
        {"/truncated": Reply(200, rss(item())[:-60])},
        check=titles("县召开防汛工作会议"),
    ),
    Fault(
        "feed-as-html",
        {"/feed-as-html": Reply(200, rss(item()), {"Content-Type": "text/html"})},
        check=titles("县召开防汛工作会议"),
    ),
    Fault(
        "discovered",
        {
            "/discovered": Reply(
                200,
                (
                    '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
                    'href="/discovered.xml"></head><body>首页</body></html>'
                ).encode(),
                {"Content-Type": "text/html"},
            ),
            "/discovered.xml": Reply(200, rss(item(title="自动发现"))),
        },
        check=titles("自动发现"),
    ),
    Fault(
        "json-feed",
        {
            "/json-feed": Reply(
                200,
                (
                    '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": '
                    '[{"id": "1", "title": "JSON 条目", "content_text": "正文"}]}'
                ).encode(),
                {"Content-Type": "application/feed+json"},
            )
        },
        check=titles("JSON 条目"),
    ),
    # XML attacks
    Fault(
        "xml-bomb",
        {"/xml-bomb": Reply(200, BOMB.encode())},
        check=lambda posts: all(len(p.post.title) < 200 for p in posts),
    ),
    Fault(
        "xxe",
        {
            "/xxe": Reply(
                200,
                (
                    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<rss version="2.0"><channel><title>t</title><item><title>外部&x;实体</title>'
                    "<guid>1</guid><description>正文&x;</description></item></channel></rss>"
                ).encode(),
            )
        },
        check=lambda posts: bool(posts) and all("root:" not in p.post.text for p in posts),
    ),
    Fault(
        "control-chars",
        {"/control-chars": Reply(200, rss(item(title="标\x01题\x08")))},
        check=lambda posts: [p.post.title for p in posts] == ["标 题"],
    ),
    Fault(
        "bad-char-refs",
        {"/bad-char-refs": Reply(200, rss(item(title="&#xD800;坏&#x110000;")))},
        check=lambda posts: all("\ud800" not in p.post.title for p in posts),
    ),
    # identity
    Fault(
        "duplicate-guids",
        {
            "/duplicate-guids": Reply(
                200, rss(item(title="第一次", guid="same"), item(title="第二次", guid="same"))
            )
        },
        check=lambda posts: len(posts) == 1,
    ),
    Fault(
        "no-guids",
        {
            "/no-guids": Reply(
                200,
                rss(
                    item(title="甲", guid="", link="/a/1.html"),
                    item(title="乙", guid="", link="/a/2.html"),
                ),
            )
        },
        check=titles("乙", "甲"),
    ),
    Fault(
        "no-guid-no-link",
        {
            "/no-guid-no-link": Reply(
                200,
                rss(
                    item(title="只有标题一", guid="", link=""),
                    item(title="只有标题二", guid="", link=""),
                ),
            )
        },
        check=titles("只有标题一", "只有标题二"),
    ),
    # encodings
    Fault(
        "gbk-undeclared",
        {
            "/gbk-undeclared": Reply(
                200, GB_RSS.encode("gb18030"), {"Content-Type": "application/xml"}
            )
        },
        check=titles("关于做好汛期安全防范工作的通知"),
    ),
    Fault(
        "gbk-header-lies",
        {
            "/gbk-header-lies": Reply(
                200,
                LIST.format(
                    items='<li><a href="/gbk-a.html">石门镇召开防汛工作部署会</a><span>2026-06-14</span></li>'
                )
                .replace("<html>", '<html><head><meta charset="gb2312"></head>')
                .encode("gb18030"),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "/gbk-a.html": Reply(200, ARTICLE.format(text="部署防汛").encode()),
        },
        page=True,
        check=titles("石门镇召开防汛工作部署会"),
    ),
    Fault(
        "utf8-as-latin1",
        {
            "/utf8-as-latin1": Reply(
                200, rss(item(title="乱码检测")), {"Content-Type": "text/xml; charset=iso-8859-1"}
            )
        },
        check=titles("乱码检测"),
    ),
    Fault(
        "utf16-bom",
        {
            "/utf16-bom": Reply(
                200,
                RSS.replace('encoding="utf-8"', 'encoding="utf-16"')
                .format(items=item(title="双字节"))
                .encode("utf-16"),
            )
        },
        check=titles("双字节"),
    ),
    # dates
    Fault(
        "impossible-dates",
        {
            "/impossible-dates": Reply(
                200, rss(item().replace("Sun, 14 Jun 2026 02:30:00 GMT", "0000-00-00 00:00:00"))
            )
        },
        check=lambda posts: [p.post.published for p in posts] == [None],
    ),
    Fault(
        "yearless-dates",
        {
            "/yearless-dates": Reply(
                200,
                LIST.format(
                    items='<li><a href="/yl-a.html">旧闻</a><span>[１２-３０]</span></li>'
                ).encode(),
            ),
            "/yl-a.html": Reply(200, ARTICLE.format(text="去年的消息").encode()),
        },
        page=True,
        check=lambda posts: (
            [p.post.published for p in posts] == [datetime(2025, 12, 29, 16, 0, tzinfo=UTC)]
        ),
    ),
    # hostile content
    Fault(
        "script-content",
        {
            "/script-content": Reply(
                200,
                rss(
                    item(
                        body="&lt;p onclick='x()'&gt;正文&lt;a href='javascript:alert(1)'&gt;链接&lt;/a&gt;"
                        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src='/p.png'&gt;&lt;/p&gt;"
                    )
                ),
            )
        },
        check=lambda posts: (
            bool(posts)
            and all(
                "script" not in p.post.content_html
                and "onclick" not in p.post.content_html
                and "javascript" not in p.post.content_html
                and "/p.png" in p.post.content_html
                for p in posts
            )
        ),
    ),
    # one item that would stall a parser costs only itself (issue 12)
    Fault(
        "deep-item",
        {
            "/deep-item": Reply(
                200,
                rss(
                    item(title="深层嵌套的条目", guid="deep", body="&lt;div&gt;" * 5000 + "深处"),
                    item(title="正常的条目", guid="fine"),
                ),
            )
        },
        check=titles("正常的条目"),
    ),
    Fault(
        "dates-out-of-range",
        {
            "/dates-out-of-range": Reply(
                200,
                rss(
                    *(
                        item(title=f"日期{n}", guid=f"d{n}").replace(
                            "Sun, 14 Jun 2026 02:30:00 GMT", date
                        )
                        for n, date in enumerate(
                            [
                                "0001-01-01T00:00:00+14:00",
                                "9999-12-31T23:59:59-14:00",
                                "Sun, 14 Jun 2026 02:30:00 GMT",
                            ]
                        )
                    )
                ),
            )
        },
        check=lambda posts: (
            sorted(str(p.post.published) for p in posts)
            == ["2026-06-14 02:30:00+00:00", "None", "None"]
        ),
    ),
    Fault(
        "pubdate-out-of-range",
        {
            "/pubdate-out-of-range": Reply(
                200,
                LIST.format(
                    items='<li><a href="/pd-a.html">远日期</a><span>2026-06-14</span></li>'
                ).encode(),
            ),
            "/pd-a.html": Reply(
                200,
                ARTICLE.format(text="正文")
                .replace("<html>", '<html><head><meta name="PubDate" content="9999-12-31"></head>')
                .encode(),
            ),
        },
        page=True,
        check=lambda posts: (
            [p.post.published for p in posts] == [datetime(2026, 6, 13, 16, 0, tzinfo=UTC)]
        ),
    ),
    # list pages
    Fault(
        "selector-misses",
        {"/selector-misses": Reply(200, "<html><body>改版</body></html>".encode())},
        page=True,
        kind="empty",
    ),
    Fault(
        "articles-missing",
        {
            "/articles-missing": Reply(
                200,
                LIST.format(
                    items='<li><a href="/nowhere.html">标题</a><span>2026-06-14</span></li>'
                ).encode(),
            )
        },
        page=True,
        kind="http",
    ),
]


def write_config(
    folder: Path, server: ScriptedServer, refused: ScriptedServer, closed_port: int
) -> Config:
    lines = []
    for fault in FAULTS:
        url = f"{server.url}/{fault.id}"
        if fault.page:
            lines.append(
                f'  - {{id: {fault.id}, name: {fault.id}, page: {{url: "{url}", '
                "item: ul.list li, date: span, article: div.TRS_Editor}}"
            )
        else:
            lines.append(f'  - {{id: {fault.id}, name: {fault.id}, feed: "{url}"}}')
    lines.append(f'  - {{id: robots, name: robots, feed: "{refused.url}/feed"}}')
    lines.append(f'  - {{id: refused, name: refused, feed: "http://127.0.0.1:{closed_port}/x"}}')
    (folder / "channels.yaml").write_text(
        'site: {title: 故障测试, base_url: "http://127.0.0.1:8000/"}\n'
        f"fetch: {{allow_private: true, timeout: {DEADLINE}s, max_bytes: 200KB, delay: 0s,"
        " every: 5m, concurrency: 64, per_host: 64}\n"
        "sources:\n" + "\n".join(lines) + "\n"
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


@dataclass
class Run:
    results: dict[str, SourceResult]
    store: Store
    seconds: float


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with ScriptedServer() as server, ScriptedServer() as disallowing, ScriptedServer() as gone:
        closed_port = int(gone.url.rsplit(":", 1)[1])
    with ScriptedServer() as server, ScriptedServer() as disallowing:
        for fault in FAULTS:
            server.routes.update(fault.routes)
        disallowing.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /\n")
        disallowing.routes["/feed"] = Reply(200, rss(item()))
        config = write_config(tmp_path_factory.mktemp("faults"), server, disallowing, closed_port)
        store = pipeline.open_store(config)
        started = time.monotonic()
        results = pipeline.crawl(config, store, START)
        yield Run({r.source_id: r for r in results}, store, time.monotonic() - started)


def test_there_are_enough_faults() -> None:
    assert len([f for f in FAULTS if f.id not in ("ok-feed", "ok-page")]) + 2 >= 30


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_fault(run: Run, fault: Fault) -> None:
    result = run.results[fault.id]
    posts = run.store.posts(fault.id)
    if fault.kind:
        assert (result.error_kind, result.error != "") == (fault.kind, True), result
        assert run.store.state(fault.id).error_kind == fault.kind
        assert posts == []
    else:
        assert result.ok, result
        assert fault.check(posts), [(p.post.title, p.post.published) for p in posts]


def test_what_was_left_out_is_recorded_on_the_source(run: Run) -> None:
    state = run.store.state("deep-item")
    assert state.note_count == 1 and "深层嵌套的条目" in state.notes
    assert "5,000 elements deep" in state.notes
    assert run.results["deep-item"].notes == tuple(state.notes.splitlines())


def test_robots_refusal_and_connection_refusal(run: Run) -> None:
    assert run.results["robots"].error_kind == "robots"
    assert run.results["refused"].error_kind == "network"


def test_retry_after_sets_the_next_fetch(run: Run) -> None:
    assert run.store.state("busy-429").next_fetch_at == START + timedelta(hours=2)
    assert run.store.state("busy-503-date").next_fetch_at == datetime(2026, 6, 15, 5, 0, tzinfo=UTC)
    assert run.store.state("gone-410").next_fetch_at == START + timedelta(days=7)


def test_slow_servers_are_cut_at_the_deadline(run: Run) -> None:
    # cut at the deadline: well before the hanging server would answer, or the dripping
    # one finish (297 bytes at 10 a second)
    assert run.results["hang"].seconds < HANG - 2 and run.results["drip"].seconds < HANG - 2

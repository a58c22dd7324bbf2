"""`hub serve` on 127.0.0.1 over the crawled demo portal: pages, search, API, health."""

from __future__ import annotations

import gzip
import json
import os
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench import load
from hub import pipeline, search, serve
from hub.models import Post, SearchEngine
from hub.serve import Server
from tests.conftest import Crawled


@pytest.fixture(scope="module")
def portal(crawled: Crawled) -> Iterator[str]:
    server = Server(crawled.config, crawled.clock, port=0).start()
    yield server.url
    server.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_pages_are_served_from_the_built_site(portal: str, crawled: Crawled) -> None:
    status, headers, body = get(portal)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "镇街动态".encode() in body
    status, _, body = get(portal + "c/pingan/")
    assert status == 200 and "平安桐溪".encode() in body
    status, headers, _ = get(portal + "c/pingan")
    assert status == 301 and headers["location"].endswith("/c/pingan/")
    status, _, _ = get(portal + "static/style.css")
    assert status == 200


def test_missing_pages_get_the_portal_404(portal: str) -> None:
    status, _, body = get(portal + "p/2099/01/nothing.html")
    assert status == 404 and "页面未找到".encode() in body
    status, _, _ = get(portal + "..%2F..%2Fetc%2Fpasswd")
    assert status == 404


def page(portal: str, **params: str) -> tuple[int, str]:
    status, _, body = get(portal + "search/?" + urllib.parse.urlencode(params))
    return status, body.decode()


def api(portal: str, **params: str) -> tuple[int, dict[str, object]]:
    status, headers, body = get(portal + "api/search?" + urllib.parse.urlencode(params))
    assert headers["content-type"] == "application/json"
    return status, json.loads(body)


def test_search_page_renders_results_with_the_portal_templates(portal: str) -> None:
    status, body = page(portal, q="防汛")
    assert status == 200 and "相关的信息" in body and '<ol class="hits"' in body
    assert "<mark>防汛</mark>" in body
    status, body = page(portal, q="<script>x</script>")
    assert status == 200 and "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body
    status, body = page(portal)
    assert status == 200 and "输入关键词" in body


def test_search_page_filters_sorts_and_pages(portal: str) -> None:
    status, body = page(portal, q="防汛", section="pingan", sort="newest")
    assert status == 200 and '<option value="pingan" selected>' in body
    assert '<option value="newest" selected>' in body
    # the next page keeps the filters
    assert 'rel="next"' in body
    next_link = body.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "section=pingan" in next_link and "sort=newest" in next_link
    assert "page=2" in next_link


def test_search_page_suggests_and_offers_to_drop_filters(portal: str) -> None:
    status, body = page(portal, q="防训")
    assert status == 200 and "您是不是要找" in body and ">防汛</a>" in body
    status, body = page(portal, q="防训", section="yiyou")
    assert "取消筛选" in body


def test_bad_search_requests_get_a_helpful_page_not_an_error(portal: str) -> None:
    for params in ({"since": "yesterday"}, {"page": "-1"}, {"section": "nope"}, {"sort": "x"}):
        status, body = page(portal, q="防汛", **params)
        assert status == 400 and "搜索条件无法识别" in body and '<form class="search-big"' in body
    status, body = page(portal, q="防汛" * 500)  # too long: cut, not refused
    assert status == 200


def test_search_api_contract(portal: str, crawled: Crawled) -> None:
    status, payload = api(portal, q="旅游", per_page="3")
    assert status == 200
    assert payload["query"] == "旅游" and payload["per_page"] == 3 and payload["page"] == 1
    hits = payload["hits"]
    assert isinstance(hits, list) and len(hits) == 3
    assert isinstance(payload["total"], int) and payload["total"] >= 3
    assert payload["pages"] == -(-payload["total"] // 3)
    for hit in hits:
        assert {"id", "title", "url", "department", "sections", "date", "snippet"} <= set(hit)
        assert hit["url"].startswith(crawled.config.site.base_url + "p/")
        assert hit["department"] and isinstance(hit["sections"], list)
        assert "<mark>" in hit["snippet"] + hit["title_html"]
    _, second = api(portal, q="旅游", per_page="3", page="2")
    assert {h["id"] for h in hits}.isdisjoint(h["id"] for h in second["hits"])  # type: ignore[union-attr]


def test_search_api_filters_by_date_and_department(portal: str, crawled: Crawled) -> None:
    source = crawled.config.sources[0].id
    _, payload = api(portal, q="工作", source=source, per_page="50")
    assert payload["total"] and {h["source"] for h in payload["hits"]} == {source}  # type: ignore[union-attr]
    _, newest = api(portal, q="工作", sort="newest", per_page="1")
    day = newest["hits"][0]["date"][:10]  # type: ignore[index]
    _, that_day = api(portal, q="工作", since=day, until=day, per_page="100")
    dates = {h["date"] for h in that_day["hits"]}  # type: ignore[union-attr]
    # in the site's zone, with its offset: a day filter and the dates shown agree
    assert dates and all(d.startswith(day) and d.endswith("+08:00") for d in dates), dates


def test_search_api_refuses_bad_requests_with_reasons(portal: str) -> None:
    status, payload = api(portal, q="防汛", since="2026-13-01")
    assert status == 400 and "since must be a date" in str(payload["error"])
    status, payload = api(portal, q="防汛", per_page="500")
    assert status == 400 and "per_page" in str(payload["error"])
    status, payload = api(portal, q="")
    assert status == 200 and payload["total"] == 0 and payload["hits"] == []


def test_caching_and_compression(portal: str) -> None:
    status, headers, _ = get(portal)
    assert headers["cache-control"] == "no-cache" and headers["etag"]
    status, _, _ = get(portal, {"If-None-Match": headers["etag"]})
    assert status == 304
    status, headers, body = get(portal, {"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip" and headers["vary"] == "Accept-Encoding"
    assert "镇街动态".encode() in gzip.decompress(body)
    _, plain_headers, plain = get(portal)
    assert "content-encoding" not in plain_headers and gzip.decompress(body) == plain
    _, static_headers, _ = get(portal + "static/style.css", {"Accept-Encoding": "gzip"})
    assert static_headers["cache-control"] == "public, max-age=86400"


def test_a_page_changed_by_a_publish_is_never_served_stale(tmp_path: Path) -> None:
    """Compressed pages are cached by inode: a page rewritten by a publish is a new file,
    and an unchanged one, hard-linked into the new build, is the one already cached."""
    (tmp_path / "channels.yaml").write_text(SMALL_SITE, encoding="utf-8")
    config = pipeline.load(tmp_path / "channels.yaml")
    store = pipeline.open_store(config)
    server = Server(config, lambda: T0, port=0)
    try:
        for n in range(3):
            store.save([small_post(n)], T0)
            pipeline.publish(config, store, T0 + timedelta(minutes=n))
            if n == 0:
                server.start()
            # a page no publish here changes (the 404 page) is the same file in every
            # build: compressed once, whatever build serves it
            before = len(serve._compressed)
            get(server.url + "404.html", {"Accept-Encoding": "gzip"})
            assert len(serve._compressed) == before + (n == 0), n
            before = len(serve._compressed)
            _, headers, body = get(server.url, {"Accept-Encoding": "gzip"})
            home = gzip.decompress(body).decode()
            assert headers["content-encoding"] == "gzip"
            assert all(f"第{k}条通知" in home for k in range(n + 1)), n
            assert len(serve._compressed) == before + 1  # the home page changed: anew
    finally:
        server.stop()
        store.close()


SMALL_SITE = """site: {title: 测试县, base_url: "http://127.0.0.1:8000/"}
sources: [{id: one, name: 测试局, feed: "https://x.gov.cn/one.xml"}]
channels: [{slug: qita, title: 其他, fallback: true}]
"""
T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def small_post(n: int) -> Post:
    return Post(
        source_id="one",
        key=f"k{n}",
        url=f"https://x.gov.cn/{n}.html",
        title=f"第{n}条通知",
        content_html=f"<p>{'正文' * 300}{n}</p>",
        text=f"{'正文' * 300}{n}",
        published=T0 - timedelta(hours=n),
    )


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("feed.xml", "application/xml; charset=utf-8"),
        ("c/pingan/feed.atom", "application/atom+xml; charset=utf-8"),
        ("c/pingan/feed.json", "application/feed+json"),
        ("sources.opml", "text/x-opml; charset=utf-8"),
        ("static/style.css", "text/css; charset=utf-8"),
    ],
)
def test_machine_outputs_have_their_media_types(portal: str, path: str, kind: str) -> None:
    status, headers, _ = get(portal + path)
    assert (status, headers["content-type"]) == (200, kind)


def test_health(portal: str) -> None:
    assert get(portal + "healthz")[:1] == (200,)


@pytest.mark.parametrize(("search_engine", "postings"), [("whoosh", ".pst"), ("tantivy", ".idx")])
def test_a_damaged_index_answers_503_and_the_next_publish_mends_it(
    tmp_path: Path, search_engine: SearchEngine, postings: str
) -> None:
    """Issue 12: one segment file removed once made the server answer 500."""
    site = SMALL_SITE + f"search: {{engine: {search_engine}}}\n"
    (tmp_path / "channels.yaml").write_text(site, encoding="utf-8")
    config = pipeline.load(tmp_path / "channels.yaml")
    store = pipeline.open_store(config)
    store.save([small_post(n) for n in range(3)], T0)
    pipeline.publish(config, store, T0)
    assert search.engines.recorded(config.index_dir) == search_engine
    segment = sorted((config.index_dir / "current").glob(f"*{postings}"))[0]
    segment.unlink()
    server = Server(config, lambda: T0, port=0).start()
    try:
        status, _, body = get(server.url + "search/?q=%E9%80%9A%E7%9F%A5")  # 通知
        assert status == 503 and "搜索暂时不可用" in body.decode()
        status, _, body = get(server.url + "api/search?q=%E9%80%9A%E7%9F%A5")
        assert status == 503 and "damaged" in json.loads(body)["error"]
        assert get(server.url)[0] == 200  # the pages are served all the same
        pipeline.publish(config, store, T0 + timedelta(minutes=1))
        status, _, body = get(server.url + "api/search?q=%E9%80%9A%E7%9F%A5")
        assert status == 200 and json.loads(body)["total"] == 3
    finally:
        server.stop()
        store.close()


def test_no_address_redirects_off_the_site(portal: str, crawled: Crawled) -> None:
    """Issue 12: `GET //<absolute path of the site>/c` answered a redirect to
    `//<that path>/c/`, which a browser reads as another host."""
    root = str(crawled.config.site_dir.resolve()).lstrip("/")
    opener = urllib.request.build_opener(NoRedirect)
    base = portal.rstrip("/")
    for path in (f"//{root}/c", f"/{root}/c", "//c", "/\\\\evil.example/c", "/%2Fevil.example/c"):
        try:
            with opener.open(base + path, timeout=10) as response:
                status, location = response.status, response.headers.get("location")
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("location")
            error.close()
        if location is not None:
            assert location.startswith("/") and not location.startswith(("//", "/\\\\")), location
        assert status in (301, 404), (path, status)
    status, headers, _ = get(portal + "c")  # a section without its slash: on the site
    assert (status, headers.get("location")) in ((301, "/c/"), (200, None))
    section = crawled.config.channels[0].slug  # a folder: a redirect keeps what was asked
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(f"{base}/c/{section}?from=app", timeout=10)
    caught.value.close()
    assert (caught.value.code, caught.value.headers.get("location")) == (
        301,
        f"/c/{section}/?from=app",
    )


def test_the_first_and_last_days_a_filter_may_name_are_accepted(portal: str) -> None:
    for params in ({"since": "1990-01-01"}, {"until": "2099-12-31"}):
        status, payload = api(portal, q="防汛", **params)
        assert status == 200, payload


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"since": "1989-12-31"}, "since must be a date between 1990-01-01 and 2099-12-31"),
        ({"until": "2100-01-01"}, "until must be a date between"),
    ],
)
def test_search_parameters_just_out_of_range_get_400(
    portal: str, params: dict[str, str], reason: str
) -> None:
    status, payload = api(portal, q="防汛", **params)
    assert status == 400 and reason in str(payload["error"]), payload


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"since": "0001-01-01"}, "since must be a date between 1990-01-01 and 2099-12-31"),
        ({"until": "9999-12-31"}, "until must be a date between"),
        ({"since": "2026-06-01T00:00:00+14:00"}, "since must be a date such as"),
        ({"page": "9" * 5000}, "page must be a whole number"),
        ({"per_page": "9" * 5000}, "per_page must be a whole number"),
        ({"page": "²"}, "page must be a whole number"),
        ({"page": "20000"}, "page must be between 1 and 10,000"),
    ],
)
def test_search_parameters_out_of_range_get_400_with_what_to_fix(
    portal: str, params: dict[str, str], reason: str
) -> None:
    """Issue 12: these once gave HTTP 500 and a traceback."""
    status, payload = api(portal, q="防汛", **params)
    assert status == 400 and reason in str(payload["error"]), payload
    status, body = page(portal, q="防汛", **params)
    assert status == 400 and "搜索条件无法识别" in body


def workers_seen(url: str, want: int, seconds: float = 60) -> set[str]:
    """The worker processes (X-Hub-Worker) that answer new connections to `url`, asked
    eight at a time until `want` of them answered or `seconds` passed. Every request must
    be answered."""
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while len(seen) < want and time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: get(url), range(8)))
        assert {status for status, _, _ in answers} == {200}
        seen |= {headers["x-hub-worker"] for _, headers, _ in answers}
    return seen


def test_several_workers_answer_and_a_dead_one_is_replaced(crawled: Crawled) -> None:
    """`hub serve --workers 2`: two processes answer on one port; one killed, the other
    answers meanwhile and a new one takes its place."""
    with load.served(crawled.config.path, workers=2) as (host, port):
        url = f"http://{host}:{port}/healthz"
        first = workers_seen(url, 2)
        assert len(first) == 2
        victim, survivor = sorted(first)
        os.kill(int(victim), signal.SIGKILL)
        later = workers_seen(url, 2)  # the survivor and a replacement
        assert survivor in later and victim not in later and len(later) == 2
        # each worker is the whole portal: pages, search
        assert get(f"http://{host}:{port}/c/pingan/")[0] == 200
        assert get(f"http://{host}:{port}/api/search?q=%E9%98%B2%E6%B1%9B")[0] == 200

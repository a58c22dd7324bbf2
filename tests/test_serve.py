"""`hub serve` on 127.0.0.1 over the crawled demo portal: pages, search, API, health."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

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


def test_search_page_renders_results_with_the_portal_templates(portal: str) -> None:
    status, _, body = get(portal + "search/?q=" + urllib.parse.quote("防汛"))
    page = body.decode()
    assert status == 200 and "相关的信息" in page and '<ol class="hits">' in page
    status, _, body = get(portal + "search?q=" + urllib.parse.quote("<script>x</script>"))
    assert status == 200 and "<script>x</script>" not in body.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body.decode()
    status, _, body = get(portal + "search/")
    assert status == 200 and "输入关键词" in body.decode()


def test_search_api_contract(portal: str) -> None:
    status, headers, body = get(portal + "api/search?limit=3&q=" + urllib.parse.quote("旅游"))
    payload = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert payload["query"] == "旅游" and payload["total"] >= 3 and len(payload["hits"]) == 3
    hit = payload["hits"][0]
    assert hit["url"].startswith("http://127.0.0.1:8000/p/") and hit["department"]


def test_caching_and_compression(portal: str) -> None:
    status, headers, _ = get(portal)
    assert headers["cache-control"] == "no-cache" and headers["etag"]
    status, _, _ = get(portal, {"If-None-Match": headers["etag"]})
    assert status == 304
    status, headers, body = get(portal, {"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip"
    assert "镇街动态".encode() in gzip.decompress(body)


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

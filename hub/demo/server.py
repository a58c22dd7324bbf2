"""The demo county on the loopback interface: a stdlib HTTP server that plays every
source's site, with ETag/Last-Modified, 304s, GBK pages and broken sources.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import Counter
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from hub.demo import catalogue, county, files, render
from hub.demo.world import DemoPost, World

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_ARTICLE = re.compile(
    r"^/(?P<sid>[a-z0-9_-]+)/(?:\d{6}/t\d{8}_|art/\d{4}/\d{1,2}/\d{1,2}/art_)"
    r"(?P<num>\d+)\.html$"
)
_LIST = re.compile(r"^/(?P<sid>[a-z0-9_-]+)/(?:col/)?index(?:_(?P<page>\d+))?\.html$")
_FEED = re.compile(r"^/(?P<sid>[a-z0-9_-]+)/(?P<kind>rss|atom)\.xml$")
_FILE = re.compile(r"^/(?P<sid>[a-z0-9_-]+)/files/P0(?P<num>\d+)\.(?P<ext>docx|xlsx|pdf)$")
_CATALOGUE = re.compile(rf"^/{catalogue.PREFIX}/list(?:_(?P<page>\d+))?\.html$")
_GUIDE = re.compile(rf"^/{catalogue.PREFIX}/bszn/(?P<num>\d{{4}})\.html$")


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connections when a crawl opens many
    daemon_threads = True


class Response:
    def __init__(
        self, status: int, body: bytes = b"", kind: str = "text/html", modified: str = ""
    ) -> None:
        self.status, self.body, self.kind, self.modified = status, body, kind, modified


class CountyServer:
    """Serves a `World` at http://127.0.0.1:PORT/ from a background thread."""

    def __init__(self, world: World, port: int = 0) -> None:
        self.world = world
        handler = type("Handler", (_Handler,), {"county": self})
        self._server = _Server((LOOPBACK, port), handler)
        self.port = int(self._server.server_address[1])
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="demo-county", daemon=True
        )
        self.requests = 0  # counted for tests and benchmarks
        self.hits: Counter[str] = Counter()  # requests by path and query, for tests
        self._count = threading.Lock()
        self._held: dict[str, threading.Event] = {}  # sources whose answers wait

    def hold(self, *source_ids: str) -> None:
        """Keep the requests to these sources waiting until `release` (tests of what
        happens to a crawler in the middle of a source)."""
        for source_id in source_ids:
            self._held.setdefault(source_id, threading.Event())

    def release(self) -> None:
        for gate in self._held.values():
            gate.set()
        self._held.clear()

    def start(self) -> CountyServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CountyServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def answer(self, target: str) -> Response:
        """The response for a request path (with its query string)."""
        with self._count:
            self.requests += 1
            self.hits[target] += 1
        parts = urlsplit(target)
        path = parts.path
        if path in ("/", "/index.html", "/robots.txt"):
            return self._site_page(path)
        sid = path.split("/")[1] if path.count("/") >= 2 else ""
        if sid == catalogue.PREFIX:
            return self._catalogue(path)
        if gate := self._held.get(sid):
            gate.wait(120)
        try:
            source = county.source(sid)
        except KeyError:
            return Response(404, b"not found")
        if source.status == "error500":
            return Response(500, "服务器内部错误".encode(), "text/plain; charset=utf-8")
        if source.status == "gone404":
            return Response(404, "页面不存在".encode(), "text/plain; charset=utf-8")
        return self._source_page(source, path, parse_qs(parts.query))

    def _source_page(
        self, source: county.DemoSource, path: str, query: dict[str, list[str]]
    ) -> Response:
        if _FEED.match(path) and render.feed_path(source) == path:
            return self._feed(source)
        if match := _LIST.match(path):
            page = int(match["page"] or 0)
            if source.shape == "hanweb":
                page = int(query.get("pageNum", ["1"])[0]) - 1
            return self._list(source, page)
        match = _FILE.match(path)
        found = self.world.find(source, int(match["num"])) if match else None
        if match and found and render.attachment_path(found) == path:
            return Response(200, *files.content(found.title, match["ext"], found.num))
        match = _ARTICLE.match(path)
        post = self.world.find(source, int(match["num"])) if match else None
        if post is not None and render.article_path(post) == path:
            return self._html(source, render.article_page(post), _modified([post]))
        return Response(404, "页面不存在".encode(), "text/plain; charset=utf-8")

    def _site_page(self, path: str) -> Response:
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nAllow: /\n", "text/plain")
        page = render.index_page(
            (*county.SOURCES, *county.UNLISTED), self.base_url, self.world.now()
        )
        return Response(200, page.encode())

    @staticmethod
    def _catalogue(path: str) -> Response:
        """The county's service catalogue and each service's 办事指南."""
        if match := _CATALOGUE.match(path):
            page = catalogue.list_page(int(match["page"] or 1) - 1)
        elif match := _GUIDE.match(path):
            page = catalogue.guide_page(int(match["num"]))
        else:
            page = None
        if page is None:
            return Response(404, "页面不存在".encode(), "text/plain; charset=utf-8")
        return Response(200, page.encode(), "text/html; charset=utf-8")

    def _feed(self, source: county.DemoSource) -> Response:
        posts = self.world.latest(source, render.FEED_ITEMS)
        write = render.atom if source.shape == "atom" else render.rss
        kind = "application/atom+xml" if source.shape == "atom" else "application/rss+xml"
        return Response(
            200,
            write(source, posts, self.base_url).encode(),
            f"{kind}; charset=utf-8",
            _modified(posts),
        )

    def _list(self, source: county.DemoSource, page: int) -> Response:
        pages = max(1, -(-self.world.total(source) // render.PER_PAGE))
        if not 0 <= page < pages:
            return Response(404, "页面不存在".encode(), "text/plain; charset=utf-8")
        posts = self.world.latest(source, render.PER_PAGE, skip=page * render.PER_PAGE)
        pinned = self.world.oldest(source) if source.pinned else None
        text = render.list_page(source, posts, page, pages, pinned)
        return self._html(source, text, _modified(posts))

    @staticmethod
    def _html(source: county.DemoSource, text: str, modified: str) -> Response:
        if source.gbk:  # and, as such sites do, no charset in the HTTP header
            return Response(200, text.encode("gb18030"), "text/html", modified)
        return Response(200, text.encode(), "text/html; charset=utf-8", modified)


def _modified(posts: list[DemoPost]) -> str:
    return format_datetime(max(p.time for p in posts), usegmt=True) if posts else ""


class _Handler(BaseHTTPRequestHandler):
    county: CountyServer
    server_version = "TongxiCMS/1.0"

    def do_GET(self) -> None:
        self._reply(head=False)

    def do_HEAD(self) -> None:
        self._reply(head=True)

    def _reply(self, head: bool) -> None:
        response = self.county.answer(self.path)
        etag = '"' + hashlib.sha256(response.body).hexdigest()[:20] + '"'
        if response.status == 200 and self._fresh(etag, response.modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.kind)
        self.send_header("Content-Length", str(len(response.body)))
        if response.status == 200:
            self.send_header("ETag", etag)
            if response.modified:
                self.send_header("Last-Modified", response.modified)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _fresh(self, etag: str, modified: str) -> bool:
        if match := self.headers.get("If-None-Match"):
            return etag in [tag.strip() for tag in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since and modified:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

"""The portal over HTTP: the built site/, plus /search, /api/search and /healthz; owns
starlette and uvicorn. Each request resolves the site link once, so a publish that swaps
the site mid-request never mixes two builds in one answer.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from hub.config import Config
from hub.errors import QueryError, SearchError
from hub.pipeline import SearchService

Clock = Callable[[], datetime]
# What the portal publishes that file-name guessing gets wrong or does not know.
MEDIA_TYPES = {
    "feed.json": "application/feed+json",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
}


def make_app(config: Config, clock: Clock) -> Starlette:
    """The ASGI application serving one site."""
    service = SearchService(config)
    site_dir = config.site_dir

    # Searching is whoosh, in Python: plain functions, which starlette runs in its
    # thread pool, so a search never holds up the pages and files being served.
    # (Each search opens its own reader: nothing is shared between threads.)
    def search_page(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            status, page = service.page(params, clock())
        except SearchError:
            return HTMLResponse(service.unavailable(params, clock()), status_code=503)
        return HTMLResponse(page, status_code=status)

    def search_api(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            query = service.request(params)
            results = service.results(query)
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except SearchError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        return JSONResponse(service.json(query, results))

    async def healthz(request: Request) -> Response:
        ok = (site_dir / "index.html").exists()
        return PlainTextResponse(
            "ok\n" if ok else "no site built yet\n", status_code=200 if ok else 503
        )

    async def static(request: Request) -> Response:
        return site_file(site_dir, request)

    return Starlette(
        routes=[
            Route("/search", search_page),
            Route("/search/", search_page),
            Route("/api/search", search_api),
            Route("/healthz", healthz),
            Route("/{path:path}", static, methods=["GET", "HEAD"]),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=800)],
    )


def site_file(site_dir: Path, request: Request) -> Response:
    """The file of a built site that the request's `path` parameter names (the portal's,
    or a preview the desk built), or the site's 404 page."""
    root = Path(os.path.realpath(site_dir))  # one build for the whole request
    relative = request.path_params.get("path", "")
    if relative.startswith(("/", "\\")):  # //x: an absolute path, never under the site
        return _not_found(root)
    target = Path(os.path.normpath(root / relative))
    if target != root and root not in target.parents:
        return _not_found(root)
    if target.is_dir():
        if relative and not relative.endswith("/"):
            # one leading slash, always: "//evil.example/c/" would send the reader to
            # another site (a protocol-relative address)
            query = f"?{request.url.query}" if request.url.query else ""
            location = "/" + request.url.path.lstrip("/\\") + "/" + query
            return RedirectResponse(location, status_code=301)
        target = target / "index.html"
    if not target.is_file():
        return _not_found(root)
    return _file(target, request, immutable=relative.startswith("static/"))


def _file(target: Path, request: Request, immutable: bool) -> Response:
    """One file of the site, with validators; the theme's files (versioned URLs) are
    cached for a day, pages revalidated on every visit."""
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    cache = "public, max-age=86400" if immutable else "no-cache"
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"etag": etag, "cache-control": cache})
    kind = MEDIA_TYPES.get(target.name) or MEDIA_TYPES.get(target.suffix)
    headers = {"etag": etag, "cache-control": cache}
    if stat.st_size > SMALL_FILE:
        return FileResponse(target, stat_result=stat, media_type=kind, headers=headers)
    # A page is a few kilobytes: read at once, not streamed from a worker thread, and
    # its compressed form kept, keyed by inode, so that readers of an unchanged page
    # (hard-linked from build to build) are not compressing it again after a publish.
    kind = kind or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    gzip_ok = "gzip" in request.headers.get("accept-encoding", "") and _compressible(kind)
    if gzip_ok and stat.st_size >= GZIP_FROM:
        headers |= {"content-encoding": "gzip", "vary": "Accept-Encoding"}
        body = _gzipped(target, stat)
        return Response(body, media_type=kind, headers=headers)
    return Response(target.read_bytes(), media_type=kind, headers=headers)


SMALL_FILE = 512 * 1024  # bytes; larger files are streamed
GZIP_FROM = 800  # bytes; below this, compression saves less than its own framing


def _compressible(kind: str) -> bool:
    return kind.startswith("text/") or kind.endswith(("+xml", "/xml", "json", "javascript"))


COMPRESSED_KEPT = 4096  # about 12 MB of compressed pages
_compressed: dict[tuple[int, int, int, int], bytes] = {}  # oldest first


def _gzipped(target: Path, stat: os.stat_result) -> bytes:
    """The file compressed, kept by what the file is (device, inode, mtime, size) and
    not where it is: the same page hard-linked into the next build is the same entry."""
    key = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    body = _compressed.get(key)
    if body is None:
        body = gzip.compress(target.read_bytes(), compresslevel=6, mtime=0)
        if len(_compressed) >= COMPRESSED_KEPT:
            _compressed.pop(next(iter(_compressed)), None)
        _compressed[key] = body
    return body


def _not_found(root: Path) -> Response:
    page = root / "404.html"
    if page.is_file():
        return FileResponse(page, status_code=404)
    return PlainTextResponse("not found\n", status_code=404)


class Server:
    """uvicorn on a socket bound up front (port 0 picks a free one)."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        app: Starlette | None = None,  # the portal's, unless another is given (the desk)
        proxy_headers: bool = True,  # trust X-Forwarded-For from 127.0.0.1 (uvicorn's way)
    ) -> None:
        self.socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((host, port))
            self.socket.listen(2048)  # connections wait in the backlog until uvicorn accepts
        except OSError:
            self.socket.close()
            raise
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://{host}:{self.port}/"
        settings = uvicorn.Config(
            app or make_app(config, clock),
            log_level="warning",
            access_log=False,
            lifespan="off",
            proxy_headers=proxy_headers,
        )
        self._server = uvicorn.Server(settings)
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM)."""
        self._server.run(sockets=[self.socket])

    def start(self) -> Server:
        """Serve from a background thread (tests, benchmarks)."""
        self._thread = threading.Thread(target=self.run, name="hub-serve", daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()

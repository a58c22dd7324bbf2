"""The portal over HTTP: the built site/, plus /search, /api/search and /healthz; owns
starlette and uvicorn. Each request resolves the site link once, so a publish that swaps
the site mid-request never mixes two builds in one answer. `nginx` writes the same
behaviour as a configuration for nginx in front (docs/deploy.md).
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.supervisors import Multiprocess

from hub import pipeline
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
    ".webmanifest": "application/manifest+json",
    # the attachments' copies (/f/): documents, by what hub read in their bytes
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# Sent with every answer, by hub serve and by the nginx configuration alike. Framing and
# a content security policy are left to the operator: a county's main site may frame
# the portal, and a site's own theme may load what a fixed policy would refuse.
SECURITY_HEADERS = {"x-content-type-options": "nosniff"}
# The theme's files are linked with their content's hash (`?v=`): such an address never
# changes its content, so it is kept a year. Without it, a day.
STATIC_CACHE = "public, max-age=86400"
VERSIONED_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"  # pages: revalidated on every visit (ETag, If-None-Match)


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
            "ok\n" if ok else "no site built yet\n",
            status_code=200 if ok else 503,
            headers={"x-hub-worker": str(os.getpid())},  # which process answered
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
        middleware=[Middleware(_Headers), Middleware(GZipMiddleware, minimum_size=800)],
    )


class _Headers:
    """SECURITY_HEADERS on every answer (a plain ASGI wrapper: no task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, sending if scope["type"] == "http" else send)


def app_for(config_path: Path) -> Starlette:
    """The portal's application for the channels.yaml at `config_path`, on the wall
    clock: what each worker process of `hub serve --workers N` builds for itself."""
    return make_app(pipeline.load(config_path), _now)


def _now() -> datetime:
    return datetime.now(UTC)


def site_file(site_dir: Path, request: Request) -> Response:
    """The file of a built site that the request's `path` parameter names (the portal's,
    or a preview the desk built), or the site's 404 page."""
    root = Path(os.path.realpath(site_dir))  # one build for the whole request
    relative = request.path_params.get("path", "")
    if relative.startswith(("/", "\\")):  # //x: an absolute path, never under the site
        return _not_found(root)
    if any(p.startswith(".") and p not in (".", "..") for p in relative.split("/")):
        return _not_found(root)  # the build's own records (.manifest.json) are not pages
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
    cache = PAGE_CACHE
    if relative.startswith("static/"):
        cache = VERSIONED_CACHE if request.query_params.get("v") else STATIC_CACHE
    return _file(target, request, cache)


def _file(target: Path, request: Request, cache: str) -> Response:
    """One file of the site, with validators and its `cache-control`."""
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
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
    """uvicorn on a socket bound up front (port 0 picks a free one). With `workers` > 1,
    uvicorn's own supervisor runs that many worker processes on the one socket (fresh
    interpreters, each building the portal's app from `config.path`), and replaces a
    worker that dies or stops answering."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        app: Starlette | None = None,  # the portal's, unless another is given (the desk)
        proxy_headers: bool = True,  # trust X-Forwarded-For from 127.0.0.1 (uvicorn's way)
        workers: int = 1,
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
        self.workers = workers
        # Several workers: each process imports and builds the app itself (a picklable
        # factory, not the app), as `uvicorn --workers` needs an import string for.
        target = (app or make_app(config, clock)) if workers == 1 else partial(app_for, config.path)
        settings = uvicorn.Config(
            target,
            log_level="warning",
            access_log=False,
            lifespan="off",
            proxy_headers=proxy_headers,
            workers=workers,
            factory=workers > 1,
        )
        self._settings = settings
        self._server = uvicorn.Server(settings)
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM)."""
        if self.workers > 1:
            Multiprocess(self._settings, sockets=[self.socket]).run()
        else:
            self._server.run(sockets=[self.socket])

    def start(self) -> Server:
        """Serve from a background thread (tests, benchmarks; one worker)."""
        if self.workers > 1:  # the supervisor's signal handlers need the main thread
            raise ValueError("several workers are served from the main thread: run()")
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

"""A corpus of government CMS columns for source detection: list and article pages in
thirteen styles (TRS and Hanweb variants, an old table layout, cards, a 信息公开 table, a short
column beside a longer sidebar, dates inside the title's link, ...),
in GBK and UTF-8, each with what a person reading it would extract: every item's title,
link and date, and every article's text.

The pages are written here, in the styles county sites print; their words come from
the demo county (`hub.demo.World` on a fixed clock). `serve()` puts the corpus on
127.0.0.1 for `hub.pipeline.detecting` to find, as it would a department's site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # the corpus's "today"


@dataclass(frozen=True)
class Item:
    """An item as a person reads it off the list: the full title, the link (a path on
    the corpus's server), the day it was published."""

    title: str
    path: str
    day: str  # YYYY-MM-DD


@dataclass
class Column:
    """One column of one site: its list page, what is on it, and every page served."""

    style: str
    what: str  # the traits of its style, one line
    list_path: str
    items: list[Item] = field(default_factory=list)  # on the first page, in page order
    bodies: dict[str, str] = field(default_factory=dict)  # article path -> its text
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> body, type
    attachments: dict[str, list[str]] = field(default_factory=dict)  # article -> file paths

    def page(self, path: str, text: str, encoding: str = "utf-8") -> None:
        charset = "" if encoding != "utf-8" else "; charset=utf-8"
        self.files[path] = (text.encode(encoding, "xmlcharrefreplace"), f"text/html{charset}")


def columns() -> list[Column]:
    from tests.cms.styles import STYLES  # noqa: PLC0415 (they import this module)

    return [style() for style in STYLES]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


@contextmanager
def serve(cols: list[Column]) -> Iterator[tuple[str, list[str]]]:
    """The columns on http://127.0.0.1:PORT (each under its own prefix), and the list
    of paths asked for, in order."""
    files = {path: body for col in cols for path, body in col.files.items()}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            found = files.get(self.path)
            if self.path == "/robots.txt":
                found = (b"User-agent: *\nDisallow: /admin/\n", "text/plain")
            body, kind = found or ("页面不存在".encode(), "text/plain; charset=utf-8")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()

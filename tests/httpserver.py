"""A small HTTP server on 127.0.0.1 whose answers tests script path by path (GET, and
POST for webhooks: the bodies are kept in `posted`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between single bytes of the body; 0 sends it at once
    sent: threading.Event | None = None  # set once the whole reply has been written


Handler = Callable[[BaseHTTPRequestHandler], Reply]


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connections when a crawl opens many
    daemon_threads = True


class ScriptedServer:
    """Answers each path with a Reply, or a function of the request returning one. HEAD
    is answered for the paths of `heads` (without a body), else 501 as servers without
    it do."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.heads: dict[str, Reply] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []  # (path, headers) of each GET, POST
        self.posted: list[tuple[str, bytes]] = []  # (path with its query, body) of each POST
        self.methods: list[tuple[str, str]] = []  # (method, path) of each request
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                server.methods.append(("HEAD", self.path))
                reply = server.heads.get(self.path, Reply(501))
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.posted.append((self.path, body))
                self.do_GET(self.path.split("?")[0])

            def do_GET(self, path: str = "") -> None:
                server.methods.append((self.command, self.path))
                server.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path or self.path, Reply(404, b"not found"))
                reply = route(self) if callable(route) else route
                etag = reply.headers.get("ETag")
                if etag and reply.status == 200 and self.headers.get("If-None-Match") == etag:
                    reply = Reply(304, headers={"ETag": etag})  # as real servers do
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in reply.headers and not reply.drip:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    if reply.drip:
                        for byte in reply.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should
                if reply.sent is not None:
                    self.wfile.flush()
                    reply.sent.set()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

"""One pathological source among fifty healthy ones on the same host: the healthy ones'
crawl times, beside the same crawl without it, in the same run. One item may cost no
more than itself (issue 12): a feed item nested 50,000 <div>s deep once took 82 s of CPU
on the loop that downloads and put three healthy sources on backoff as `timeout`."""

from __future__ import annotations

import statistics
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import START, Row, prose, quiet
from hub import pipeline
from hub.models import SourceResult

HEALTHY = 50
ITEMS = 20
PATHOLOGIES = {
    "an item nested 50,000 <div>s deep (550 KB)": "deep",
    "a feed of 20,000 items (1.4 MB)": "long",
}


def feed(items: list[tuple[str, str]]) -> bytes:
    day = format_datetime(START, usegmt=True)
    rows = "".join(
        f'<item><title>{title}</title><guid isPermaLink="false">{n}</guid>'
        f"<pubDate>{day}</pubDate><description>{body}</description></item>"
        for n, (title, body) in enumerate(items)
    )
    return f'<rss version="2.0"><channel><title>t</title>{rows}</channel></rss>'.encode()


def routes() -> dict[str, bytes]:
    texts = prose()
    found = {
        f"/s{n}.xml": feed(
            [
                (
                    texts[(n * ITEMS + i) % len(texts)][:24],
                    texts[(n * ITEMS + i) % len(texts)][:600],
                )
                for i in range(ITEMS)
            ]
        )
        for n in range(HEALTHY)
    }
    deep = "&lt;div&gt;" * 50_000 + "深处"
    found["/deep.xml"] = feed([("正常的条目", "正文"), ("深层嵌套的条目", deep)])
    found["/long.xml"] = feed([(f"第{i}条", "正文") for i in range(20_000)])
    return found


@contextmanager
def serving(pages: dict[str, bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def crawl(url: str, pathology: str | None) -> list[SourceResult]:
    lines = [f'  - {{id: s{n}, name: "单位{n}", feed: "{url}/s{n}.xml"}}' for n in range(HEALTHY)]
    if pathology:
        lines.append(f'  - {{id: bad, name: 病态, feed: "{url}/{pathology}.xml"}}')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "channels.yaml"
        path.write_text(
            'site: {title: 测试, base_url: "http://127.0.0.1:8000/"}\n'
            "fetch: {allow_private: true, robots: false, delay: 0s, timeout: 20s, "
            "max_bytes: 20MB}\n"
            "sources:\n" + "\n".join(lines) + "\n"
            "channels: [{slug: qita, title: 其他, fallback: true}]\n",
            encoding="utf-8",
        )
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        results = pipeline.crawl(config, store, START)
        store.close()
    return results


def figures(results: list[SourceResult]) -> tuple[float, float, float, int]:
    """(median, 95th percentile, max) seconds of the healthy sources, and how many failed."""
    healthy = sorted(r.seconds for r in results if r.source_id != "bad")
    failed = sum(1 for r in results if r.source_id != "bad" and not r.ok)
    p95 = healthy[int(len(healthy) * 0.95) - 1]
    return statistics.median(healthy), p95, healthy[-1], failed


def rows(repeat: int = 1) -> list[Row]:
    with quiet():
        return _rows(repeat)


def _rows(repeat: int) -> list[Row]:
    found: list[Row] = []
    with serving(routes()) as url:
        alone = min((figures(crawl(url, None)) for _ in range(max(1, repeat))), key=lambda f: f[0])
        found.append(
            Row(
                f"crawl {HEALTHY} healthy sources, alone",
                alone[0] * 1000,
                "ms median",
                f"per source; p95 {alone[1] * 1000:.0f} ms, max {alone[2] * 1000:.0f} ms, "
                f"{alone[3]} failed",
            )
        )
        for name, key in PATHOLOGIES.items():
            results = crawl(url, key)
            median, p95, most, failed = figures(results)
            (bad,) = [r for r in results if r.source_id == "bad"]
            what = f"{bad.new} stored, {len(bad.notes)} notes" if bad.ok else bad.error_kind
            found.append(
                Row(
                    f"  + {name}",
                    median * 1000,
                    "ms median",
                    f"{median / alone[0]:.2f}x alone; p95 {p95 * 1000:.0f} ms, max "
                    f"{most * 1000:.0f} ms, {failed} healthy failed; it: {what} in "
                    f"{bad.seconds:.1f}s",
                )
            )
    return found

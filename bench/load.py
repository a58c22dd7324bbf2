"""Readers of a served portal, many at once: pages, the search page and the search API
over keep-alive connections on 127.0.0.1, for a bounded time and count. Used by
tests/test_load.py (zero errors, zero 404s while publishes swap the site) and by the
benchmark (requests/s and latency while it does).

    python -m bench.load     # serve the demo county and load it during publishes
"""

from __future__ import annotations

import gzip
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Row

if TYPE_CHECKING:
    from hub.config import Config

QUERIES = ("防汛", "招聘", "旅游 民宿", "县应急管理局", '"应急演练"', "养老", "义诊", "防訓")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Load:
    """What the readers saw."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every request
    errors: list[str] = field(default_factory=list)  # anything but a whole 200
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def targets(site: Path, seed: int = 1) -> list[tuple[str, str]]:
    """(kind, path) to read: every section and department page of the live build, a
    sample of post pages and feeds, searches and API calls."""
    live = site.resolve()
    pages = ["/", *(f"/{p.parent.relative_to(live)}/" for p in live.glob("[cs]/*/index.html"))]
    posts = sorted(f"/{p.relative_to(live)}" for p in live.glob("p/*/*/*.html"))
    rng = random.Random(seed)
    chosen = [("page", p) for p in pages] + [
        ("post", p) for p in rng.sample(posts, min(300, len(posts)))
    ]
    chosen += [("feed", "/feed.xml"), ("feed", "/feed.json"), ("page", "/sources/")]
    for query in QUERIES:
        encoded = urllib.parse.quote(query)
        chosen += [("search", f"/search/?q={encoded}"), ("api", f"/api/search?q={encoded}")]
    return chosen


def read(
    host: str,
    port: int,
    chosen: Sequence[tuple[str, str]],
    *,
    readers: int,
    seconds: float,
    most: int,
    until: Callable[[], bool] = lambda: False,
) -> Load:
    """`readers` threads, each on its own keep-alive connection, reading `chosen` in
    random order until `seconds` pass, `most` requests are made, or `until()`."""
    load, lock = Load(), threading.Lock()
    started = time.monotonic()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() - started < seconds and not until():
            with lock:
                if load.requests >= most:
                    break
                load.requests += 1
            kind, path = rng.choice(chosen)
            began = time.monotonic()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                body = response.read()
                problem = "" if response.status == 200 and body else f"HTTP {response.status}"
                problem = problem or half(response, body)
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
            with lock:
                load.latencies.append(time.monotonic() - began)
                load.by_kind[kind] = load.by_kind.get(kind, 0) + 1
                if problem:
                    load.errors.append(f"{problem} {path}")
        connection.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - started
    return load


def half(response: http.client.HTTPResponse, body: bytes) -> str:
    """What shows an answer to be cut short: a page without its end, JSON that does not
    parse, XML without its closing tag ("" for a whole answer)."""
    if response.getheader("content-encoding") == "gzip":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            return f"broken gzip: {exc}"
    kind = response.getheader("content-type", "")
    end = body.rstrip()[-64:]
    if kind.startswith("text/html") and not end.endswith(b"</html>"):
        return "half a page"
    if "xml" in kind and not end.endswith(b">"):
        return "half an XML file"
    if "json" in kind:
        try:
            json.loads(body)
        except ValueError:
            return "half a JSON file"
    return ""


@contextmanager
def served(config_path: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`hub serve` in its own process on a free port, until the block ends."""
    command = [sys.executable, "-m", "hub", "serve", "-c", str(config_path), "--port", "0"]
    child = subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None  # noqa: S101
        line = child.stdout.readline()  # "serving ... at http://127.0.0.1:PORT/ ..."
        url = next(word for word in line.split() if word.startswith("http://"))
        parts = urllib.parse.urlsplit(url)
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5):
                    break
            except OSError:
                time.sleep(0.05)
        yield parts.hostname or "127.0.0.1", parts.port or 80
    finally:
        child.terminate()
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()


def publishing(
    config_path: Path, rounds: int, pause: float = 0.5
) -> tuple[threading.Thread, threading.Event]:
    """`hub publish --full` `rounds` times in other processes, one after another (a full
    publish rewrites every page and switches the site: the hardest case for readers)."""
    done = threading.Event()

    def run() -> None:
        for _ in range(rounds):
            subprocess.run(
                [sys.executable, "-m", "hub", "publish", "--full", "-c", str(config_path)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            time.sleep(pause)
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


def rows(repeat: int, readers: int = 32, rounds: int = 4) -> list[Row]:
    """The demo county, served by `hub serve`, read by `readers` threads while `hub
    publish --full` runs `rounds` times."""
    del repeat
    with tempfile.TemporaryDirectory() as folder:
        config = demo_site(Path(folder))
        path = config.path
        chosen = targets(config.site_dir)
        with served(path) as (host, port):
            quiet = read(host, port, chosen, readers=readers, seconds=10, most=20_000)
            thread, done = publishing(path, rounds)
            busy = read(
                host, port, chosen, readers=readers, seconds=300, most=10**6, until=done.is_set
            )
            thread.join()
    return [
        _row("serve, idle", quiet, readers),
        _row(f"serve, during {rounds} full publishes", busy, readers),
    ]


def demo_site(folder: Path) -> Config:
    """The demo county crawled and published once in `folder`."""
    from bench.common import START  # noqa: PLC0415
    from hub import pipeline  # noqa: PLC0415
    from hub.demo import CountyServer, World, channels_yaml, write_config  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    with CountyServer(World(clock=lambda: START)) as county:
        path = write_config(folder / "channels.yaml", channels_yaml(county.base_url))
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, START)
        pipeline.publish(config, store, START)
        store.close()
    return config


def _row(name: str, load: Load, readers: int) -> Row:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(load.by_kind.items()))
    return Row(
        f"{name}",
        load.per_second,
        "req/s",
        f"{readers} readers, {load.requests:,} requests ({kinds}) in {load.seconds:.0f}s; "
        f"p50 {statistics.median(load.latencies) * 1000:.0f} ms, "
        f"p95 {load.percentile(0.95) * 1000:.0f} ms; {len(load.errors)} errors",
    )


if __name__ == "__main__":
    for row in rows(1):
        print(f"{row.name:<36} {row.value:>10,.1f} {row.unit:<6} {row.note}")

"""Sources from a column's address (`hub sources add`): how much of the CMS corpus
(tests/cms: thirteen styles, each with what a person reads off its pages) detection gets
right — each item's link, full title and date, and each article's body — with the
misses listed; and on the demo county, the time and the requests it takes per column,
against reading the same column with its hand-written entry (`hub sources test`)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Row, quiet
from hub import pipeline
from hub.config import Config
from hub.demo import CountyServer, World, channels_yaml, write_config
from hub.demo.county import SOURCES, UNLISTED
from hub.demo.render import entry_path
from hub.pipeline.detecting import detect
from hub.pipeline.trial import trial
from hub.workers import Workers

if TYPE_CHECKING:
    from tests.cms import Column

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ("baisha", "shimen", "liutang", "jyj", "mzj", "sfj", "czj", "tyzx")  # trs, hanweb, GBK


def _config(folder: Path, base: str) -> Config:
    return pipeline.load(write_config(folder / "channels.yaml", channels_yaml(base)))


def _same(text: str, want: str) -> bool:
    return text.split() == want.split()


def corpus_rows(config: Config, workers: Workers, label: str, cols: list[Column]) -> list[Row]:
    from tests.cms import NOW, ZONE, serve  # noqa: PLC0415 (the tests' corpus)

    items = right = bodies = bodies_right = requests = 0
    misses: list[str] = []
    seconds: list[float] = []
    with serve(cols) as (base, _):
        for col in cols:
            try:
                found = detect(config, base + col.list_path, NOW, workers=workers)
            except Exception as exc:  # a miss of the whole column, listed
                misses.append(f"{col.style}: nothing detected ({exc})")
                items += len(col.items)
                bodies += sum(1 for want in col.items if want.path in col.bodies)
                continue
            seconds.append(found.seconds)
            requests += found.requests
            tried = trial(config, found.source, NOW, count=len(col.items), workers=workers)
            posts = {s.item.url: s.post for s in tried.samples}
            got = {item.url: item for item in found.items}
            items += max(len(col.items), len(found.items))
            bodies += sum(1 for want in col.items if want.path in col.bodies)
            for want in col.items:
                address = want.path if "://" in want.path else base + want.path
                item, post = got.get(address), posts.get(address)
                day = (
                    item.published.astimezone(ZONE).strftime("%Y-%m-%d")
                    if item and item.published
                    else ""
                )
                title = post.title if post else (item.title if item else "")
                if item and title == want.title and day == want.day:
                    right += 1
                else:
                    misses.append(f"{col.style}: item {want.path} read as {title!r} {day!r}")
                if want.path not in col.bodies:
                    continue  # an article on another site, not served here
                if post and _same(post.text, col.bodies[want.path]):
                    bodies_right += 1
                else:
                    misses.append(f"{col.style}: body of {want.path}")
            extra = len(found.items) - len(col.items)
            if extra > 0:
                misses.append(f"{col.style}: {extra} items that are not the column's")
    missed = sorted({m.split(":")[0] for m in misses})
    note = f"missed in {', '.join(missed)}" if missed else "misses: none"
    rows = [
        Row(
            f"detection: items right, {label} ({len(cols)} styles)",
            100 * right / items,
            "%",
            f"{right} of {items} (link, full title, date); {note}",
        ),
        Row(
            f"  article bodies right, {label}",
            100 * bodies_right / bodies,
            "%",
            f"{bodies_right} of {bodies} (the article's text, nothing around it)",
        ),
    ]
    if label != "written corpus":
        return rows
    return [
        *rows,
        Row(
            "detection: requests per column (corpus)",
            requests / max(len(seconds), 1),
            "requests",
            f"median {statistics.median(seconds):.2f}s per column; robots.txt once per site",
        ),
    ]


def demo_rows(workers: Workers, repeat: int) -> list[Row]:
    with (
        tempfile.TemporaryDirectory() as folder,
        CountyServer(World(clock=lambda: datetime.now(UTC))) as county,
    ):
        config = _config(Path(folder), county.base_url)
        chosen = [s for s in (*SOURCES, *UNLISTED) if s.id in SAMPLE]
        detected: list[float] = []
        tried: list[float] = []
        asked: list[int] = []
        for _ in range(max(1, repeat)):
            for demo in chosen:
                url = county.base_url + entry_path(demo)
                before = county.requests
                started = time.perf_counter()
                detect(config, url, datetime.now(UTC), workers=workers)
                detected.append(time.perf_counter() - started)
                asked.append(county.requests - before)
                listed = next((s for s in config.sources if s.id == demo.id), None)
                if listed is not None:
                    started = time.perf_counter()
                    trial(config, listed, datetime.now(UTC), count=3, workers=workers)
                    tried.append(time.perf_counter() - started)
        command = _command(config, county.base_url + entry_path(UNLISTED[0]))
    slowest = max(detected)
    return [
        Row(
            f"detection: one demo column, slowest of {len(detected)}",
            slowest,
            "s",
            f"median {statistics.median(detected):.2f}s; {max(asked)} requests at most "
            f"(robots.txt included; {min(asked)} at least); goal ≤ 3 s",
        ),
        Row(
            "  `hub sources add URL`, a new process",
            command,
            "s",
            "the whole command: Python's start, the parse workers', detection, the preview",
        ),
        Row(
            "  the same column read by its entry",
            statistics.median(tried),
            "s",
            f"list, page 2, 3 articles (`hub sources test`): detection costs "
            f"{statistics.median(detected) / statistics.median(tried):.1f}x that",
        ),
    ]


def _command(config: Config, url: str) -> float:
    hub = Path(sys.executable).with_name("hub")
    started = time.perf_counter()
    subprocess.run(
        [str(hub), "-c", str(config.path), "sources", "add", url],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def rows(repeat: int) -> list[Row]:
    with (
        quiet(),
        Workers(preload=["hub.parse.read", "hub.parse.detect"]) as workers,
        tempfile.TemporaryDirectory() as folder,
    ):
        config = _config(Path(folder), "http://127.0.0.1:9")
        sys.path.insert(0, str(ROOT))
        from tests.cms import columns  # noqa: PLC0415 (the tests' corpora)
        from tests.cms.review import columns as reviewed  # noqa: PLC0415

        return [
            *corpus_rows(config, workers, "written corpus", columns()),
            *corpus_rows(config, workers, "review corpus", reviewed()),
            *demo_rows(workers, repeat),
        ]

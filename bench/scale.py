"""A province on one box: synthetic posts of real report prose, spread over many sources
and portal sections, stored and published by hub's own pipeline; then an incremental
publish of a few new posts, and search over the result.

    python -m bench.scale --posts 100000                      # 100k posts, SQLite
    python -m bench.scale --posts 1000000 --sources 5000      # the province (hours; see docs)
    python -m bench.scale --posts 100000 --store-url postgresql://...  # on PostgreSQL

Prints: time to store and to publish everything, the incremental publish of `--new`
posts (the figure an editor waits for: in the process that published before, as the
scheduler and the desk do; then, once that process has ended, in a new one, as
`hub publish` from cron does, with its peak memory),
disk of the database, the portal and the index, the process's peak memory, and query
p50/p95 over the built index. The baseline for the
incremental publish is the full publish of the same run.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import START, Row, prose, quiet, timed
from hub import pipeline, reprints, search
from hub.config import Config
from hub.models import Post
from hub.store import Store
from hub.text import words

BATCH = 5_000  # posts stored per transaction, as a crawl of many sources would
QUERIES = ("乡村振兴", "营商环境", "生态环境保护", "义务教育", "医疗 保险", '"深化改革"', "发展")


@dataclass(frozen=True)
class Scale:
    posts: int
    sources: int
    sections: int
    new: int


def channels_yaml(scale: Scale, keywords: list[str], engine: str) -> str:
    """A county of `sources` departments (half towns, half departments) and `sections`
    sections: towns, departments, and topical ones that each take the posts whose title
    names one of three words (a post lands in one to three sections, as on a portal)."""
    lines = [
        "site:",
        "  title: 省级政务信息平台（规模测试）",
        "  base_url: https://portal.example.gov.cn/",
        "  timezone: Asia/Shanghai",
        "  per_page: 20",
    ]
    if engine:
        lines += ["search:", f"  engine: {engine}"]
    lines += ["checks:", "  builtin: true", "sources:"]
    for n in range(scale.sources):
        group = "镇街" if n % 2 else "部门"
        lines += [
            f"  - id: s{n:05d}",
            f"    name: 第{n}{'镇人民政府' if n % 2 else '局'}",
            f"    group: {group}",
            f"    feed: https://s{n}.example.gov.cn/rss.xml",
        ]
    lines += ["channels:"]
    lines += [
        "  - slug: zhenjie",
        "    title: 镇街动态",
        "    include: [{group: 镇街}]",
        "  - slug: bumen",
        "    title: 部门快讯",
        "    include: [{group: 部门}]",
    ]
    for n in range(scale.sections - 2):
        chosen = ", ".join(keywords[3 * n : 3 * n + 3])
        lines += [
            f"  - slug: c{n:03d}",
            f"    title: 专题{n}",
            f"    include: [{{title_keywords: [{chosen}]}}]",
        ]
    return "\n".join(lines) + "\n"


def frequent_words(texts: list[str], count: int) -> list[str]:
    """Words of two or more characters the prose uses often, past the commonest 30."""
    counted = Counter(w for t in texts[:1500] for w in words.cut(t) if len(w) >= 2)
    return [w for w, _ in counted.most_common(count + 30)[30:]]


def made_posts(scale: Scale, first: int, count: int, texts: list[str]) -> Iterator[Post]:
    """Posts of 2-4 real paragraphs, a source each in turn, one every few minutes back
    from START (the newest first)."""
    rng = random.Random(first)
    spacing = timedelta(days=5 * 365) / max(1, scale.posts)
    for n in range(first, first + count):
        paragraphs = [texts[rng.randrange(len(texts))] for _ in range(rng.randint(2, 4))]
        lead = paragraphs[0]
        start = rng.randrange(max(1, len(lead) - 30))
        yield Post(
            source_id=f"s{n % scale.sources:05d}",
            key=f"k{n}",
            url=f"https://s{n % scale.sources}.example.gov.cn/art/{n}.html",
            title=f"{lead[start : start + 20]}（{n}）",
            content_html="".join(f"<p>{p}</p>" for p in paragraphs),
            text="\n".join(paragraphs),
            published=START - spacing * (scale.posts - n),
        )


def store_all(store: Store, scale: Scale, texts: list[str]) -> None:
    for first in range(0, scale.posts, BATCH):
        count = min(BATCH, scale.posts - first)
        posts = list(made_posts(scale, first, count, texts))
        store.save(posts, START - timedelta(days=1), reprints.SKETCHER)


def disk(path: Path) -> int:
    """Bytes of the files under `path` (each file once: builds share unchanged pages)."""
    seen: set[int] = set()
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            status = (Path(folder) / name).lstat()
            if status.st_ino not in seen:
                seen.add(status.st_ino)
                total += status.st_size
    return total


def database_size(store: Store, config: Config) -> int:
    """The database, with SQLite's write-ahead log."""
    wal = config.database.with_name(config.database.name + "-wal")
    return store.size() + (wal.stat().st_size if wal.exists() else 0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def query_times(config: Config, rounds: int = 3) -> list[float]:
    seconds = []
    for _ in range(rounds):
        for text in QUERIES:
            started = time.perf_counter()
            search.search(config.index_dir, search.Request(text))
            seconds.append(time.perf_counter() - started)
    return seconds


def progress(line: str, *, peak: bool = True) -> None:
    """A long run says how far it got (stderr, with this process's peak memory so far)."""
    said = f"{line}; peak {peak_mb():,.0f} MB" if peak else line
    print(f"[{time.strftime('%H:%M:%S')}] {said}", file=sys.stderr)


@dataclass(frozen=True)
class InProcess:
    """What the first process measured: storing, the full publish, the incremental one."""

    stored: float  # seconds; nan when a kept run's posts were reused
    full: float
    pages: int
    shown: int
    step: float
    written: int
    peak: float  # MB


def in_process(scale: Scale, folder: Path, store_url: str, texts: list[str]) -> InProcess:
    """Store the posts, publish them, store `new` posts and publish again, in this
    process (where the scheduler and the desk publish); then store `new` more for the
    `hub publish` that follows in a process of its own."""
    config = pipeline.load(folder / "channels.yaml")
    store = Store(store_url) if store_url else pipeline.open_store(config)
    with quiet():
        if sum(store.post_counts().values()) == scale.posts:  # a kept run's posts
            stored = float("nan")
            progress(f"the {scale.posts:,} posts of {folder} were stored by an earlier run")
        else:
            _, stored = timed(lambda: store_all(store, scale, texts))
            progress(f"stored {scale.posts:,} posts in {stored:.0f}s")
        full, full_seconds = timed(lambda: pipeline.publish(config, store, START))
        progress(f"published {full.pages:,} files in {full_seconds:.0f}s")
        later = START + timedelta(hours=1)
        newer = list(made_posts(scale, scale.posts, scale.new, texts))
        store.save(newer, later, reprints.SKETCHER)
        step, step_seconds = timed(lambda: pipeline.publish(config, store, later))
        progress(f"published {scale.new} new posts in {step_seconds:.0f}s")
        newest = list(made_posts(scale, scale.posts + scale.new, scale.new, texts))
        store.save(newest, later + timedelta(hours=1), reprints.SKETCHER)
    store.close()
    return InProcess(
        stored, full_seconds, full.pages, full.posts, step_seconds, step.written, peak_mb()
    )


def forked(work: Callable[[], InProcess]) -> InProcess:
    """`work` in a forked child, whose memory is the system's again when it returns (a
    million posts' publish holds 16 GB; `hub publish` after it in the same machine's
    memory was killed)."""
    reading, writing = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=lambda: writing.send(work()))
    child.start()
    writing.close()
    try:
        measured: InProcess = reading.recv()
    except EOFError:
        child.join()
        raise SystemExit(f"the publishing process failed (exit {child.exitcode})") from None
    child.join()
    return measured


def run(scale: Scale, folder: Path, engine: str, store_url: str) -> list[Row]:
    texts = prose()
    (folder / "channels.yaml").write_text(
        channels_yaml(scale, frequent_words(texts, 3 * scale.sections), engine), encoding="utf-8"
    )
    label = f"{scale.posts:,} posts, {store_url.partition(':')[0] or 'sqlite'}"
    label += f" + {engine or 'default engine'}"
    first = forked(lambda: in_process(scale, folder, store_url, texts))
    cold_seconds, cold_peak = cli_publish(folder, START + timedelta(hours=2), store_url)
    progress(
        f"published {scale.new} new posts with `hub publish` in {cold_seconds:.0f}s "
        f"(its peak {cold_peak:,.0f} MB)",
        peak=False,
    )
    config = pipeline.load(folder / "channels.yaml")
    seconds = query_times(config)
    first_round, seconds = seconds[: len(QUERIES)], sorted(seconds)
    p50, p95 = statistics.median(seconds), seconds[int(0.95 * (len(seconds) - 1))]
    store = Store(store_url) if store_url else pipeline.open_store(config)
    sizes = {
        "database": database_size(store, config),
        "portal": disk(config.data_dir / "builds"),
        "index": disk(config.index_dir),
    }
    store.close()
    return [
        Row(f"scale {label}: store", scale.posts / first.stored, "posts/s", f"{first.stored:.0f}s"),
        Row(
            f"scale {label}: full publish",
            first.full,
            "s",
            f"{first.pages:,} files, {first.shown:,} posts shown",
        ),
        Row(
            f"scale {label}: publish +{scale.new} posts",
            first.step,
            "s",
            f"{first.written:,} files rewritten; {first.full / first.step:.1f}x faster "
            "than the full publish",
        ),
        Row(
            f"scale {label}: publish +{scale.new} posts, `hub publish`",
            cold_seconds,
            "s",
            f"a new process (interpreter, imports, every post read): a cron job's figure; "
            f"peak {cold_peak:,.0f} MB",
        ),
        Row(
            f"scale {label}: query p95",
            p95 * 1000,
            "ms",
            f"p50 {p50 * 1000:.1f} ms over {len(seconds)} queries; the slowest of the first "
            f"round (the index not yet in the page cache) {max(first_round) * 1000:.1f} ms",
        ),
        Row(
            f"scale {label}: disk",
            sum(sizes.values()) / 2**20,
            "MB",
            ", ".join(f"{k} {v / 2**20:,.0f} MB" for k, v in sizes.items()),
        ),
        Row(
            f"scale {label}: peak memory",
            first.peak,
            "MB",
            "the process that stored and published (the scheduler's, the desk's)",
        ),
    ]


def cli_publish(folder: Path, now: datetime, store_url: str) -> tuple[float, float]:
    """Seconds `hub publish` takes in a process of its own, at `now`, and its peak
    memory in MB."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
    if store_url:
        environment["HUB_STORE_URL"] = store_url
    command = [sys.executable, "-m", "hub", "publish", "-c", str(folder / "channels.yaml")]
    with tempfile.TemporaryFile() as errors:
        started = time.monotonic()
        child = subprocess.Popen(command, env=environment, stdout=errors, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)  # its own peak, not the earlier child's
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            errors.seek(0)
            said = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"hub publish failed ({child.returncode}): {said}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=0, help="default: posts / 200")
    parser.add_argument("--sections", type=int, default=100)
    parser.add_argument("--new", type=int, default=100, help="posts in the incremental publish")
    parser.add_argument("--engine", default="", help="whoosh or tantivy (default: hub's)")
    parser.add_argument("--store-url", default="", help="default: SQLite in the run's folder")
    parser.add_argument(
        "--keep", type=Path, help="build in this folder and keep it (its posts are reused)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    scale = Scale(args.posts, args.sources or max(50, args.posts // 200), args.sections, args.new)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hub-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(scale, folder, args.engine, args.store_url)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    width = max(len(r.name) for r in rows)
    for row in rows:
        print(f"{row.name:<{width}}  {row.value:>12,.1f}  {row.unit:<8}  {row.note}")


if __name__ == "__main__":
    main()

"""How long the commands editors type take from the shell, median of ten runs each, on
the demo county crawled and published once: `hub --help`, `hub check`, `hub explain`,
`hub search`. Beside them, in the same run: the bare interpreter, and the import of every
stage, which is what each command paid before commands imported only what they run."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import START, Row, quiet
from hub import pipeline
from hub.demo import CountyServer, World, channels_yaml, write_config

RUNS = 10
EVERYTHING = (
    "import hub.cli, hub.pipeline.crawling, hub.pipeline.publishing, hub.pipeline.searching, "
    "hub.pipeline.editorial, hub.serve, hub.schedule"
)


def project(folder: Path) -> str:
    """The demo county crawled and published into `folder`; a post's id to explain."""
    with quiet(), CountyServer(World(clock=lambda: START)) as county:
        config = pipeline.load(
            write_config(folder / "channels.yaml", channels_yaml(county.base_url))
        )
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, START)
        pipeline.publish(config, store, START)
        post = store.posts()[0].post.id
        store.close()
    return post


def median_seconds(command: list[str], folder: Path) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=folder, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows(repeat: int = 1) -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="hub-startup-"))
    try:
        post = project(folder)
        hub = [sys.executable, "-m", "hub"]
        python = median_seconds([sys.executable, "-c", "pass"], folder)
        everything = median_seconds([sys.executable, "-c", EVERYTHING], folder)
        found = [
            Row("start-up: the interpreter alone", python * 1000, "ms", "python -c pass"),
            Row(
                "start-up: every stage imported",
                everything * 1000,
                "ms",
                "what each command paid before it imported only what it runs",
            ),
        ]
        for args in (["--help"], ["check"], ["explain", post], ["search", "防汛"]):
            seconds = median_seconds([*hub, *args], folder)
            found.append(
                Row(
                    f"hub {' '.join(args[:1])}",
                    seconds * 1000,
                    "ms",
                    f"median of {RUNS}; {seconds / everything:.0%} of importing every stage",
                )
            )
        return found
    finally:
        shutil.rmtree(folder, ignore_errors=True)

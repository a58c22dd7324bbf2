"""Crash safety on real processes: `hub run` killed with SIGKILL at several points of
a crawl and a publish — the database stays consistent, the site is the previous or
the new one and never a mix with broken links, the index is usable or rebuilt — and
the next run recovers; a disk that fills up during a publish (a real one: a small
tmpfs in a private mount namespace) fails the publish and keeps the previous site."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline, search
from hub.cli import main
from hub.config import Config
from hub.demo import CountyServer, World
from hub.models import SearchEngine
from tests.conftest import POSTGRES, START, Clock, run_sql, write_project

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r'(?:href|src)="(/[^"#?]*)')
Ready = Callable[[Config, list[str]], bool]


def env_at(moment_offset: timedelta = timedelta()) -> dict[str, str]:
    epoch = int((START + moment_offset).timestamp())
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONPATH": str(ROOT)}


def broken_links(config: Config) -> list[str]:
    """Internal links of the live site that lead nowhere (none before a first site)."""
    if not config.site_dir.exists():
        return []
    live = config.site_dir.resolve()
    broken = []
    for page in live.rglob("*.html"):
        for link in LINK.findall(page.read_text(encoding="utf-8")):
            target = live / link.lstrip("/")
            if link.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(live)} -> {link}")
    return broken


def assert_consistent(config: Config) -> int:
    """The database whole, every stored post complete, the site's links whole, the
    index (if any) answering. Returns how many posts are stored."""
    if not POSTGRES:  # PostgreSQL checks its pages itself (and has no such pragma)
        assert run_sql(config.database, "PRAGMA integrity_check") == [("ok",)]
    incomplete = run_sql(
        config.database,
        "SELECT count(*) FROM posts WHERE title = '' OR hash = '' OR url = '' OR text IS NULL",
    )[0]
    stored = run_sql(config.database, "SELECT count(*) FROM posts")[0][0]
    assert incomplete == (0,)
    assert broken_links(config) == []
    if (config.index_dir / "current").exists():
        search.search(config.index_dir, search.Request("工作"))  # answers, or raises
    return int(stored)


def kill_when(config: Config, ready: Ready, offset: timedelta) -> list[str]:
    """Run `hub run` in another process and SIGKILL it as soon as `ready` says so; the
    lines it logged until then."""
    child = subprocess.Popen(
        [sys.executable, "-m", "hub", "run", "-c", str(config.path)],
        cwd=ROOT,
        env=env_at(offset),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert child.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(child.stderr or ()), daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    hit = False
    while child.poll() is None and time.monotonic() < deadline:
        if ready(config, lines):
            child.send_signal(signal.SIGKILL)
            hit = True
            break
        time.sleep(0.002)
    child.wait()
    reader.join(5)
    child.stderr.close()
    assert hit, f"the run ended before the moment came; its log: {lines[-5:]}"
    return lines


def crawled(count: int) -> Ready:
    def ready(_: Config, lines: list[str]) -> bool:
        return sum(1 for line in lines if re.search(r": \d+ new, \d+ changed", line)) >= count

    return ready


def writing_pages(config: Config, _: list[str]) -> bool:
    builds = config.data_dir / "builds"
    live = config.site_dir.resolve() if config.site_dir.exists() else None
    return builds.exists() and any(
        folder != live and sum(1 for _ in folder.glob("p/*/*/*.html")) > 200
        for folder in builds.iterdir()
    )


def building_index(config: Config, _: list[str]) -> bool:
    folders = config.index_dir / "generations"
    return folders.exists() and any(folders.iterdir())


SEGMENTS = {"whoosh": "MAIN_*", "tantivy": "*.idx"}  # a segment's files, by engine


def committing_index(config: Config, _: list[str]) -> bool:
    """A new segment file in the live generation: the engine is committing an update."""
    live = (config.index_dir / "current").resolve()
    files = live.glob(SEGMENTS[config.search.engine])
    return any(f.name not in BEFORE.get(str(live), set()) for f in files)


BEFORE: dict[str, set[str]] = {}


@pytest.fixture
def county() -> Iterator[tuple[CountyServer, Clock]]:
    clock = Clock()
    with CountyServer(World(clock=clock)) as server:
        yield server, clock


LEASE = 2.0  # seconds, on PostgreSQL: a killed crawler's sources are leased this long


def project_of(folder: Path, server: CountyServer) -> Path:
    """The demo county's channels.yaml; on PostgreSQL with short leases, so that a run
    after a kill takes the killed crawler's sources without waiting two minutes."""
    path = write_project(folder, server)
    if POSTGRES:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("schedule:\n", f"schedule:\n  lease: {LEASE}s\n", 1))
    return path


def run_again(config: Config, offset: timedelta) -> None:
    if POSTGRES:  # the leases of the crawler killed before run out first
        time.sleep(LEASE * 1.5)
    result = CliRunner(env=env_at(offset)).invoke(main, ["run", "-c", str(config.path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("moment", "ready"),
    [
        ("early in the crawl", crawled(3)),
        ("late in the crawl", crawled(35)),
        ("while pages are written", writing_pages),
        ("while the index is built", building_index),
    ],
)
def test_a_first_run_killed_then_run_again(
    tmp_path: Path, county: tuple[CountyServer, Clock], moment: str, ready: Ready
) -> None:
    config = pipeline.load(project_of(tmp_path, county[0]))
    kill_when(config, ready, timedelta())
    assert_consistent(config)
    assert not config.site_dir.exists()  # nothing was switched in: no half a portal
    run_again(config, timedelta(minutes=1))
    stored = assert_consistent(config)
    assert stored > 1400 and pipeline.index_count(config) > 1300, moment
    assert len(list((config.data_dir / "builds").iterdir())) == 1  # the killed one is gone


def test_an_update_killed_mid_commit_of_the_index(
    tmp_path: Path, county: tuple[CountyServer, Clock], search_engine: SearchEngine
) -> None:
    server, clock = county
    path = project_of(tmp_path, server)
    # the demo's file has a search: section (its synonyms): the engine goes into it
    text = path.read_text(encoding="utf-8")
    engine = f"\nsearch:\n  engine: {search_engine}"
    path.write_text(text.replace("\nsearch:", engine, 1), encoding="utf-8")
    config = pipeline.load(path)
    run_again(config, timedelta())
    before_site = config.site_dir.resolve()
    before_posts = pipeline.index_count(config)
    live = (config.index_dir / "current").resolve()
    BEFORE[str(live)] = {f.name for f in live.glob(SEGMENTS[search_engine])}
    clock.advance(timedelta(days=2))  # the county publishes more
    kill_when(config, committing_index, timedelta(days=2))
    assert_consistent(config)
    assert config.site_dir.resolve() == before_site  # killed before the switch
    assert pipeline.index_count(config) == before_posts  # the last commit, whole
    run_again(config, timedelta(days=2, minutes=1))
    assert_consistent(config)
    assert pipeline.index_count(config) > before_posts


def test_hits_not_yet_on_the_live_site_are_not_shown(
    tmp_path: Path, county: tuple[CountyServer, Clock]
) -> None:
    """As after a publish killed between the index's commit and the switch."""
    config = pipeline.load(project_of(tmp_path, county[0]))
    run_again(config, timedelta())
    service = pipeline.SearchService(config)
    request = service.request({"q": "工作", "per_page": "100"})
    shown = service.results(request)
    first = shown.hits[0]
    (config.site_dir / first.path).unlink()  # its page is not (yet) on the site
    again = service.results(request)
    assert first.id not in {h.id for h in again.hits}
    assert len(again.hits) == len(shown.hits) - 1


FULL_DISK = """
set -e
mount -t tmpfs -o size={size}k tmpfs {mount}
cp -a {project} {mount}/project
cd {mount}/project
free=$(df --output=avail -k . | tail -1)
dd if=/dev/zero of={mount}/filler bs=1k count=$((free - {leave})) 2>/dev/null
before=$(readlink site)
set +e
SOURCE_DATE_EPOCH={epoch} {python} -m hub publish --full -c channels.yaml > out.txt 2> err.txt
code=$?
set -e
rm {mount}/filler
{python} {check} {mount}/project "$before" "$code"
"""

CHECK = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from hub import pipeline, search
from tests.test_crash import assert_consistent
folder, before, code = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
config = pipeline.load(folder / "channels.yaml")
report = {{
    "code": code,
    "error": (folder / "err.txt").read_text(encoding="utf-8"),
    "same_site": str((folder / "site").readlink()) == before,
    "builds": len(list((folder / "data" / "builds").iterdir())),
    "stored": assert_consistent(config),
    "indexed": pipeline.index_count(config),
}}
from hub.cli import main
from click.testing import CliRunner
again = CliRunner(env={{"SOURCE_DATE_EPOCH": "{epoch}"}}).invoke(main, ["publish", "-c", str(folder / "channels.yaml")])
report["again"] = again.exit_code
report["new_site"] = str((folder / "site").readlink()) != before
assert_consistent(config)
print(json.dumps(report))
"""


def namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-Urm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(
    not namespaces_work() and not os.environ.get("HUB_REQUIRE_NAMESPACES"),
    reason="needs `unshare -Urm` (user and mount namespaces) to mount a small tmpfs; "
    ".ci/run requires it",
)
def test_a_full_disk_fails_the_publish_and_keeps_the_previous_site(
    tmp_path: Path, county: tuple[CountyServer, Clock]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = pipeline.load(write_project(project, county[0]))
    run_again(config, timedelta())
    epoch = int((START + timedelta(minutes=5)).timestamp())
    (tmp_path / "check.py").write_text(CHECK.format(root=str(ROOT), epoch=epoch), encoding="utf-8")
    used = sum(f.stat().st_size for f in project.rglob("*") if f.is_file()) // 1024
    script = FULL_DISK.format(
        size=used * 3 + 20_000,
        mount=tmp_path / "disk",
        project=project,
        leave=2_000,  # 2 MB: a whole site is about ten times that
        epoch=epoch,
        python=sys.executable,
        check=tmp_path / "check.py",
    )
    (tmp_path / "disk").mkdir()
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 1, report
    last = report["error"].splitlines()[-1]  # after the run's log line
    assert last.startswith("error: cannot write ") and "No space left on device" in last
    assert "Traceback" not in report["error"]
    assert report["same_site"] and report["builds"] == 1  # the partial build was removed
    assert report["stored"] > 1400 and report["indexed"] > 1300
    assert report["again"] == 0 and report["new_site"]  # with room again, it publishes

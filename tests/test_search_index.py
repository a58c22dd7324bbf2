"""The search index under stress, on each engine: readers during writes and rebuilds,
and writers killed with SIGKILL half-way, on the real index in a real second process
(which keeps the engine the index has)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub import search
from hub.models import SearchEngine
from hub.search import Request

T0 = datetime(2026, 6, 15, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def make_docs(start: int, count: int) -> list[search.Document]:
    return [
        search.Document(
            id=f"id{n}",
            hash="h",
            title=f"第{n}次防汛检查",
            text="检查了堤防、水库和山塘。" * 20,
            department="县水利局",
            source_id="slj",
            group="部门",
            sections=("bumen",),
            date=T0 - timedelta(minutes=n),
            path=f"p/{n}.html",
        )
        for n in range(start, start + count)
    ]


def matches(folder: Path) -> int:
    return search.search(folder, Request("防汛")).total


def test_readers_keep_searching_while_a_writer_commits_and_rebuilds(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    search.update(folder, make_docs(0, 50), engine=search_engine)
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                seen.append(matches(folder))
            except BaseException as exc:
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for round_ in range(1, 11):
            docs = make_docs(0, 50 + 20 * round_)
            search.update(folder, docs, rebuild=round_ % 4 == 0)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert len(seen) > 10
    # every answer is a whole commit: 50 plus some number of whole batches of 20
    assert {n for n in seen if (n - 50) % 20} == set()
    assert matches(folder) == 250


CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.test_search_index import make_docs
from hub import search
folder, rebuild = Path(sys.argv[1]), sys.argv[2] == "rebuild"
for round_ in range(1, 1000):
    search.update(folder, make_docs(0, 100 + 100 * round_), rebuild=rebuild)
    print(100 + 100 * round_, flush=True)
"""


def kill_mid_write(folder: Path, mode: str, after_commits: int, delay: float) -> int:
    """Run a writer in another process and SIGKILL it `delay` seconds after its
    `after_commits`th commit; the documents of its last finished commit."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), str(folder), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    committed = 100
    for _ in range(after_commits):
        committed = int(child.stdout.readline())
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    return committed


def test_a_writer_killed_mid_commit_leaves_a_usable_index(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    search.update(folder, make_docs(0, 100), engine=search_engine)
    for trial, delay in enumerate((0.0, 0.05, 0.15, 0.3, 0.6)):
        committed = kill_mid_write(folder, "update", 1 + trial % 2, delay)
        found = matches(folder)
        # the last finished commit or a later one; never a partial one
        assert found >= committed and found % 100 == 0, (trial, committed, found)
        # and the next writer is not locked out: the lock died with the process
        result = search.update(folder, make_docs(0, 100))
        assert not result.rebuilt and matches(folder) == 100


def test_a_rebuild_killed_half_way_leaves_the_live_index(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    search.update(folder, make_docs(0, 100), engine=search_engine)
    for delay in (0.02, 0.2, 0.5):
        kill_mid_write(folder, "rebuild", 1, delay)
        assert matches(folder) % 100 == 0 and matches(folder) >= 100
    search.update(folder, make_docs(0, 100), rebuild=True)
    assert matches(folder) == 100
    # the folders killed rebuilds left half-written are gone: only live and previous
    assert len(list((folder / "generations").iterdir())) == 2


def test_a_post_with_hundreds_of_attachments_is_indexed_within_a_cap(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    # a hostile or careless site: 300 attachments of 20,000 characters on one post
    # would be 6,000,000 characters in one document (12 s to index on whoosh each time
    # it changes; at the extractor's cap of 200,000 a file, ten times that)
    filler = "各乡镇按照要求认真组织实施。" * 1430
    attached = tuple((f"附件{n}.xlsx", f"编号{n:03d}甲乙丙{filler}") for n in range(300))
    post = search.Document(
        id="many",
        hash="h",
        title="关于公布名单的通知",
        text="详见附件。",
        department="县人力资源和社会保障局",
        source_id="rsj",
        group="部门",
        sections=("bumen",),
        date=T0,
        path="p/many.html",
        files=tuple(name for name, _ in attached),
        attached=attached,
    )
    fields = post.fields()
    assert len(fields["grams"]) < search.document.ATTACHED_CHARS + 10_000
    assert len(fields["attached"]) < search.document.SHOWN_TOTAL + 10_000
    folder = tmp_path / "index"
    search.update(folder, [post], engine=search_engine)
    # the first attachments whole, with a snippet; every attachment by its name
    (hit,) = search.search(folder, Request('"编号001甲乙丙"')).hits
    assert hit.attachment == "附件1.xlsx" and "编号001" in search.plain(hit.snippet)
    assert search.search(folder, Request("附件299")).total == 1

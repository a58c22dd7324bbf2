"""Commands start light: each imports the stages it runs, not the whole of hub. `hub
--help`, `hub check` and `hub explain` are what editors type most; none of them may load
the search engine, the web server, the HTTP client, the feed parser or the templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub import pipeline
from tests.conftest import POSTGRES, Crawled

# Run a command in a fresh interpreter and list the top-level modules it imported.
PROBE = """
import json, sys
from hub.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""

SERVING = {"uvicorn", "starlette", "uvloop", "httptools", "anyio"}
CRAWLING = {"httpx", "httpcore", "feedparser", "nh3"}  # (soupsieve itself brings bs4)
SEARCHING = {"whoosh", "jieba", "tantivy"}
OTHERS = {"jinja2", "apscheduler", "pkg_resources"}
STORE = {"sqlalchemy", "sqlmodel"}
ROUTING = {"zhconv", "ahocorasick_rs"}
CHECKS = {"rjieba", "pypinyin"}  # the content checks: jieba's words, pinyin for near misses
CONFIG = {"pydantic", "yaml", "soupsieve"}


def imported(*args: str, cwd: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_imports_nothing_but_the_command_line(tmp_path: Path) -> None:
    loaded = imported("--help", cwd=tmp_path)
    assert "click" in loaded
    heavy = SERVING | CRAWLING | SEARCHING | OTHERS | STORE | ROUTING | CONFIG | CHECKS | {"rich"}
    assert loaded & heavy == set()


@pytest.mark.skipif(
    bool(POSTGRES),
    reason="SQLite only: whether a PostgreSQL store exists is asked of its server, "
    "through SQLAlchemy; a missing SQLite file is known without it",
)
def test_check_without_a_database_reads_only_the_config(tmp_path: Path) -> None:
    (tmp_path / "channels.yaml").write_text(
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        "sources: [{id: a, name: 甲, page: {url: 'https://x.gov.cn/l.html', item: ul li}}]\n"
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    loaded = imported("check", cwd=tmp_path)
    assert loaded >= CONFIG  # the selectors were checked
    assert loaded & (SERVING | CRAWLING | SEARCHING | OTHERS | STORE | CHECKS) == set()


@pytest.mark.parametrize("command", ["check", "explain", "route"])
def test_editors_commands_leave_search_serving_and_crawling_alone(
    crawled: Crawled, command: str
) -> None:
    args = [command]
    if command == "explain":
        store = pipeline.open_store(crawled.config)
        args.append(store.posts()[0].post.id)
        store.close()
    loaded = imported(*args, cwd=crawled.config.root)
    assert loaded >= STORE | ROUTING  # they did route the stored posts
    assert loaded & (SERVING | CRAWLING | SEARCHING | OTHERS) == set()


def test_search_loads_the_index_but_not_the_portal(crawled: Crawled) -> None:
    loaded = imported("search", "防汛", cwd=crawled.config.root)
    assert {"tantivy", "rjieba"} <= loaded
    assert loaded & (SERVING | CRAWLING | OTHERS | {"jinja2"}) == set()
    assert "whoosh" not in loaded  # a tantivy index: the other engine stays unloaded

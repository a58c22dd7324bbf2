"""The `hub` command as users type it: exit codes, one-line errors, and the demo."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.config import Config
from hub.demo import CountyServer, catalogue
from hub.models import SourceState
from tests.conftest import Crawled, lose_database, write_project

COMMANDS = {
    "check",
    "run",
    "crawl",
    "publish",
    "serve",
    "search",
    "index",
    "schedule",
    "demo",
    "status",
    "explain",
    "route",
    "sources",
    "audit",
    "links",
    "desk",
    "users",
    "log",
    "nginx",
}


T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def hub(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_every_command_in_one_line() -> None:
    code, out, _ = hub("--help")
    assert code == 0
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == COMMANDS
    for command in COMMANDS - {"sources", "users"}:
        code, out, _ = hub(command, "--help")
        assert code == 0 and "-c, --config PATH" in out, command
    for sub in ("import", "export"):  # `hub sources` is a group of two
        code, out, _ = hub("sources", sub, "--help")
        assert code == 0 and "-c, --config PATH" in out, sub
    for sub in ("add", "list", "disable", "enable", "passwd", "role"):
        code, out, _ = hub("users", sub, "--help")
        assert code == 0 and "-c, --config PATH" in out, sub


def test_check_accepts_the_demo_config(tmp_path: Path, county: CountyServer) -> None:
    path = write_project(tmp_path, county)
    code, out, _ = hub("check", "-c", str(path))
    assert (code, out) == (0, f"{path}: ok: 51 sources, 1 service catalogue, 16 channels\n")


def test_a_bad_config_stops_with_exit_2_and_a_located_line(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(
        "site:\n  title: x\n  base_url: https://x.cn/\n  colour: red\nsources: []\nchannels: []\n",
        encoding="utf-8",
    )
    for command in ("check", "run", "publish", "search"):
        args = [command, "-c", str(path)] + (["防汛"] if command == "search" else [])
        code, out, err = hub(*args)
        assert code == 2, command
        assert err.splitlines()[0] == "channels.yaml:4: site.colour: unknown key"
        assert out == ""
    assert not (tmp_path / "data").exists()  # nothing was written


def test_run_prints_what_it_did_and_lists_failures(project: Config) -> None:
    code, out, err = hub("run", "-c", str(project.path))
    counts = pipeline.open_store(project).post_counts()
    services = counts.pop("zwfw")
    stored = sum(counts.values())
    assert code == 0 and services == len(catalogue.SERVICES)
    assert out.startswith(
        f"crawled 52 sources: {stored} new posts, {services} new services, 0 changed, "
        f"0 unchanged sources, 2 failed\npublished {stored} posts and {services} services as "
    )
    assert "  qxj: http: HTTP 500 Internal Server Error" in err
    code, out, _ = hub("search", "-c", str(project.path), "防汛", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["total"] > 0 and payload["query"] == "防汛"
    assert set(payload["hits"][0]) == {
        "id",
        "title",
        "title_html",
        "url",
        "path",
        "department",
        "source",
        "group",
        "sections",
        "date",
        "score",
        "snippet",
        "snippet_text",
        "attachment",
    }


def test_status_shows_each_source_health(project: Config) -> None:
    code, out, _ = hub("status", "-c", str(project.path))
    assert code == 0 and out.split("\n\n")[0].splitlines()[-1] == "52 new"  # nothing fetched yet
    hub("crawl", "-c", str(project.path))
    code, out, _ = hub("status", "-c", str(project.path))
    *_, health, attachments = out.split("\n\n")[0].splitlines()
    assert health == "50 ok, 2 failing"
    # every demo attachment read, and its copy kept
    assert re.fullmatch(r"attachments: \d{3} read; copies 0\.\d MB of 5,120 MB", attachments)
    assert out.splitlines()[0].split() == [
        "source",
        "name",
        "state",
        "posts",
        "last",
        "ok",
        "last",
        "new",
        "fails",
        "next",
        "fetch",
        "problem",
    ]
    rows = {
        row["id"]: row
        for row in json.loads(hub("status", "-c", str(project.path), "--json")[1])["sources"]
    }
    assert rows["qxj"]["state"] == "failing" and rows["qxj"]["error_kind"] == "http"
    assert rows["qxj"]["error"].startswith("HTTP 500") and rows["qxj"]["failures"] == 1
    assert rows["baisha"]["state"] == "ok" and rows["baisha"]["posts"] == 41  # 2 pages + 置顶
    assert rows["baisha"]["next_fetch"] > rows["baisha"]["last_ok"]


def test_search_before_any_publish_is_a_clear_error(project: Config) -> None:
    code, _, err = hub("search", "-c", str(project.path), "防汛")
    assert code == 1 and err.startswith("error: the search index in ")
    assert "does not exist: run `hub publish` or `hub index --rebuild`" in err


def test_unknown_source_is_refused(project: Config) -> None:
    code, _, err = hub("crawl", "-c", str(project.path), "--source", "nope")
    assert code == 1 and err == "error: unknown source id: nope\n"


def test_a_second_writer_exits_3(project: Config) -> None:
    with pipeline.writer_lock(project):
        code, _, err = hub("publish", "-c", str(project.path))
    assert code == 3 and "another hub process is writing" in err


def test_demo_once_builds_the_portal_in_an_empty_folder(tmp_path: Path) -> None:
    config = tmp_path / "channels.yaml"
    code, out, _ = hub("demo", "--once", "--world-port", "0", "-c", str(config))
    assert code == 0, out
    assert out.startswith(f"wrote the demo county's configuration to {config}\n")
    assert (tmp_path / "site" / "index.html").is_file()
    code, out, _ = hub("search", "-c", str(config), "防汛", "--json")
    assert code == 0 and json.loads(out)["total"] > 0
    check_search_and_index_commands(config)
    runs = json.loads(hub("status", "-c", str(config), "--json")[1])["runs"]
    assert [(r["kind"], r["published"]) for r in runs] == [("index", False), ("run", True)]
    assert runs[1]["sources"] == 52 and runs[1]["failed"] == 2


def check_search_and_index_commands(config: Path) -> None:
    code, out, _ = hub("search", "-c", str(config), "防汛", "演练", "--limit", "2")
    assert code == 0 and " posts match '防汛 演练', page 1 of " in out
    assert out.count("http://127.0.0.1:8000/p/") == 2
    code, out, _ = hub(
        "search", "-c", str(config), "防汛", "--section", "pingan", "--sort", "newest", "--json"
    )
    payload = json.loads(out)
    assert code == 0 and payload["sort"] == "newest"
    assert all("pingan" in hit["sections"] for hit in payload["hits"])
    dates = [hit["date"] for hit in payload["hits"]]
    assert dates == sorted(dates, reverse=True)
    code, out, _ = hub("search", "-c", str(config), "防训")
    assert code == 0 and "0 posts match '防训'\ndid you mean: 防汛\n" in out
    code, _, err = hub("search", "-c", str(config), "防汛", "--since", "June 1")
    assert code == 2 and err == "error: since must be a date such as 2026-06-01, not 'June 1'\n"
    code, before, _ = hub("index", "-c", str(config))
    assert code == 0 and before.endswith(
        f"posts in the search index in {config.parent / 'index'}\n"
    )
    code, out, _ = hub("index", "-c", str(config), "--rebuild")
    count = before.split()[0]
    assert (
        code == 0
        and out == f"rebuilt the search index in {config.parent / 'index'}: {count} posts\n"
    )


def test_demo_refuses_a_config_for_another_county(tmp_path: Path, county: CountyServer) -> None:
    path = write_project(tmp_path, county)  # points at the fixture's port, not the demo's
    code, _, err = hub("demo", "--once", "--world-port", "0", "-c", str(path))
    assert code == 1 and "does not describe the demo county" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"hub {command}" in readme


def assert_desk_login(url: str, name: str, password: str) -> None:
    """The printed login opens the desk's queue."""
    with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as client:
        form = client.get("/login").text
        token = re.search(r'name="token" value="([^"]+)"', form)
        assert token is not None
        answer = client.post("/login", data={"token": token[1], "name": name, "password": password})
        assert answer.status_code == 200 and "待审稿件" in answer.text, answer.text[:500]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_serves_the_portal_and_the_desk_until_interrupted(tmp_path: Path) -> None:
    port, desk_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "hub",
        "demo",
        "--world-port",
        "0",
        "--port",
        str(port),
        "--desk-port",
        str(desk_port),
        "--pulse",
        "5",
    ]
    log = tmp_path / "stderr.log"
    with (
        log.open("w") as errors,
        subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=errors, text=True
        ) as process,
    ):
        try:
            assert process.stdout is not None
            lines: list[str] = []
            deadline = time.monotonic() + 300  # a first crawl and publish on a busy machine
            while not any(line.startswith("portal: ") for line in lines):
                assert time.monotonic() < deadline and process.poll() is None, lines
                lines.append(process.stdout.readline())
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                assert "镇街动态" in response.read().decode()
            (desk,) = [line for line in lines if line.startswith("editors' desk: ")]
            login = re.fullmatch(
                r"editors' desk: (\S+)  \(log in as demo, password (\S+)\)\n", desk
            )
            assert login is not None and login[1] == f"http://127.0.0.1:{desk_port}/", desk
            assert_desk_login(login[1], "demo", login[2])
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=120) == 0, log.read_text()[-2000:]
        finally:
            if process.poll() is None:
                process.kill()
    assert log.read_text().endswith("stopped\n")


def test_a_run_in_which_every_source_failed_is_a_failure(tmp_path: Path) -> None:
    """Issue 12: `hub run` with every source failing once exited 0 and published an empty
    portal over nothing. (Loopback sources with allow_private off: refused before any
    packet leaves.)"""
    path = tmp_path / "channels.yaml"
    path.write_text(
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        "sources:\n"
        '  - {id: a, name: 甲, feed: "http://127.0.0.1:9/a.xml"}\n'
        '  - {id: b, name: 乙, feed: "http://localhost:9/b.xml"}\n'
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    code, _, err = hub("run", "-c", str(path))
    assert code == 1
    assert "error: every one of the 2 sources crawled failed" in err
    assert "a: refused-address" in err and "b: refused-address" in err
    assert not (tmp_path / "site").exists()  # nothing was published
    code, _, err = hub("crawl", "-c", str(path))
    assert code == 1 and "every one of the 2 sources" in err
    code, _, err = hub("check", "-c", str(path))
    assert code == 0  # valid, but it says what will happen:
    assert "channels.yaml:3: sources[0]: a: 127.0.0.1 is a private or special-purpose" in err
    assert "channels.yaml:4: sources[1]: b: localhost is this machine" in err
    assert err.count("fail with `refused-address` unless fetch.allow_private is true") == 2


def test_a_portal_with_posts_is_not_replaced_by_an_empty_one_unless_forced(
    project: Config,
) -> None:
    assert hub("run", "-c", str(project.path))[0] == 0
    built = project.site_dir.resolve()
    lose_database(project)
    code, out, err = hub("publish", "-c", str(project.path))
    assert code == 1 and out == ""
    assert "would replace a portal of" in err and "--force" in err
    assert project.site_dir.resolve() == built  # the portal readers see is untouched
    code, out, _ = hub("publish", "--force", "-c", str(project.path))
    assert code == 0 and "published 0 posts" in out


def test_the_hub_program_ends_a_publish_with_its_output_and_its_status(project: Config) -> None:
    """The `hub` program skips Python's teardown after a publish (`common.program`): what
    the command printed through a pipe, its log and its exit status all arrive."""
    command = [sys.executable, "-m", "hub", "run", "-c", str(project.path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"^published \d+ posts and \d+ services as \d+ files", done.stdout, re.MULTILINE
    )
    assert "INFO hub.pipeline: run finished" in done.stderr  # the last log line
    lose_database(project)
    command[3] = "publish"
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1 and "would replace a portal of" in done.stderr
    done = subprocess.run([*command, "--force"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "published 0 posts" in done.stdout
    # Python's teardown (atexit's handlers with it) is skipped after a publish only
    traced = (
        "import atexit, sys; atexit.register(print, 'teardown', file=sys.stderr); "
        "sys.argv[0] = 'hub'; from hub.cli import program; program()"
    )
    for args, teardown in ((["publish", "--force"], False), (["check"], True)):
        done = subprocess.run(
            [sys.executable, "-c", traced, *args, "-c", str(project.path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert ("teardown" in done.stderr) is teardown


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--since", "0001-01-01"], "error: since must be a date between 1990-01-01"),
        (["--until", "9999-12-31"], "error: until must be a date between"),
        (["--page", "9" * 5000], "Invalid value for '--page'"),  # click's own words
        (["--page", "20000"], "error: page must be between 1 and 10,000"),
        (["--page", "0"], "error: page must be between 1 and 10,000"),  # not page 1, silently
        (["--limit", "0"], "per_page between 1 and 100"),
    ],
)
def test_search_arguments_out_of_range_exit_2_with_what_to_fix(
    crawled: Crawled, args: list[str], said: str
) -> None:
    """Issue 12: these once ended in a traceback and exit 1."""
    code, out, err = hub("search", "-c", str(crawled.config.path), "防汛", *args)
    assert code == 2 and out == "" and said in err and "Traceback" not in err


def test_the_config_may_come_before_the_command(crawled: Crawled) -> None:
    """Issue 12: `hub -c X check` was refused although the README puts -c there."""
    path = str(crawled.config.path)
    for before, after in ((["-c", path], []), ([], ["-c", path])):
        code, out, _ = hub(*before, "check", *after)
        assert code == 0 and out.startswith(f"{path}: ok"), (before, after)
    code, out, _ = hub("-c", path, "sources", "export")
    assert code == 0 and out.startswith("<?xml")
    code, out, _ = hub("--config", path, "search", "防汛", "--limit", "1")
    assert code == 0 and "posts match" in out


def test_status_shows_what_sources_wrote_as_text_never_as_markup(tmp_path: Path) -> None:
    """What a feed wrote reaches `hub status` through notes and error messages: rich
    markup in it once crashed the table, and escape sequences reached the terminal."""
    path = tmp_path / "channels.yaml"
    path.write_text(
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        'sources: [{id: a, name: "甲[/]", feed: "https://x.gov.cn/a.xml"}]\n'
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    store = pipeline.open_store(pipeline.load(path))
    hostile = "item «[/] [bold]\x1b[2J\x1b]0;owned\x07\u202e标题»: title cut"
    store.record(SourceState("a", last_fetch_at=T0, notes=hostile, note_count=1))
    store.close()
    code, out, _ = hub("status", "-c", str(path))
    assert code == 0 and "[/] [bold]" in out and "甲[/]" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out

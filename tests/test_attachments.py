"""Attachments end to end: downloaded after a crawl through its fetcher, read in a capped
process, found by search with the attachment's name and a snippet from it, kept with the
portal at a stable address; each bad file, missing file or full budget costs only itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline, search
from hub.cli import main
from hub.config import Config
from hub.demo import files
from hub.pipeline.attached import copy_name, files_dir
from hub.pipeline.attaching import REFRESH
from hub.store import Actor, Store
from tests.conftest import Clock
from tests.httpserver import Reply, ScriptedServer

DAY = timedelta(days=1)
ITEM = """<item><title>{title}</title><link>{base}/{key}.html</link><guid>{key}</guid>
<pubDate>Mon, 15 Jun 2026 0{n}:00:00 GMT</pubDate>
<description><![CDATA[<p>{text}见<a href="{base}/{file}">附件：{name}</a>。</p>]]></description></item>"""
POSTS = (  # key, title, text, the attachment's file, its name
    ("a", "关于公布招聘岗位的公告", "现将岗位公布如下。", "jobs.xlsx", "岗位信息表"),
    ("b", "关于报名的通知", "请按要求报名。", "form.docx", "报名表"),
    ("c", "拟表彰名单的公示", "现予公示。", "list.pdf", "名单"),
    ("d", "一份损坏的附件", "附件损坏。", "broken.pdf", "损坏的文件"),
    ("e", "一份不存在的附件", "附件不存在。", "missing.pdf", "不存在的文件"),
    ("f", "一份太大的附件", "附件太大。", "huge.pdf", "太大的文件"),
)


def feed(base: str) -> bytes:
    items = "".join(
        ITEM.format(base=base, key=k, title=t, text=x, file=f, name=name, n=n)
        for n, (k, t, x, f, name) in enumerate(POSTS)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试局</title>'
    return (head + items + "</channel></rss>").encode()


def write(folder: Path, base: str, settings: str = "") -> Config:
    (folder / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, timeout: 5s, every: 1h, delay: 0s}}
attachments: {{max_bytes: 200KB{settings}}}
checks: {{links: {{enabled: false}}}}  # their requests apart: these tests count downloads
sources:
  - {{id: dept, name: 测试局, feed: "{base}/feed.xml"}}
channels:
  - {{slug: qita, title: 其他, fallback: true}}
""",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


JOBS = [["岗位名称", "专业要求"], ["乡村振兴专干", "农学"], ["文物保护员", "考古学"]]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.routes["/feed.xml"] = Reply(200, feed(server.url))
        server.routes["/jobs.xlsx"] = Reply(200, files.xlsx(JOBS), {"content-type": files.XLSX})
        server.routes["/form.docx"] = Reply(200, files.docx(["报名须知：请携带户口簿原件。"]))
        server.routes["/list.pdf"] = Reply(
            200, files.pdf(["拟表彰人员名单", "1 赵德明 县人民医院"])
        )
        server.routes["/broken.pdf"] = Reply(200, b"%PDF-1.4\n1 0 obj << /Type /Catalog")
        server.routes["/huge.pdf"] = Reply(200, b"%PDF-1.4\n" + b"0" * 300_000)
        yield server


def published(folder: Path, server: ScriptedServer, clock: Clock) -> tuple[Config, Store]:
    """The test county crawled (its attachments read) and published."""
    config = write(folder, server.url)
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock())
    pipeline.publish(config, store, clock())
    return config, store


def read(store: Store) -> dict[str, tuple[bool, str, str]]:
    """file -> (downloaded, why not read, the text's start)"""
    found = store.attachments.of(a.url for p in store.posts() for a in p.post.attachments)
    return {url.rsplit("/", 1)[1]: (a.ok, a.kind, a.text[:40]) for url, a in found.items()}


def test_a_crawl_reads_each_attachment_and_a_bad_one_costs_only_itself(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = write(tmp_path, server.url)
    store = pipeline.open_store(config)
    (result,) = pipeline.crawl(config, store, clock())
    assert result.ok and result.new == len(POSTS)
    found = read(store)
    assert found["jobs.xlsx"][:2] == (True, "") and "乡村振兴专干" in found["jobs.xlsx"][2]
    assert found["form.docx"][:2] == (True, "") and "户口簿" in found["form.docx"][2]
    assert found["list.pdf"][:2] == (True, "") and "赵德明" in found["list.pdf"][2]
    assert found["broken.pdf"][:2] == (True, "malformed")  # downloaded, unreadable
    assert found["missing.pdf"][:2] == (False, "http")  # 404
    assert found["huge.pdf"][:2] == (False, "too-large")  # over attachments.max_bytes
    # the copies: documents read or not, never a file that did not download
    kept = sorted(p.name for p in files_dir(config).iterdir())
    names = ("jobs.xlsx", "form.docx", "list.pdf", "broken.pdf")
    assert kept == sorted(copy_name(f"{server.url}/{n}", n.rsplit(".")[1]) for n in names)


def test_a_failed_download_waits_longer_each_time_and_a_read_one_is_never_fetched_again(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config = write(tmp_path, server.url)
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/missing.pdf")) == 1
    clock.advance(timedelta(hours=1))
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/missing.pdf")) == 1  # waits six hours
    assert server.methods.count(("GET", "/jobs.xlsx")) == 1  # read: never again
    clock.advance(timedelta(hours=6))
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/missing.pdf")) == 2
    clock.advance(timedelta(hours=7))
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/missing.pdf")) == 2  # now twelve hours
    server.routes["/missing.pdf"] = Reply(200, files.pdf(["补发的附件"]))
    clock.advance(timedelta(hours=6))
    pipeline.crawl(config, store, clock())
    assert read(store)["missing.pdf"] == (True, "", "补发的附件")
    assert server.methods.count(("GET", "/jobs.xlsx")) == 1


def test_search_finds_a_post_by_its_attachment_and_shows_where(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config, _ = published(tmp_path, server, clock)
    for query, title, name, words in (
        ("乡村振兴专干", "关于公布招聘岗位的公告", "附件：岗位信息表", "乡村振兴专干"),
        ("户口簿", "关于报名的通知", "附件：报名表", "户口簿"),
        ("赵德明", "拟表彰名单的公示", "附件：名单", "赵德明"),
    ):
        (hit,) = search.search(config.index_dir, search.Request(query)).hits
        assert (hit.title, hit.attachment) == (title, name)
        assert words in search.plain(hit.snippet)
        assert [piece for piece, marked in hit.snippet if marked] == [words]
    # a word of the post itself: its own text is the snippet
    (hit,) = search.search(config.index_dir, search.Request("现予公示")).hits
    assert hit.attachment == ""
    # and `hub search` says where it found it
    said = CliRunner().invoke(main, ["search", "-c", str(config.path), "户口簿"])
    assert said.exit_code == 0, said.output
    assert "附件《附件：报名表》：报名须知：请携带户口簿原件。" in said.output


def test_the_portal_links_the_kept_copy_beside_the_original_at_a_stable_address(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config, store = published(tmp_path, server, clock)
    url = f"{server.url}/jobs.xlsx"
    copy = f"f/{copy_name(url, 'xlsx')}"
    assert (config.site_dir / copy).read_bytes() == files.xlsx(JOBS)
    page = next(p for p in (config.site_dir / "p").rglob("*.html") if copy in p.read_text())
    html = page.read_text(encoding="utf-8")
    assert f'href="{url}"' in html  # the original beside it
    # a file read is asked again a month later: unchanged, nothing is read again
    clock.advance(REFRESH + DAY)
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/jobs.xlsx")) == 2
    assert store.attachments.get(url).fetched == clock()  # type: ignore[union-attr]
    # the department replaces the file: the copy follows, at the same address
    changed = [*JOBS, ["食品检验员", "食品科学与工程"]]
    server.routes["/jobs.xlsx"] = Reply(200, files.xlsx(changed))
    clock.advance(REFRESH + DAY)
    pipeline.crawl(config, store, clock())
    pipeline.publish(config, store, clock())
    assert (config.site_dir / copy).read_bytes() == files.xlsx(changed)
    (hit,) = search.search(config.index_dir, search.Request("食品检验员")).hits
    assert hit.attachment == "附件：岗位信息表"
    # the department's site is redesigned: the original is gone, the copy stays
    del server.routes["/jobs.xlsx"]
    clock.advance(REFRESH + DAY)
    pipeline.crawl(config, store, clock())
    pipeline.publish(config, store, clock())
    assert server.methods.count(("GET", "/jobs.xlsx")) == 4
    assert (config.site_dir / copy).read_bytes() == files.xlsx(changed)
    assert copy in page.read_text(encoding="utf-8")
    assert search.search(config.index_dir, search.Request("食品检验员")).total == 1
    kept = store.attachments.get(url)
    assert kept is not None and kept.ok and "what was read is kept" in kept.note


def test_a_post_taken_down_takes_its_copy_off_the_portal(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    config, store = published(tmp_path, server, clock)
    copy = config.site_dir / "f" / copy_name(f"{server.url}/list.pdf", "pdf")
    assert copy.is_file()
    (post,) = [p.post for p in store.posts() if p.post.title == "拟表彰名单的公示"]
    store.desk.change(post.id, Actor("editor", clock()), "takedown", taken_down=True)
    pipeline.publish(config, store, clock())
    assert not (config.site_dir / "f" / copy.name).exists()
    assert (files_dir(config) / copy.name).is_file()  # kept, should it be put back
    assert search.search(config.index_dir, search.Request("赵德明")).total == 0


def test_the_budget_and_keep_decide_what_is_copied_and_text_is_read_all_the_same(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    # room for the small files only: the first that does not fit is read, not kept
    config = write(tmp_path, server.url, ", budget: 2KB")
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock())
    found = store.attachments.of(
        f"{server.url}/{n}" for n in ("jobs.xlsx", "form.docx", "list.pdf")
    )
    assert all(a.text for a in found.values())
    assert sum(a.size for a in found.values() if a.kept) <= 2048
    unkept = [a for a in found.values() if not a.kept]
    assert unkept and all("budget" in a.note for a in unkept)
    # keep: false publishes no copy, and the post links the original only
    config = write(tmp_path, server.url, ", keep: false")
    pipeline.publish(config, store, clock())
    assert not (config.site_dir / "f").exists()
    (hit,) = search.search(config.index_dir, search.Request("乡村振兴专干")).hits
    html = (config.site_dir / hit.path).read_text(encoding="utf-8")
    assert f'href="{server.url}/jobs.xlsx"' in html and "本站存档" not in html


def test_a_read_over_its_time_is_tried_again_before_it_is_final(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    # no file can be read within a millisecond: each read runs over (a busy machine's)
    config = write(tmp_path, server.url, ", timeout: 0.001s")
    store = pipeline.open_store(config)
    url = f"{server.url}/list.pdf"
    for tries in (1, 2, 3):
        pipeline.crawl(config, store, clock())
        assert server.methods.count(("GET", "/list.pdf")) == tries
        found = store.attachments.get(url)
        assert found is not None and found.kind == "over-time" and found.ok is (tries == 3)
        assert found.kept  # its copy kept all the same: the portal links it
        clock.advance(timedelta(days=2))
    pipeline.crawl(config, store, clock())
    assert server.methods.count(("GET", "/list.pdf")) == 3  # final: not tried again

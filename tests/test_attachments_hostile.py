"""Attachments as a hostile department site serves them: a login page instead of the
file, an HTML page that carries %PDF- inside it, robots.txt, drips, bodies without a
length, one file on many posts; what is kept at /f/ is a document from its first byte."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from hub import pipeline, search
from hub.demo import files
from hub.fetch import Fetcher
from hub.models import Attachment, Post
from hub.pipeline import attaching
from hub.pipeline.attached import files_dir
from hub.store import Store
from tests.conftest import Clock
from tests.httpserver import Reply, ScriptedServer
from tests.test_attachments import write

ITEM = """<item><title>{title}</title><link>{base}/{key}.html</link><guid>{key}</guid>
<pubDate>Mon, 15 Jun 2026 0{n}:00:00 GMT</pubDate>
<description><![CDATA[<p>见<a href="{base}/{file}">附件：{file}</a>。</p>]]></description></item>"""


def feed(base: str, names: list[str]) -> bytes:
    items = "".join(
        ITEM.format(base=base, key=f"k{n}", title=f"通知{n}", file=f, n=n % 10)
        for n, f in enumerate(names)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试局</title>'
    return (head + items + "</channel></rss>").encode()


LOGIN = "<!DOCTYPE html><html><head><title>登录</title></head><body>请登录后下载</body></html>"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def crawled(folder: Path, server: ScriptedServer, names: list[str], clock: Clock) -> Store:
    server.routes["/feed.xml"] = Reply(200, feed(server.url, names))
    config = write(folder, server.url)
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock())
    return store


def found(store: Store, name: str) -> tuple[bool, str, str]:
    url = next(a.url for p in store.posts() for a in p.post.attachments if a.url.endswith(name))
    a = store.attachments.of([url])[url]
    return a.ok, a.kind, a.kept


def test_a_login_page_instead_of_the_file_is_a_failed_download_tried_again(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    server.routes["/list.pdf"] = Reply(
        200, LOGIN.encode(), {"content-type": "text/html; charset=utf-8"}
    )
    store = crawled(tmp_path, server, ["list.pdf"], clock)
    assert found(store, "list.pdf") == (False, "http", "")  # not "read", for good
    server.routes["/list.pdf"] = Reply(200, files.pdf(["拟表彰人员名单"]))
    clock.advance(timedelta(hours=7))
    pipeline.crawl(pipeline.load(tmp_path / "channels.yaml"), store, clock())
    assert found(store, "list.pdf")[:2] == (True, "")


def test_an_html_page_carrying_pdf_magic_is_never_kept(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    polyglot = b"<html><body><script>alert(document.cookie)</script>%PDF-1.4\n</body></html>"
    server.routes["/evil.pdf"] = Reply(200, polyglot, {"content-type": "application/pdf"})
    store = crawled(tmp_path, server, ["evil.pdf"], clock)
    assert found(store, "evil.pdf")[2] == ""
    assert not any(files_dir(pipeline.load(tmp_path / "channels.yaml")).glob("*"))


def test_robots_a_drip_and_a_body_without_length_cost_only_themselves(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /secret/\n")
    server.routes["/secret/a.pdf"] = Reply(200, files.pdf(["秘密"]))
    server.routes["/slow.pdf"] = Reply(200, files.pdf(["慢"]), drip=0.5)

    bomb = gzip.compress(b"%PDF-1.4\n" + b"\0" * 50_000_000)
    server.routes["/bomb.pdf"] = Reply(200, bomb, {"Content-Encoding": "gzip"})
    server.routes["/ok.pdf"] = Reply(200, files.pdf(["正常的附件"]))
    store = crawled(tmp_path, server, ["secret/a.pdf", "slow.pdf", "bomb.pdf", "ok.pdf"], clock)
    assert found(store, "a.pdf")[:2] == (False, "robots")
    assert found(store, "slow.pdf")[:2] == (False, "timeout")
    assert found(store, "bomb.pdf")[:2] == (False, "too-large")
    assert found(store, "ok.pdf")[:2] == (True, "")
    assert ("GET", "/secret/a.pdf") not in server.methods


def test_one_file_on_many_posts_is_downloaded_once(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    server.routes["/same.pdf"] = Reply(200, files.pdf(["同一份附件"]))
    crawled(tmp_path, server, ["same.pdf"] * 8, clock)
    assert server.methods.count(("GET", "/same.pdf")) == 1


def test_a_file_read_after_its_post_was_published_is_indexed_and_its_copy_linked_once(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    store = crawled(tmp_path, server, ["late.pdf"], clock)  # 404 at first
    config = pipeline.load(tmp_path / "channels.yaml")
    pipeline.publish(config, store, clock())
    assert search.search(config.index_dir, search.Request("补发名单")).total == 0
    server.routes["/late.pdf"] = Reply(200, files.pdf(["迟到补发名单"]))
    clock.advance(timedelta(hours=7))
    pipeline.crawl(config, store, clock())
    pipeline.publish(config, store, clock())
    (hit,) = search.search(config.index_dir, search.Request("补发名单")).hits
    assert hit.attachment == "附件：late.pdf"
    kept = found(store, "late.pdf")[2]
    copy, published = files_dir(config) / kept, config.site_dir / "f" / kept
    assert published.stat().st_ino == copy.stat().st_ino  # a link, not a second copy
    clock.advance(timedelta(hours=1))
    pipeline.publish(config, store, clock(), full=True)
    assert (config.site_dir / "f" / kept).stat().st_ino == copy.stat().st_ino


def test_the_guard_refuses_a_private_attachment_without_a_packet(
    tmp_path: Path, server: ScriptedServer, clock: Clock
) -> None:
    # a post (from wherever) whose attachment is on a private address: refused before
    # any connection, with allow_private off (the default), like every fetch of hub's
    path = write(tmp_path, server.url).path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("allow_private: true", "allow_private: false"), encoding="utf-8")
    config = pipeline.load(path)
    store = pipeline.open_store(config)
    port = server.url.rsplit(":", 1)[1]
    store.save([post_with(f"{server.url}/a.pdf", f"http://localhost:{port}/b.docx")], clock())

    async def run() -> None:
        with ThreadPoolExecutor(1) as database:
            async with Fetcher(config.fetch, "hub-test") as fetcher:
                await attaching.read_attachments(
                    config, store, clock(), fetcher=fetcher, database=database
                )

    asyncio.run(run())
    assert server.methods == []  # not a packet
    kinds = {a.url.rsplit("/", 1)[1]: (a.ok, a.kind) for a in store.attachments.failed()}
    assert kinds == {"a.pdf": (False, "refused-address"), "b.docx": (False, "refused-address")}


def post_with(*urls: str) -> Post:
    return Post(
        source_id="dept",
        key="k",
        url="https://x.gov.cn/k.html",
        title="通知",
        content_html="<p>见附件。</p>",
        text="见附件。",
        published=None,
        attachments=tuple(Attachment("附件", url) for url in urls),
    )

"""Sources from a column's address: the list, its dates, titles and paging, and the
article body found without selectors on every style of the CMS corpus (tests/cms);
the requests it sends and the rules it keeps (robots.txt, the address guard); the entry
it writes into channels.yaml; `hub sources add` and `hub sources test`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.config import Config, Fetch, add_source, loads, source_entry
from hub.demo import CountyServer
from hub.errors import FetchError, ParseError
from hub.parse.page.body import printed_date
from hub.parse.page.paging import _template, _trs
from hub.parse.page.soup import soup_of
from hub.parse.read import full_title
from hub.pipeline.detecting import detect, suggest_id, suggest_name
from hub.pipeline.trial import trial
from hub.workers import Workers
from tests.cms import NOW, ZONE, columns, review, serve
from tests.conftest import Clock, write_project
from tests.httpserver import Reply, ScriptedServer

COLUMNS = {column.style: column for column in columns()}
# what paging each style's first page leads to (`more:`), as a person reads its pager
PAGING = {
    "trs-classic": "index_{index}.html",
    "trs-gbk": "index_{index}.shtml",
    "hanweb-table": "index.html?uid=4471&pageNum={page}",
    "hanweb-jpage": "",
    "table-plain": "list.asp?classid=12&page={page}",
    "div-cards": "?page={page}",
    "split-date": "list_{page}.html",
    "xxgk-table": "index_{page}.shtml",
    "dede-list": "list_5_{page}.html",
    "pinned-sidebar": "index_{index}.shtml",
    "cut-no-title": "index_{page}.htm",
    "short-column": "",
    "date-in-link": "index_{page}.html",
}


@pytest.fixture(scope="module")
def corpus() -> Iterator[tuple[str, list[str]]]:
    with serve(list(COLUMNS.values())) as served:
        yield served


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    with Workers(preload=["hub.parse.read", "hub.parse.detect"]) as started:
        yield started


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    folder = tmp_path_factory.mktemp("detect")
    text = (
        "site: {title: 测试, base_url: 'http://127.0.0.1/'}\n"
        "fetch: {allow_private: true, delay: 0s}\n"
        "sources: [{id: a, name: 甲, feed: 'http://127.0.0.1:9/rss.xml'}]\n"
        "channels: [{slug: qita, title: 其他, fallback: true}]\n"
    )
    (folder / "channels.yaml").write_text(text, encoding="utf-8")
    return pipeline.load(folder / "channels.yaml")


def _day(moment: datetime | None) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d") if moment else "(none)"


@pytest.mark.parametrize("style", sorted(PAGING))
def test_every_style_of_the_corpus_is_read_without_selectors(
    style: str, corpus: tuple[str, list[str]], workers: Workers, config: Config
) -> None:
    base, asked = corpus
    column = COLUMNS[style]
    before = len(asked)
    found = detect(config, base + column.list_path, NOW, workers=workers)
    # a handful of requests: the list, its second page, three articles (robots.txt
    # aside, asked once per site for the whole module)
    sent = [path for path in asked[before:] if path != "/robots.txt"]
    assert len(sent) == found.requests <= 5
    assert found.found == "page" and found.source.page is not None
    # each item as a person reads it: its link, its full title, its day; nothing else
    tried = trial(config, found.source, NOW, count=len(column.items), workers=workers)
    posts = {sample.item.url: sample.post for sample in tried.samples}
    assert [item.url for item in found.items] == [base + item.path for item in column.items]
    for item, listed in zip(column.items, found.items, strict=True):
        post = posts[listed.url]
        assert post is not None, f"{item.path}: {posts}"
        assert post.title == item.title
        assert _day(listed.published) == item.day
        assert _day(post.published) == item.day  # the article page's own date
        files = [a.url.removeprefix(base) for a in post.attachments]
        assert files == column.attachments.get(item.path, [])
        # the body: the article's text, without the page around it
        assert post.text.split() == column.bodies[item.path].split()
    assert found.source.page.more == PAGING[style]
    assert len(found.samples) == 3 and all(s.post is not None for s in found.samples)


REVIEWED = {column.style: column for column in review.columns()}


@pytest.fixture(scope="module")
def reviewed() -> Iterator[tuple[str, list[str]]]:
    with serve(list(REVIEWED.values())) as served:
        yield served


@pytest.mark.parametrize(
    "style",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True, reason="a layout detection does not read yet (docs/sources.md)"
            ),
        )
        if name in review.MISSED
        else name
        for name in sorted(REVIEWED)
    ],
)
def test_the_review_corpus_is_read_without_selectors(
    style: str, reviewed: tuple[str, list[str]], workers: Workers, config: Config
) -> None:
    """The layouts a reviewer wrote to break detection: each item's link, full title and
    list date, each article's text (those on the corpus's own server)."""
    base, _ = reviewed
    column = REVIEWED[style]
    found = detect(config, base + column.list_path, NOW, workers=workers)
    tried = trial(config, found.source, NOW, count=len(column.items), workers=workers)
    posts = {sample.item.url: sample.post for sample in tried.samples}
    wanted = [item.path if "://" in item.path else base + item.path for item in column.items]
    assert [item.url for item in found.items] == wanted
    for item, listed in zip(column.items, found.items, strict=True):
        post = posts.get(listed.url)
        assert (post.title if post else listed.title) == item.title
        assert _day(listed.published) == item.day
        if item.path in column.bodies:
            assert post is not None
            assert post.text.split() == column.bodies[item.path].split()


def test_the_feed_a_page_offers_is_used(workers: Workers, config: Config) -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>县教育局</title>'
        "<item><title>开学第一课</title><link>http://x.example/a/1.html</link>"
        "<pubDate>Mon, 30 Nov 2026 08:00:00 +0800</pubDate><description>内容</description></item>"
        "</channel></rss>"
    ).encode()
    with ScriptedServer() as server:
        server.routes["/jyj/"] = Reply(
            200,
            b'<html><head><link rel="alternate" type="application/rss+xml" href="rss.xml">'
            b"<title>\xe5\xb7\xa5\xe4\xbd\x9c\xe5\x8a\xa8\xe6\x80\x81_\xe5\x8e\xbf\xe6\x95\x99\xe8\x82\xb2\xe5\xb1\x80</title></head><body></body></html>",
            {"content-type": "text/html; charset=utf-8"},
        )
        server.routes["/jyj/rss.xml"] = Reply(200, feed, {"content-type": "application/rss+xml"})
        found = detect(config, server.url + "/jyj/", NOW, workers=workers)
    assert found.found == "feed"
    assert found.source.feed == server.url + "/jyj/rss.xml" and found.source.page is None
    assert found.source.name == "县教育局" and found.source.id == "jyj"
    assert [item.title for item in found.items] == ["开学第一课"]


def test_an_address_that_is_a_feed_is_a_feed_source(workers: Workers, config: Config) -> None:
    with ScriptedServer() as server:
        server.routes["/rss.xml"] = Reply(
            200,
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Town news</title>'
            b"<item><title>Item one</title><link>http://x.example/1</link></item></channel></rss>",
            {"content-type": "application/rss+xml"},
        )
        found = detect(config, server.url + "/rss.xml", NOW, workers=workers)
    assert found.found == "feed" and found.source.name == "Town news"
    assert found.requests == 1


def test_a_page_without_a_list_says_so(workers: Workers, config: Config) -> None:
    with ScriptedServer() as server:
        server.routes["/about.html"] = Reply(
            200,
            "<html><body><h1>机构概况</h1><p>县教育局是县政府工作部门。</p></body></html>".encode(),
            {"content-type": "text/html; charset=utf-8"},
        )
        with pytest.raises(ParseError) as caught:
            detect(config, server.url + "/about.html", NOW, workers=workers)
    assert caught.value.kind == "empty" and "no list of linked, dated items" in str(caught.value)


def test_detection_keeps_robots_txt(workers: Workers, config: Config) -> None:
    column = COLUMNS["trs-classic"]
    with ScriptedServer() as server:
        server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /trs1/\n")
        for path, (body, kind) in column.files.items():
            server.routes[path] = Reply(200, body, {"content-type": kind})
        with pytest.raises(FetchError) as caught:
            detect(config, server.url + column.list_path, NOW, workers=workers)
        assert caught.value.kind == "robots"
        assert [path for path, _ in server.seen] == ["/robots.txt"]  # nothing else asked


def test_detection_refuses_private_addresses_before_any_packet(
    workers: Workers, config: Config
) -> None:
    guarded = Config(
        config.document.model_copy(update={"fetch": Fetch()}), config.path, config.lines
    )
    with ScriptedServer() as server:
        server.routes["/x/index.html"] = Reply(200, b"<html></html>")
        with pytest.raises(FetchError) as caught:
            detect(guarded, server.url + "/x/index.html", NOW, workers=workers)
        assert caught.value.kind == "refused-address"
        assert server.seen == []


def test_paging_templates_from_pager_links_and_scripts() -> None:
    assert _template("http://a/x/index.html", "http://a/x/index_1.html") == "index_{index}.html"
    assert _template("http://a/x/list.html", "http://a/x/list_2.html") == "list_{page}.html"
    assert _template("http://a/x/", "http://a/x/?page=2") == "?page={page}"
    assert _template("http://a/x/", "http://a/x/list_5_2.html") == "list_5_{page}.html"
    assert _template("http://a/c/i.html", "http://a/c/i.html?uid=7&pageNum=2") == (
        "i.html?uid=7&pageNum={page}"
    )
    assert _template("http://a/x/list.html", "http://a/y/list_2.html") == "/y/list_{page}.html"
    assert _template("http://a/x/index.html", "http://a/x/more.jsp?id=abc") is None
    assert _template("http://a/x/index.html", "http://a/x/index_7.html") is None  # not page 2
    assert _trs('createPageHTML(5, 0, "index", "html");') == ("index_{index}.html", 5)
    assert _trs("createPageHTML('page_div',4,1,'index','shtml',70);") == ("index_{index}.shtml", 4)
    script = 'var countPage = 7//共多少页\ncreatePageHTML(countPage, currentPage, "list", "htm");'
    assert _trs(script) == ("list_{index}.htm", 7)
    assert _trs("createPageHTML(a, b);") is None


def test_the_publishing_date_is_read_after_its_label() -> None:
    def printed(html: str) -> str:
        return printed_date(soup_of(html))

    assert printed("<p>成文日期：2026-11-20 发布日期：2026-11-30</p>") == "2026-11-30"
    assert printed("<p>成文日期：2026-11-20</p>") == ""  # the day it was signed: not this
    assert printed("<p>时间:2026-11-30 10:20 来源：县教育局</p>") == "2026-11-30 10:20"
    assert printed("<div>发布时间：2026年11月30日 09:30</div>") == "2026年11月30日 09:30"


def test_cut_titles_are_completed_from_the_article_page() -> None:
    assert full_title("县教育局召开会议...", "县教育局召开会议部署工作_桐溪县教育局") == (
        "县教育局召开会议部署工作"
    )
    assert full_title("县教育局召开会议…", "县教育局召开会议部署工作") == "县教育局召开会议部署工作"
    assert full_title("县教育局召开会议", "县教育局召开会议部署工作") == "县教育局召开会议"
    assert full_title("另一个标题…", "县教育局召开会议部署工作") == "另一个标题…"
    assert full_title("", "页面标题") == "页面标题"


def test_names_and_ids_suggested_from_the_page() -> None:
    assert suggest_name("工作动态_桐溪县教育局") == "桐溪县教育局"
    assert suggest_name("桐溪县民政局-通知公告") == "桐溪县民政局"
    assert suggest_name("部门动态") == "部门动态"
    assert suggest_id("http://www.tx.gov.cn/jyj/gzdt/index.html", set()) == "jyj"
    assert suggest_id("http://jyj.tx.gov.cn/index.html", {"jyj"}) == "jyj-2"
    assert suggest_id("http://www.tx.gov.cn/index.html", set()) == "tx"


def test_the_entry_is_appended_to_sources_keeping_the_file(config: Config) -> None:
    text = (
        "# our county\nsite: {title: 县, base_url: 'http://127.0.0.1/'}\n\n"
        "sources:\n    - id: a   # the first\n      name: 甲\n      feed: http://a.example/rss\n"
        "    # sources still to add\n\n"
        "channels:   # the sections\n  - {slug: qita, title: 其他, fallback: true}\n"
    )
    source = loads(
        text.replace("sources:\n", "sources:\n    - id: b\n      name: 乙\n"
                     "      page: {url: 'http://b.example/list.html', item: 'ul > li', "
                     "date: ':scope', article: '#zoom', more: 'list_{page}.html', backfill: 3}\n"),
        config.path,
    ).sources[0]  # fmt: skip
    written = add_source(text, source_entry(source, "added by hand"))
    assert written.startswith(text.split("    # sources still", maxsplit=1)[0])
    assert written.endswith("    # sources still to add\n\nchannels:   # the sections\n"
                            "  - {slug: qita, title: 其他, fallback: true}\n")  # fmt: skip
    again = loads(written, config.path)
    assert [s.id for s in again.sources] == ["a", "b"]
    assert again.sources[1] == source  # every setting as it was
    assert "    # added by hand\n    - id: b\n" in written
    # a file with no sources yet gets the key
    bare = "site: {title: 县, base_url: 'http://127.0.0.1/'}\nsources: []\nchannels: [{slug: q, title: 其他, fallback: true}]\n"
    assert [s.id for s in loads(add_source(bare, source_entry(source)), config.path).sources] == [
        "b"
    ]


def _hub(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_hub_sources_add_and_test_on_the_demo_county(tmp_path: Path, county: CountyServer) -> None:
    path = write_project(tmp_path, county)
    before = path.read_text(encoding="utf-8")
    url = county.base_url + "/tyzx/index.html"
    code, out = _hub("-c", str(path), "sources", "add", url, "--group", "部门")
    assert code == 0, out
    assert "# 县体育事业发展中心: a list page" in out and "- id: tyzx" in out
    assert "item: ul.list > li" in out and "article: .TRS_Editor" in out
    assert "more: index_{index}.html" in out and "add it with --write" in out
    assert path.read_text(encoding="utf-8") == before  # nothing written without --write
    code, out = _hub("-c", str(path), "sources", "add", url, "--group", "部门", "--write")
    assert code == 0 and "added tyzx to channels.yaml" in out
    written = pipeline.load(path)
    added = written.source("tyzx")
    assert added.group == "部门" and added.page is not None and added.page.backfill == 3
    assert len(list(tmp_path.glob("channels.yaml.*.bak"))) == 1
    code, out = _hub("-c", str(path), "sources", "test", "tyzx")
    assert code == 0, out
    assert out.count("(not read)") == 0 and "lists 20 more items" in out
    # the id is taken now
    code, out = _hub("-c", str(path), "sources", "add", url, "--id", "tyzx")
    assert code == 1
    # and a crawl reads it as the preview did
    code, out = _hub("-c", str(path), "crawl", "--source", "tyzx")
    assert code == 0, out
    store = pipeline.open_store(written)
    try:
        assert len(store.posts("tyzx")) >= 20
    finally:
        store.close()


def test_hub_sources_test_fails_as_a_crawl_would(tmp_path: Path, county: CountyServer) -> None:
    path = write_project(tmp_path, county)
    text = path.read_text(encoding="utf-8").replace("item: ul.list li", "item: ul.gone li", 1)
    path.write_text(text, encoding="utf-8")
    changed = next(s for s in pipeline.load(path).sources if s.page and s.page.item == "ul.gone li")
    result = CliRunner().invoke(main, ["-c", str(path), "sources", "test", changed.id])
    assert result.exit_code == 1
    assert "found no linked items" in result.output


def _redesign_project(tmp_path: Path, server: ScriptedServer) -> Path:
    old, new = COLUMNS["trs-classic"], COLUMNS["pinned-sidebar"]
    for path, (body, kind) in {**old.files, **new.files}.items():
        server.routes[path] = Reply(200, body, {"content-type": kind})
    (tmp_path / "channels.yaml").write_text(
        f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s}}
sources:
  # the county's development office
  - id: fgw
    name: 县发展和改革局
    group: 部门
    tags: [县直]
    page:
      url: {server.url}{old.list_path}
      item: ul.list > li
      date: span
      article: .TRS_Editor
  - {{id: other, name: 其他, feed: "{server.url}/rss.xml"}}
channels:
  - {{slug: qita, title: 其他, fallback: true}}
""",
        encoding="utf-8",
    )
    return tmp_path / "channels.yaml"


def test_a_redesigned_list_gets_proposed_selectors_an_editor_applies(
    tmp_path: Path, clock: Clock
) -> None:
    old, new = COLUMNS["trs-classic"], COLUMNS["pinned-sidebar"]
    with ScriptedServer() as server:
        path = _redesign_project(tmp_path, server)
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        assert pipeline.crawl(config, store, clock(), only=["fgw"])[0].new == len(old.items)
        # the site is redesigned: the old selectors find nothing
        server.routes[old.list_path] = server.routes[new.list_path]
        clock.advance(timedelta(hours=2))
        result = pipeline.crawl(config, store, clock(), only=["fgw"])[0]
        assert result.error_kind == "layout-changed"
        proposal = store.proposals.all()["fgw"]
        assert "item: div.lby-list > ul > li" in proposal.entry
        assert proposal.items == len(new.items)
        assert pipeline.load(path).source("fgw").page.item == "ul.list > li"  # type: ignore[union-attr]
        # looked at once a day, not at every crawl
        asked = len(server.seen)
        clock.advance(timedelta(hours=2))
        pipeline.crawl(config, store, clock(), only=["fgw"])
        assert [p for p, _ in server.seen[asked:]] == ["/robots.txt", old.list_path]
        store.close()
        code, out = _hub("-c", str(path), "status")
        assert code == 0 and "hub sources apply fgw" in out and "div.lby-list > ul > li" in out
        code, out = _hub("-c", str(path), "sources", "apply", "fgw")
        assert code == 0, out
        applied = pipeline.load(path)
        source = applied.source("fgw")
        assert source.page is not None and source.page.item == "div.lby-list > ul > li"
        assert source.tags == ("县直",) and source.group == "部门"
        assert "  # the county's development office\n  - id: fgw\n" in path.read_text(
            encoding="utf-8"
        )
        store = pipeline.open_store(applied)
        assert "fgw" not in store.proposals.all()
        clock.advance(timedelta(hours=2))
        result = pipeline.crawl(applied, store, clock(), only=["fgw"])[0]
        assert not result.error_kind and result.new == len(new.items)
        code, out = _hub("-c", str(path), "sources", "apply", "fgw")
        assert code == 2 and "no proposal" in out
        store.close()


def test_a_proposal_goes_when_the_list_reads_again(tmp_path: Path, clock: Clock) -> None:
    old, new = COLUMNS["trs-classic"], COLUMNS["pinned-sidebar"]
    with ScriptedServer() as server:
        path = _redesign_project(tmp_path, server)
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock(), only=["fgw"])
        first = server.routes[old.list_path]
        server.routes[old.list_path] = server.routes[new.list_path]
        clock.advance(timedelta(hours=2))
        pipeline.crawl(config, store, clock(), only=["fgw"])
        assert "fgw" in store.proposals.all()
        server.routes[old.list_path] = first  # the redesign rolled back
        clock.advance(timedelta(hours=2))
        assert not pipeline.crawl(config, store, clock(), only=["fgw"])[0].error_kind
        assert pipeline.redetecting.applicable(config, store.proposals.all()) == []
        # and if it fails again the same day, it is not looked at again before tomorrow
        server.routes[old.list_path] = server.routes[new.list_path]
        asked = len(server.seen)
        clock.advance(timedelta(hours=2))
        assert pipeline.crawl(config, store, clock(), only=["fgw"])[0].error_kind
        assert [p for p, _ in server.seen[asked:]] == ["/robots.txt", old.list_path]
        store.close()


def test_the_entry_goes_under_sources_in_any_block_style(config: Config) -> None:
    source = config.sources[0].model_copy(update={"id": "b", "name": "乙"})
    margin = (
        "site: {title: 县, base_url: 'http://127.0.0.1/'}\nsources:\n"
        "- id: a\n  name: 甲\n  feed: http://a.example/rss\nchannels:\n"
        "- {slug: qita, title: 其他, fallback: true}\n"
    )
    written = loads(add_source(margin, source_entry(source)), config.path)
    assert [s.id for s in written.sources] == ["a", "b"]
    flow = margin.replace(
        "sources:\n- id: a\n  name: 甲\n  feed: http://a.example/rss\n",
        "sources: [{id: a, name: 甲, feed: 'http://a.example/rss'}]\n",
    )
    with pytest.raises(ValueError, match=r"one \[\.\.\.\] list"):
        add_source(flow, source_entry(source))


def test_a_list_whose_articles_do_not_read_is_not_written_unless_forced(
    tmp_path: Path, clock: Clock
) -> None:
    column = COLUMNS["trs-classic"]
    with ScriptedServer() as server:
        path = _redesign_project(tmp_path, server)
        for article in column.bodies:
            del server.routes[article]  # the list reads; its articles are gone
        before = path.read_text(encoding="utf-8")
        url = server.url + column.list_path
        result = CliRunner().invoke(
            main, ["-c", str(path), "sources", "add", url, "--id", "x", "--write"]
        )
        assert result.exit_code == 1 and "not written" in result.output
        assert "HTTP 404" in result.output
        assert path.read_text(encoding="utf-8") == before
        forced = ["-c", str(path), "sources", "add", url, "--id", "x", "--write", "--force"]
        assert CliRunner().invoke(main, forced).exit_code == 0
        assert pipeline.load(path).source("x").page is not None


def test_hub_sources_test_follows_a_feed_the_page_announces_as_a_crawl_does(
    tmp_path: Path,
) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>一则通知</title><link>http://x.example/1</link></item></channel></rss>"
    ).encode()
    with ScriptedServer() as server:
        server.routes["/news/"] = Reply(
            200,
            b'<html><head><link rel="alternate" type="application/rss+xml" href="rss.xml">'
            b"</head><body></body></html>",
            {"content-type": "text/html"},
        )
        server.routes["/news/rss.xml"] = Reply(200, feed, {"content-type": "application/rss+xml"})
        path = _redesign_project(tmp_path, server)
        text = path.read_text(encoding="utf-8").replace(
            '{id: other, name: 其他, feed: "' + server.url + '/rss.xml"}',
            '{id: other, name: 其他, feed: "' + server.url + '/news/"}',
        )
        path.write_text(text, encoding="utf-8")
        code, out = _hub("-c", str(path), "sources", "test", "other")
    assert code == 0, out
    assert "一则通知" in out


def test_a_date_after_the_item_is_a_selector_hub_check_accepts() -> None:
    from hub.parse.selectors import check_selector  # noqa: PLC0415

    assert check_selector("+ dd") == "" and check_selector("+ td.date") == ""
    assert check_selector("+ [") != ""

"""Issue 12, one item never costs more than itself: hostile feed items and article pages
against the parse stage — nesting deep enough to stall a parser, fields of megabytes,
characters XML forbids or that spoof a title, repeated ids, JSON of the wrong types, dates
beyond what a datetime holds — and the crawl's budget of time per item."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from hub import parse
from hub.config import Page, Source
from hub.errors import ParseError
from hub.models import Fetched, ListItem, Parsed
from hub.parse import limits
from hub.parse.html import nesting
from hub.pipeline.reading import Reader
from hub.workers import Workers

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
FEED = Source(id="wlj", name="县文化和旅游局", feed="https://wlj.example.gov.cn/rss.xml")
READING = parse.Reading(FEED, ZoneInfo("Asia/Shanghai"), NOW)
GOOD = (
    '<item><title>县召开防汛工作会议</title><guid isPermaLink="false">{n}</guid>'
    "<description>会议内容</description></item>"
)


def rss(*items: str) -> Fetched:
    body = f'<rss version="2.0"><channel><title>测试</title>{"".join(items)}</channel></rss>'
    return Fetched("wlj", FEED.feed or "", 200, body.encode(), {}, NOW)


def item(title: str = "标题", body: str = "正文", guid: str = "g", extra: str = "") -> str:
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<item><title>{title}</title><guid isPermaLink="false">{guid}</guid>'
        f"<description>{escaped}</description>{extra}</item>"
    )


def nested(depth: int, tag: str = "div") -> str:
    return f"<{tag}>" * depth + "深处" + f"</{tag}>" * depth


@pytest.mark.parametrize(("depth", "tag"), [(50_000, "div"), (5_000, "span"), (2_000, "font")])
def test_an_item_nested_too_deep_is_dropped_with_a_note_and_the_others_kept(
    depth: int, tag: str
) -> None:
    parsed = parse.feed_posts(
        rss(GOOD.format(n=1), item(body=nested(depth, tag), guid="deep"), GOOD.format(n=2)),
        READING,
    )
    assert [p.key for p in parsed.posts] == ["guid:1", "guid:2"]
    (note,) = parsed.notes
    assert "dropped" in note and f"{depth:,} elements deep" in note


@pytest.mark.parametrize(
    "body",
    [
        nested(900),  # deep, but within what real pages never reach
        "<p>段落" * 3000,  # unclosed paragraphs close each other: no depth at all
        "<ul>" + "<li>一项" * 3000 + "</ul>",
        "<table>" + "<tr><td>格" * 2000 + "</table>",
        "<br>" * 5000 + "<img src='a.png'>" * 100,
    ],
    ids=["900-divs", "unclosed-p", "unclosed-li", "unclosed-td", "void"],
)
def test_real_markup_is_not_mistaken_for_deep_nesting(body: str) -> None:
    parsed = parse.feed_posts(rss(item(body=body)), READING)
    assert len(parsed.posts) == 1 and parsed.notes == ()


def test_a_list_or_article_page_nested_too_deep_is_refused_before_it_is_parsed() -> None:
    page = Source(
        id="p",
        name="p",
        page=Page(url="https://x.gov.cn/l.html", item="li", article="div.c"),
    )
    reading = parse.Reading(page, READING.zone, NOW)
    deep = Fetched("p", "https://x.gov.cn/l.html", 200, nested(20_000).encode(), {}, NOW)
    with pytest.raises(ParseError, match="20,000 elements deep"):
        parse.list_items(deep, reading)
    with pytest.raises(ParseError, match="20,000 elements deep"):
        parse.article_post(deep, ListItem("https://x.gov.cn/a.html", "标题", None), reading)


def test_every_stored_field_is_held_to_its_cap_and_the_cut_is_noted() -> None:
    huge = "标题" * 5_000_000  # a 10 MB title
    enclosures = "".join(
        f'<enclosure url="https://x.gov.cn/f{n}.pdf" type="application/pdf"/>' for n in range(300)
    )
    categories = "".join(f"<category>类别{n}{'长' * 100}</category>" for n in range(60))
    body = "<p>" + "很长的正文。" * 200_000 + "</p>"  # 1.2 million characters
    (post,), notes = _parsed(
        parse.feed_posts(
            rss(
                item(
                    title=huge,
                    body=body,
                    extra=f"<author>{'作者' * 1000}</author>{categories}{enclosures}",
                )
            ),
            READING,
        )
    )
    assert len(post.title) == limits.MAX_TITLE and post.title.endswith("…")
    assert len(post.author) == limits.MAX_AUTHOR
    assert len(post.categories) == limits.MAX_CATEGORIES
    assert all(len(c) <= limits.MAX_CATEGORY for c in post.categories)
    assert len(post.attachments) == limits.MAX_ATTACHMENTS
    assert len(post.content_html) <= limits.MAX_BODY and post.content_html.endswith("</p>")
    assert len(post.text) <= limits.MAX_BODY
    said = "\n".join(notes)
    for what in ("title cut", "author cut", "categories", "attachments", "body cut"):
        assert what in said, said


def _parsed(parsed: Parsed) -> tuple[tuple[object, ...], tuple[str, ...]]:
    return parsed.posts, parsed.notes


@pytest.mark.parametrize(
    "bad",
    ["\ufffe", "\uffff", "\x01", "\x08", "\x0b", "\x7f", "\x85", "\U0001ffff", "\ufdd0"],
)
def test_characters_xml_forbids_never_reach_a_stored_post(bad: str) -> None:
    raw = f"标{bad}题"
    for given in (raw, f"&#x{ord(bad):X};"):  # as a character, and as a reference
        posts = parse.feed_posts(
            rss(item(title=f"标{given}题", body=f"<p>正{given}文</p>")), READING
        ).posts
        for post in posts:
            for text in (post.title, post.text, post.content_html):
                ET.fromstring(f"<t>{text.replace('&', '&amp;').replace('<', '&lt;')}</t>")  # noqa: S314
                assert bad not in text


@pytest.mark.parametrize(
    "hidden",
    ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\u200e", "\u2060", "\ufeff"],
)
def test_titles_lose_what_would_make_them_read_as_something_else(hidden: str) -> None:
    (post,) = parse.feed_posts(rss(item(title=f"关于{hidden}停水的通知")), READING).posts
    assert post.title == "关于停水的通知"


def test_a_repeated_guid_keeps_the_first_and_says_so() -> None:
    parsed = parse.feed_posts(
        rss(item(title="第一次", guid="same"), item(title="第二次", guid="same")), READING
    )
    assert [p.title for p in parsed.posts] == ["第一次"]
    (note,) = parsed.notes
    assert "第二次" in note and "same id" in note


def json_feed(*items: dict[str, object]) -> Fetched:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": list(items)}
    body = json.dumps(document, ensure_ascii=False).encode()
    return Fetched("wlj", "https://x.gov.cn/feed.json", 200, body, {}, NOW)


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ({"id": "1", "url": {"href": "https://x.gov.cn/a"}, "content_text": "正文"}, "url"),
        ({"id": {"nested": 1}, "url": "https://x.gov.cn/a", "content_text": "正文"}, "id"),
        ({"id": "1", "title": ["列表"], "content_text": "正文"}, "title"),
        ({"id": "1", "content_html": 42.5, "content_text": "正文"}, None),  # a number: as written
    ],
)
def test_json_feed_values_of_the_wrong_type_are_left_out_and_noted(
    item: dict[str, object], key: str | None
) -> None:
    parsed = parse.feed_posts(json_feed(item), READING)
    (post,) = parsed.posts
    assert "{" not in post.url and "[" not in post.title and "{" not in post.key
    if key:
        assert any(f"its {key} is not a string" in n for n in parsed.notes), parsed.notes


@pytest.mark.parametrize(
    "date",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "Fri, 31 Dec 9999 23:59:59 -1400",
        "Mon, 01 Jan 0001 00:00:00 +1400",
    ],
)
def test_a_date_out_of_range_is_no_date_and_the_item_is_kept(date: str) -> None:
    parsed = parse.feed_posts(
        rss(
            item(guid="bad", extra=f"<pubDate>{date}</pubDate>"),
            item(guid="ok", extra="<pubDate>Sun, 14 Jun 2026 02:30:00 GMT</pubDate>"),
        ),
        READING,
    )
    assert [p.published for p in parsed.posts] == [None, datetime(2026, 6, 14, 2, 30, tzinfo=UTC)]


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31T23:59:59-14:00"])
def test_an_article_pages_pubdate_out_of_range_falls_back_to_the_list_date(date: str) -> None:
    page = Source(
        id="p", name="p", page=Page(url="https://x.gov.cn/l.html", item="li", article="div.c")
    )
    html = (
        f'<html><head><meta name="PubDate" content="{date}"></head>'
        '<body><div class="c"><p>正文内容</p></div></body></html>'
    )
    listed = datetime(2026, 6, 14, 16, tzinfo=UTC)
    (post,) = parse.article_post(
        Fetched("p", "https://x.gov.cn/a.html", 200, html.encode(), {}, NOW),
        ListItem("https://x.gov.cn/a.html", "标题", listed),
        parse.Reading(page, READING.zone, NOW),
    ).posts
    assert post.published == listed


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    with Workers(size=2, preload=["hub.parse.read"]) as running:
        running.start()
        yield running


def test_an_entry_over_its_budget_of_time_is_dropped_and_its_neighbours_kept(
    workers: Workers,
) -> None:
    # Within the nesting cap but slow to clean: with a budget far below what it needs,
    # the entry is dropped with a note and the feed's other entries are stored.
    slow = item(title="很慢的条目", body=nested(990) * 300, guid="slow")  # ~5 s of cleaning
    reader = Reader(workers, item_limit=1.0)
    parsed = asyncio.run(reader.feed(rss(GOOD.format(n=1), slow, GOOD.format(n=2)), READING))
    assert [p.key for p in parsed.posts] == ["guid:1", "guid:2"]
    (note,) = parsed.notes
    assert "很慢的条目" in note and "took more than 1s" in note
    # and the workers are whole again for the next feed
    again = asyncio.run(Reader(workers).feed(rss(GOOD.format(n=3)), READING))
    assert [p.key for p in again.posts] == ["guid:3"]


TITLES = [
    "县人民政府办公室关于进一步加强防汛抗旱工作的紧急通知",
    "关于开展2026年度安全生产大检查的通知",
    "白沙镇召开防汛工作部署会",
    "县卫健局开展义诊活动",
]
HEADERS = [
    {},
    {"content-type": "text/html; charset=utf-8"},
    {"content-type": "text/html; charset=gbk"},
]


def listing(codec: str, title: str, meta: bool) -> bytes:
    """A list page whose CMS cut each title to a number of bytes, in the middle of a
    character, as CMSs do."""
    cut = title.encode(codec)[:-1]
    rows = b"".join(
        b'<li><a href="/a%d.html">' % n + cut + b"</a><span>2026-06-14</span></li>"
        for n in range(3)
    )
    head = f'<head><meta charset="{codec}"></head>'.encode() if meta else b""
    return b"<html>" + head + b"<body><ul>" + rows + b"</ul></body></html>"


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("headers", HEADERS, ids=["undeclared", "header-lies", "header-gbk"])
@pytest.mark.parametrize("meta", [False, True], ids=["no-meta", "meta"])
def test_a_title_cut_inside_a_character_does_not_turn_the_page_thai(
    title: str, headers: dict[str, str], meta: bool
) -> None:
    text = parse.decode(listing("gbk", title, meta), headers)
    assert title[:-1] in text  # all but the cut character; once read as cp874 (Thai)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
@pytest.mark.parametrize(
    ("titles", "stray"),
    [
        (TITLES[1:2], b"\x80"),  # once read as Thai (ISO 8859-11)
        (TITLES[1:2], b"\xa0"),  # once read as Thai (cp874)
        (TITLES, b"\xff\xfe"),
    ],
)
def test_a_gbk_feed_with_a_few_bad_bytes_stays_chinese(
    declared: bool, titles: list[str], stray: bytes
) -> None:
    encoding = ' encoding="gbk"' if declared else ""
    items = b"".join(
        b"<item><title>"
        + t.encode("gbk")
        + b"</title><guid>%d</guid>" % n
        + b"<description>"
        + t.encode("gbk")
        + stray
        + b"</description></item>"
        for n, t in enumerate(titles)
    )
    head = f'<?xml version="1.0"{encoding}?><rss version="2.0"><channel><title>测试</title>'
    document = head.encode("gbk") + items + b"</channel></rss>"
    fetched = Fetched("wlj", "https://x.gov.cn/f", 200, document, {}, NOW)
    posts = parse.feed_posts(fetched, READING).posts
    assert sorted(p.title for p in posts) == sorted(titles)


def test_a_utf8_page_cut_inside_a_character_stays_utf8() -> None:
    assert TITLES[0][:-1] in parse.decode(listing("utf-8", TITLES[0], meta=False), {})


@pytest.mark.parametrize(
    ("markup", "depth"),
    [
        ("<div/>" * 20_000, 20_000),  # HTML reads <div/> as an open div: so must the guard
        ("<a " * 20_000, 0),  # 20,000 tags never closed: one linear pass, not a rescan each
        ("<a " * 20_000 + ">", 1),
        ('<img src="a>b">' * 10, 0),
        ("<DIV><Span>x</SPAN></div>", 2),
    ],
    ids=["self-closed-divs", "unclosed-starts", "one-tag", "quoted-gt", "case"],
)
def test_the_nesting_guard_reads_markup_as_a_parser_would(markup: str, depth: int) -> None:
    assert nesting(markup) == depth


def test_a_sources_entries_share_one_budget(workers: Workers) -> None:
    """Entries each under their own budget can still add up: what is not begun when the
    source's budget is spent is left for the next crawl, with one note."""
    items = [GOOD.format(n=n) for n in range(120)]  # three batches
    parsed = asyncio.run(Reader(workers, source_limit=0.0).feed(rss(*items), READING))
    assert parsed.posts == () and parsed.dropped == 120
    assert any("120 entries not read" in note for note in parsed.notes), parsed.notes


def test_an_entry_the_parse_stage_fails_on_costs_only_itself(workers: Workers) -> None:
    enclosure = '<enclosure url="http://[::1/x.pdf" type="application/pdf"/>'
    parsed = asyncio.run(
        Reader(workers).feed(
            rss(GOOD.format(n=1), item(title="坏附件", guid="bad", extra=enclosure)), READING
        )
    )
    assert {p.key for p in parsed.posts} == {"guid:1", "guid:bad"}  # the address is skipped
    assert parsed.dropped == 0


def test_a_small_undeclared_gbk_page_is_not_read_as_utf8() -> None:
    # few enough bytes that UTF-8 reads all but four of them: GB18030 reads them as text
    page = b"<html><body><a href=/x>" + "通知公告".encode("gbk")[:-1] + b"</a></body></html>"
    assert "通知公" in parse.decode(page, {})

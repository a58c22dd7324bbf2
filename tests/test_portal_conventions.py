"""What a Chinese government portal carries on its pages (issue 16): the breadcrumb
(当前位置) below the home page, numbered pagination that works without JavaScript, and
a footer the county words itself, with the 党政机关 mark, the 我为政府网站找错 entry
and the 公网安备 record linked."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from hub import config, site
from hub.errors import ConfigError
from hub.models import StoredPost
from tests.conftest import Crawled
from tests.test_portal import T0, YAML, posts, read, route


def crumbs(cfg: config.Config, path: str) -> list[tuple[str, str | None]]:
    """The breadcrumb of a built page: (label, link or None for the current page)."""
    page = BeautifulSoup(read(cfg, path), "html.parser")
    trail = page.find("nav", class_="crumbs")
    if trail is None:
        return []
    assert isinstance(trail, Tag)
    assert trail.get("aria-label") == "当前位置" and "当前位置：" in trail.get_text()
    found: list[tuple[str, str | None]] = []
    for item in trail.find_all("li"):
        link = item.find("a")
        if isinstance(link, Tag):
            found.append((link.get_text(), str(link["href"])))
        else:
            current = item.find(attrs={"aria-current": "page"})
            assert current is not None, item
            found.append((item.get_text(), None))
    return found


def built_site(folder: Path, yaml: str = YAML, count: int = 5) -> config.Config:
    (folder / "channels.yaml").write_text(yaml, encoding="utf-8")
    cfg = config.load(folder / "channels.yaml")
    site.build(site.Edition(cfg, route(cfg, posts(count)), {}, T0, extra={}))
    return cfg


def test_every_page_below_home_says_where_it_is(tmp_path: Path) -> None:
    cfg = built_site(tmp_path)
    assert crumbs(cfg, "index.html") == []
    assert crumbs(cfg, "c/zhenjie/index.html") == [("首页", "/"), ("镇街动态", None)]
    assert crumbs(cfg, "c/zhenjie/2/index.html") == [
        ("首页", "/"),
        ("镇街动态", "/c/zhenjie/"),
        ("第2页", None),
    ]
    post = next((cfg.site_dir / "p").rglob("*.html")).relative_to(cfg.site_dir).as_posix()
    trail = crumbs(cfg, post)
    assert trail[0] == ("首页", "/") and trail[-1] == ("正文", None)
    assert trail[1][1] is not None and trail[1][1].startswith("/c/")
    assert crumbs(cfg, "s/banquan/index.html") == [
        ("首页", "/"),
        ("信息来源单位", "/sources/"),
        ("板泉镇人民政府", None),
    ]
    assert crumbs(cfg, "sources/index.html") == [("首页", "/"), ("信息来源单位", None)]
    assert crumbs(cfg, "map/index.html") == [("首页", "/"), ("网站地图", None)]
    assert crumbs(cfg, "404.html") == [("首页", "/"), ("页面未找到", None)]


def pager(cfg: config.Config, path: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """A list page's pager: its items (text, link or None where it cannot be followed),
    and the page numbers its jump list offers."""
    page = BeautifulSoup(read(cfg, path), "html.parser")
    nav = page.find("nav", class_="pager")
    assert isinstance(nav, Tag)
    row = nav.find("ul")
    assert isinstance(row, Tag)
    items: list[tuple[str, str | None]] = []
    for item in row.find_all("li", recursive=False):
        link = item.find("a")
        text = item.get_text()
        if isinstance(link, Tag):
            text += "*" if link.get("aria-current") == "page" else ""
            items.append((text, str(link["href"])))
        else:
            items.append((text, None))
    jump = nav.find("details", class_="jump")
    numbers = [a.get_text() for a in jump.find_all("a")] if isinstance(jump, Tag) else []
    return items, numbers


def test_lists_are_paged_by_number_without_javascript(tmp_path: Path) -> None:
    # 30 posts at two a page: 15 of the town (eight pages of 镇街动态), 6 of tourism
    cfg = built_site(tmp_path, count=30)
    items, jumps = pager(cfg, "c/zhenjie/index.html")
    assert items == [
        ("首页", None),
        ("上一页", None),
        ("1*", "/c/zhenjie/"),
        ("2", "/c/zhenjie/2/"),
        ("3", "/c/zhenjie/3/"),
        ("4", "/c/zhenjie/4/"),
        ("5", "/c/zhenjie/5/"),
        ("下一页", "/c/zhenjie/2/"),
        ("尾页", "/c/zhenjie/8/"),
    ]
    assert jumps == [str(n) for n in range(1, 9)]  # the jump list: every page
    items, _ = pager(cfg, "c/zhenjie/4/index.html")
    assert [text for text, _ in items[2:-2]] == ["2", "3", "4*", "5", "6"]
    assert items[:2] == [("首页", "/c/zhenjie/"), ("上一页", "/c/zhenjie/3/")]
    items, _ = pager(cfg, "c/zhenjie/8/index.html")
    assert [text for text, _ in items[2:-2]] == ["4", "5", "6", "7", "8*"]
    assert items[-2:] == [("下一页", None), ("尾页", None)]
    for page in range(1, 9):  # every link of every pager leads to a page that was built
        items, _ = pager(
            cfg, f"c/zhenjie/{page}/index.html" if page > 1 else "c/zhenjie/index.html"
        )
        for text, link in items:
            if link is not None:
                assert (cfg.site_dir / link.lstrip("/") / "index.html").is_file(), text
    # a list of five pages or fewer: every page numbered, no jump list
    (tmp_path / "small").mkdir()
    small = built_site(tmp_path / "small", count=8)  # four town posts: two pages
    items, jumps = pager(small, "c/zhenjie/index.html")
    assert [text for text, _ in items[2:-2]] == ["1*", "2"] and jumps == []


FOOTER = """\
  footer:
    - 本网站由示例县融媒体中心承办。
    - 未经授权，不得转载。
  party_mark: {link: "https://bszs.conac.cn/sitename?method=show&id=1", image: static/marks/dzjg.png}
  error_report: {link: "https://zfwzzc.www.gov.cn/", text: 政府网站找错}
"""


def with_site(extra: str) -> str:
    return YAML.replace("sources:\n", extra + "sources:\n", 1)


def test_the_footer_is_the_countys_own(tmp_path: Path) -> None:
    marks = tmp_path / "templates" / "static" / "marks"
    marks.mkdir(parents=True)
    (marks / "dzjg.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    cfg = built_site(tmp_path, with_site(FOOTER))
    footer = BeautifulSoup(read(cfg, "c/yiyou/index.html"), "html.parser").find("footer")
    assert isinstance(footer, Tag)
    lines = [p.get_text() for p in footer.find_all("p")]
    assert "本网站由示例县融媒体中心承办。" in lines and "未经授权，不得转载。" in lines
    assert not any("原文版权归发布单位所有" in line for line in lines)  # the default, replaced
    party, errors = footer.find_all("a", class_="mark")
    assert party["href"] == "https://bszs.conac.cn/sitename?method=show&id=1"
    image = party.find("img")
    assert image["alt"] == "党政机关" and str(image["src"]).startswith("/static/marks/dzjg.png?v=")
    assert (cfg.site_dir / "static" / "marks" / "dzjg.png").is_file()  # shipped with the site
    assert errors["href"] == "https://zfwzzc.www.gov.cn/" and errors.get_text() == "政府网站找错"
    record = footer.find("a", string="示公网安备 12345678901234号")
    assert isinstance(record, Tag)
    assert record["href"] == "https://beian.mps.gov.cn/#/query/webSearch?code=12345678901234"


def test_the_default_footer_and_no_marks(tmp_path: Path) -> None:
    cfg = built_site(tmp_path)
    footer = BeautifulSoup(read(cfg, "index.html"), "html.parser").find("footer")
    assert isinstance(footer, Tag)
    assert "原文版权归发布单位所有" in footer.get_text()
    assert footer.find(class_="mark") is None
    (tmp_path / "quiet").mkdir()
    quiet = built_site(tmp_path / "quiet", with_site("  footer: []\n"))
    footer = BeautifulSoup(read(quiet, "index.html"), "html.parser").find("footer")
    assert isinstance(footer, Tag) and "原文版权" not in footer.get_text()


@pytest.mark.parametrize(
    ("image", "said"),
    [
        ("static/marks/dzjg.png", "channels.yaml:11: site.party_mark.image: no such image"),
        ("../secret.png", "an image under static/"),
        ("static/../../x.png", "an image under static/"),
        ("static/mark.exe", "an image under static/"),
        ("static//mark.png", "an image under static/"),
        ("static/.hidden.png", "an image under static/"),
    ],
)
def test_a_missing_or_strange_mark_image_stops_at_its_line(
    tmp_path: Path, image: str, said: str
) -> None:
    (tmp_path / "channels.yaml").write_text(
        with_site(f'  party_mark: {{link: "https://bszs.conac.cn/", image: "{image}"}}\n'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        config.load(tmp_path / "channels.yaml")
    assert said in str(raised.value)


def test_a_post_dated_by_its_day_shows_no_invented_time(tmp_path: Path) -> None:
    cfg = built_site(tmp_path)
    zone = cfg.site.zone
    stored = posts(2)
    midnight = datetime(2026, 6, 14, tzinfo=zone)  # a list page's 2026-06-14: no time given
    day_only = replace(stored[0].post, published=midnight.astimezone(UTC))
    stored[0] = StoredPost(day_only, T0, day_only.published or T0)
    site.build(site.Edition(cfg, route(cfg, stored), {}, T0, extra={}))
    pages = {
        post.post.id: read(cfg, site.post_path(post.post.id, post.filed, zone)) for post in stored
    }
    day = BeautifulSoup(pages[stored[0].post.id], "html.parser")
    shown = day.find("time")
    assert isinstance(shown, Tag)
    assert shown.get_text() == "2026年06月14日" and shown["datetime"] == "2026-06-14"
    assert day.find("meta", attrs={"name": "PubDate"})["content"] == "2026-06-14"  # type: ignore[index]
    timed = BeautifulSoup(pages[stored[1].post.id], "html.parser")
    shown = timed.find("time")
    assert isinstance(shown, Tag)
    assert shown.get_text() == "2026年06月15日 08:00"  # 00:00 UTC: 08:00 in Shanghai
    assert shown["datetime"] == "2026-06-15T08:00:00+08:00"


def test_the_demo_countys_list_pages_give_days_and_its_feeds_times(crawled: Crawled) -> None:
    """Crawled: TRS and Hanweb list pages print a day (`2026-06-14`), feeds a moment."""
    shown = Counter()
    for page in (crawled.config.site_dir / "p").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        published = re.search(r"发布时间：<time datetime=\"([^\"]+)\">([^<]+)</time>", text)
        assert published, page
        moment, words = published.groups()
        if "T" in moment:
            assert re.fullmatch(r"\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}", words)
            shown["time"] += 1
        else:
            assert re.fullmatch(r"\d{4}年\d{2}月\d{2}日", words), words
            shown["day"] += 1
    assert shown["day"] > 100 and shown["time"] > 100, shown


def home(cfg: config.Config) -> BeautifulSoup:
    return BeautifulSoup(read(cfg, "index.html"), "html.parser")


def leads(page: BeautifulSoup) -> dict[str, str]:
    """The post leading each section's box, by the box's heading."""
    found = {}
    for box in page.select(".board .section"):
        lead = box.select_one(".lead-story h3 a")
        found[box.select_one("h2").get_text()] = lead.get_text() if lead else ""  # type: ignore[union-attr]
    return found


def test_the_home_page_has_a_lead_story_notices_and_no_post_leading_two_boxes(
    tmp_path: Path,
) -> None:
    cfg = built_site(tmp_path)
    page = home(cfg)
    assert page.select_one(".headline") is None and page.select_one(".notices") is None
    boxes = leads(page)
    assert len(set(boxes.values())) == len(boxes)  # the town's festival leads one box
    assert boxes["镇街动态"] == "板泉镇乡村旅游节开幕" and boxes["宜游"] != boxes["镇街动态"]
    (tmp_path / "led").mkdir()
    cfg = built_site(
        tmp_path / "led", with_site("  lead_sections: [yiyou]\n  notices: zhenjie\n"), count=5
    )
    page = home(cfg)
    headline = page.select_one(".headline h2 a")
    assert headline is not None and headline.get_text() == "板泉镇乡村旅游节开幕"  # the newest
    notices = page.select_one(".notices")
    assert notices is not None and notices.select_one("h2").get_text() == "镇街动态"  # type: ignore[union-attr]
    assert [a.get_text() for a in notices.select("li a")] == [
        "板泉镇乡村旅游节开幕",
        "板泉镇召开例会",
        "板泉镇开展防汛演练",
    ]
    boxes = leads(page)
    assert "镇街动态" not in boxes  # the notices are not a box too
    assert "板泉镇乡村旅游节开幕" not in boxes.values()  # the 头条 leads no box
    assert boxes["宜游"] == "县文旅局发布暑期旅游线路"


def test_the_editors_lead_story_comes_before_the_leading_sections(tmp_path: Path) -> None:
    (tmp_path / "channels.yaml").write_text(with_site("  lead_sections: [yiyou]\n"), "utf-8")
    cfg = config.load(tmp_path / "channels.yaml")
    routed = route(cfg, posts(5))
    chosen = next(r for r in routed if r.post.post.title == "县文旅局召开安全会议")
    site.build(site.Edition(cfg, routed, {}, T0, extra={}, lead=chosen.post.post.id))
    headline = home(cfg).select_one(".headline h2 a")
    assert headline is not None and headline.get_text() == "县文旅局召开安全会议"


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("  lead_sections: [yiyou, nosuch]\n", "channels.yaml:11: site.lead_sections[1]: unknown"),
        ("  notices: tongzhi\n", "channels.yaml:11: site.notices: unknown channel 'tongzhi'"),
    ],
)
def test_the_home_pages_sections_must_exist(tmp_path: Path, setting: str, said: str) -> None:
    (tmp_path / "channels.yaml").write_text(with_site(setting), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(tmp_path / "channels.yaml")
    assert said in str(raised.value)

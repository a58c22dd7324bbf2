"""The portal build with real Jinja2 templates into a real folder: pages, feeds, escaping,
overrides and the atomic switch."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from hub import config, generations, site
from hub.config import Override
from hub.errors import BuildError
from hub.models import Post, Routed, SourceState, StoredPost
from hub.route import Router

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
YAML = """\
site:
  title: 示例县政务信息聚合平台
  base_url: https://portal.example.gov.cn/
  per_page: 2
sources:
  - {id: banquan, name: 板泉镇人民政府, group: 镇街, feed: "https://x.gov.cn/rss.xml"}
  - {id: wlj, name: 县文化和旅游局, group: 部门, feed: "https://y.gov.cn/rss.xml"}
channels:
  - {slug: zhenjie, title: 镇街动态, include: [{group: 镇街}]}
  - {slug: yiyou, title: 宜游, include: [{keywords: [旅游]}]}
  - {slug: qita, title: 其他, fallback: true}
"""


def make_config(folder: Path) -> config.Config:
    (folder / "channels.yaml").write_text(YAML, encoding="utf-8")
    return config.load(folder / "channels.yaml")


def routed_posts(cfg: config.Config, count: int = 5) -> list[Routed]:
    posts = []
    for n in range(count):
        source = "banquan" if n % 2 == 0 else "wlj"
        title = "<script>alert(1)</script>乡村旅游节" if n == 0 else f"第{n}条信息"
        post = Post(
            source_id=source,
            key=f"k{n}",
            url=f"https://x.gov.cn/{n}.html",
            title=title,
            content_html=f"<p>正文{n}</p>",
            text=f"正文{n}",
            published=T0 - timedelta(hours=n),
        )
        posts.append(StoredPost(post, T0, post.published or T0))
    return Router(cfg.channels, cfg.sources, cfg.site.zone, cfg.overrides).route_all(posts, T0)


@pytest.fixture
def built(tmp_path: Path) -> tuple[config.Config, list[Routed], site.BuildResult]:
    cfg = make_config(tmp_path)
    routed = routed_posts(cfg)
    states = {"banquan": SourceState("banquan", last_fetch_at=T0, last_ok_at=T0)}
    return cfg, routed, site.build(site.Edition(cfg, routed, states, T0))


def read(cfg: config.Config, path: str) -> str:
    return (cfg.site_dir / path).read_text(encoding="utf-8")


def test_every_page_of_the_portal_is_written(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, result = built
    first = routed[0].post
    expected = [
        "index.html",
        "c/zhenjie/index.html",
        "c/zhenjie/2/index.html",
        "c/yiyou/index.html",
        "c/qita/index.html",
        "c/qita/feed.xml",
        "feed.xml",
        f"p/2026/06/{first.post.id}.html",
        "s/banquan/index.html",
        "s/banquan/2/index.html",
        "s/wlj/index.html",
        "sources/index.html",
        "search/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "static/style.css",
    ]
    for path in expected:
        assert (cfg.site_dir / path).is_file(), path
    assert not (cfg.site_dir / "c/zhenjie/3").exists()  # 3 town posts, 2 per page
    assert cfg.site_dir.is_symlink() and result.folder == cfg.site_dir.resolve()


def test_home_links_every_section(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, _, _ = built
    home = read(cfg, "index.html")
    for channel in cfg.channels:
        assert f'href="/c/{channel.slug}/"' in home
    assert '<html lang="zh-CN">' in home and 'href="#main"' in home


def test_third_party_text_is_escaped_everywhere(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, _ = built
    post_page = read(cfg, f"p/2026/06/{routed[0].post.post.id}.html")
    for text in (post_page, read(cfg, "index.html"), read(cfg, "feed.xml")):
        assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;乡村旅游节" in post_page


def test_post_page_names_its_department_date_and_original(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, _ = built
    page = read(cfg, f"p/2026/06/{routed[1].post.post.id}.html")
    assert '<a href="/s/wlj/">县文化和旅游局</a>' in page
    assert '<time datetime="2026-06-15T08:00:00+08:00">2026年06月15日 08:00</time>' in page
    assert 'href="https://x.gov.cn/1.html"' in page
    assert "<p>正文1</p>" in page  # sanitized HTML is kept as HTML


def test_feeds_parse_cleanly(built: tuple[config.Config, list[Routed], site.BuildResult]) -> None:
    cfg, routed, _ = built
    feed = feedparser.parse(read(cfg, "c/zhenjie/feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "示例县政务信息聚合平台 · 镇街动态"
    assert len(feed.entries) == 3
    assert feed.entries[0].link.startswith("https://portal.example.gov.cn/p/2026/06/")
    everything = feedparser.parse(read(cfg, "feed.xml"))
    assert not everything.bozo and len(everything.entries) == len(routed)


def test_sitemap_lists_every_post(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, _ = built
    root = ET.fromstring(read(cfg, "sitemap.xml"))  # noqa: S314 (our own output)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = {loc.text for loc in root.iter(f"{namespace}loc")}
    for item in routed:
        assert f"https://portal.example.gov.cn/p/2026/06/{item.post.post.id}.html" in locations


def test_a_failing_build_leaves_the_previous_site_serving(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, first = built
    (cfg.templates_dir).mkdir()
    (cfg.templates_dir / "post.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"post\.html"):
        site.build(site.Edition(cfg, routed, {}, T0 + timedelta(hours=1)))
    assert cfg.site_dir.resolve() == first.folder
    assert (cfg.site_dir / "index.html").is_file()
    assert sorted(p.name for p in (cfg.data_dir / "builds").iterdir()) == [first.folder.name]


def test_site_templates_override_the_theme_one_by_one(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    cfg.templates_dir.mkdir()
    (cfg.templates_dir / "404.html").write_text("本站自定义：{{ site.title }}", encoding="utf-8")
    site.build(site.Edition(cfg, routed_posts(cfg), {}, T0))
    assert read(cfg, "404.html") == "本站自定义：示例县政务信息聚合平台"
    assert "镇街动态" in read(cfg, "index.html")  # the rest still comes from the theme


def test_old_builds_are_pruned(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    routed = routed_posts(cfg)
    folders = [
        site.build(site.Edition(cfg, routed, {}, T0 + timedelta(minutes=n))).folder
        for n in range(3)
    ]
    assert sorted((cfg.data_dir / "builds").iterdir()) == sorted(folders[1:])
    assert cfg.site_dir.resolve() == folders[-1]
    # the oldest was moved aside at once, and is deleted by a thread the publish does not
    # wait for
    generations.settle()
    assert not folders[0].exists()
    assert sorted(p.name for p in cfg.data_dir.iterdir() if "builds" in p.name) == ["builds"]


def test_a_data_folder_behind_a_symlink_keeps_the_build_before_the_live_one(
    tmp_path: Path,
) -> None:
    """Readers may still be in the build before the live one: a data folder reached
    through a symlink (another disk) must not make it look like an old one."""
    (tmp_path / "disk").mkdir()
    (tmp_path / "data").symlink_to(tmp_path / "disk", target_is_directory=True)
    cfg = make_config(tmp_path)
    routed = routed_posts(cfg)
    folders = [
        site.build(site.Edition(cfg, routed, {}, T0 + timedelta(minutes=n))).folder
        for n in range(2)
    ]
    generations.settle()
    assert all(folder.is_dir() for folder in folders)
    assert len(list((cfg.data_dir / "builds").iterdir())) == 2


def test_what_an_earlier_process_left_to_delete_is_deleted_by_the_next_publish(
    tmp_path: Path,
) -> None:
    """A process that published may end before its thread deleted the build before last
    (a million files take minutes); the next publish goes on with it from its start,
    even when that publish fails."""
    cfg = make_config(tmp_path)
    left = cfg.data_dir / ".builds-trash" / "20260101T000000-abcdef"
    (left / "a" / "b").mkdir(parents=True)
    for n in range(50):
        (left / "a" / "b" / f"{n}.html").write_text("旧", encoding="utf-8")
    cfg.templates_dir.mkdir()
    (cfg.templates_dir / "post.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"post\.html"):
        site.build(site.Edition(cfg, routed_posts(cfg), {}, T0))
    generations.settle()
    assert not left.exists()
    assert sorted(p.name for p in cfg.data_dir.iterdir() if "builds" in p.name) == ["builds"]


def test_navigation_marks_the_current_section_only(
    built: tuple[config.Config, list[Routed], site.BuildResult],
) -> None:
    cfg, routed, _ = built
    current = 'aria-current="page"'

    def navigation(path: str) -> str:  # (the breadcrumb marks the page too, below it)
        page = read(cfg, path)
        return page[page.index('<nav class="sections"') : page.index("</nav>")]

    assert navigation("index.html").count(current) == 1
    assert f'<a href="/"{" " + current}>首页</a>' in navigation("index.html")
    section = navigation("c/yiyou/index.html")
    assert section.count(current) == 1 and f'<a href="/c/yiyou/" {current}>' in section
    assert current not in navigation("sources/index.html")
    assert current not in navigation(f"p/2026/06/{routed[0].post.post.id}.html")


def test_static_urls_change_with_their_content(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    site.build(site.Edition(cfg, routed_posts(cfg), {}, T0))
    theme_link = re.search(r'href="(/static/style\.css\?v=\w+)"', read(cfg, "index.html"))
    assert theme_link
    (cfg.templates_dir / "static").mkdir(parents=True)
    (cfg.templates_dir / "static" / "style.css").write_text("body{}", encoding="utf-8")
    site.build(site.Edition(cfg, routed_posts(cfg), {}, T0))
    assert theme_link.group(1) not in read(cfg, "index.html")
    assert read(cfg, "static/style.css") == "body{}"


def test_pinned_posts_lead_their_channel(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    posts = [r.post for r in routed_posts(cfg)]
    oldest = posts[-1]  # a town's post from hours ago, pinned in 镇街动态
    pin = Override(post=oldest.post.id, pin=("zhenjie",))
    routed = Router(cfg.channels, cfg.sources, cfg.site.zone, (pin,)).route_all(posts, T0)
    site.build(site.Edition(cfg, routed, {}, T0))
    page = read(cfg, "c/zhenjie/index.html")
    first = page.index("<li>", page.index('<ol class="posts">'))
    assert first < page.index(oldest.post.id) < page.index("</li>", first)  # the first item
    assert '<span class="pin">置顶</span>' in page
    assert '<span class="pin">' not in read(cfg, "c/qita/index.html")


def test_a_long_list_keeps_its_newest_pages_and_lists_the_rest_by_month(tmp_path: Path) -> None:
    """Past `site.list_pages`, a section's and a department's posts are listed by month:
    a new post rewrites the list's pages and its month's, not the months before."""
    (tmp_path / "channels.yaml").write_text(
        YAML.replace("per_page: 2", "per_page: 2\n  list_pages: 2"), encoding="utf-8"
    )
    cfg = config.load(tmp_path / "channels.yaml")
    router = Router(cfg.channels, cfg.sources, cfg.site.zone, cfg.overrides)

    def post(n: int, day: datetime) -> StoredPost:
        made = Post(
            source_id="banquan",
            key=f"k{n}",
            url=f"https://x.gov.cn/{n}.html",
            title=f"第{n}条",
            content_html=f"<p>正文{n}</p>",
            text=f"正文{n}",
            published=day,
        )
        return StoredPost(made, day, day)

    # ten posts, one every ten days back from 15 June: June, May and April
    stored = [post(n, T0 - timedelta(days=10 * n)) for n in range(10)]
    first = site.build(site.Edition(cfg, router.route_all(stored, T0), {}, T0))
    assert first.written == first.pages - len(list(site.theme_dir().glob("static/*")))
    last = read(cfg, "c/zhenjie/2/index.html")
    assert "第3条" in last and "第4条" not in last
    assert not (cfg.site_dir / "c/zhenjie/3/index.html").exists()  # at most two pages
    for month, found in (("2026-04", "第6条"), ("2026-05", "第4条")):
        assert f'href="/c/zhenjie/{month}/"' in last
        assert found in read(cfg, f"c/zhenjie/{month}/index.html")
    assert "第9条" in read(cfg, "c/zhenjie/2026-03/index.html")
    assert "第4条" in read(cfg, "s/banquan/2026-05/index.html")  # a department alike
    assert 'href="/c/zhenjie/2026-04/"' not in read(cfg, "c/zhenjie/index.html")

    newer = [post(10, T0 + timedelta(hours=1)), *stored]
    second = site.build(site.Edition(cfg, router.route_all(newer, T0), {}, T0))
    # the two list pages of the section and of the department, the month the oldest of
    # them fell into, the home page, the feeds, the sitemap and the new post: not April
    assert second.written < 20
    assert "第3条" in read(cfg, "c/zhenjie/2026-05/index.html")
    april = cfg.site_dir.resolve() / "c/zhenjie/2026-04/index.html"
    assert april.stat().st_nlink == 2  # linked from the previous build: not rewritten

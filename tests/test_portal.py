"""The residents' portal as built: government conventions, feeds that validate, machine
outputs, incremental publishing, and a golden copy of a small site.

Regenerate the golden site after a deliberate change with
HUB_UPDATE_GOLDEN=1 pytest tests/test_portal.py and review the diff of tests/golden/site/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from hub import config, opml, site
from hub.config import Source
from hub.errors import BuildError
from hub.models import Attachment, Fetched, Post, Routed, StoredPost
from hub.parse import Reading, read_feed
from hub.route import Router
from hub.site.pages import Plan

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
YAML = """\
site:
  title: 示例县政务信息聚合平台
  base_url: https://portal.example.gov.cn/
  description: 汇集示例县各镇（街道）、各部门发布的政务信息。
  per_page: 2
  organizer: 示例县人民政府办公室
  site_code: "1234000001"
  icp: 示ICP备12345678号
  police: 示公网安备 12345678901234号
  contact: 0000-1234567
sources:
  - {id: banquan, name: 板泉镇人民政府, group: 镇街, feed: "https://x.gov.cn/bq.xml"}
  - {id: wlj, name: 县文化和旅游局, group: 部门, feed: "https://x.gov.cn/wlj.xml"}
channels:
  - {slug: zhenjie, title: 镇街动态, include: [{group: 镇街}], column_type: 工作动态}
  - {slug: yiyou, title: 宜游, description: 景区、民宿与节庆。, include: [{keywords: [旅游]}]}
  - {slug: qita, title: 其他, fallback: true}
"""
TITLES = [
    "板泉镇乡村旅游节开幕",
    "县文旅局发布暑期旅游线路",
    "板泉镇召开例会",
    "县文旅局召开安全会议",
    "板泉镇开展防汛演练",
]


def make(folder: Path) -> config.Config:
    (folder / "channels.yaml").write_text(YAML, encoding="utf-8")
    return config.load(folder / "channels.yaml")


def posts(count: int = 5) -> list[StoredPost]:
    made = []
    for n in range(count):
        source = "banquan" if n % 2 == 0 else "wlj"
        published = T0 - timedelta(hours=n)
        files = (Attachment("附件1：线路表", f"https://x.gov.cn/{n}.pdf"),) if n == 1 else ()
        post = Post(
            source_id=source,
            key=f"k{n}",
            url=f"https://x.gov.cn/{source}/{n}.html",
            title=TITLES[n % len(TITLES)] + ("" if n < len(TITLES) else f"（{n}）"),
            content_html=f"<p>正文{n}：欢迎游客。</p>",
            text=f"正文{n}：欢迎游客。",
            published=published,
            attachments=files,
        )
        made.append(StoredPost(post, published, published))
    return made


def route(cfg: config.Config, stored: list[StoredPost]) -> list[Routed]:
    return Router(cfg.channels, cfg.sources, cfg.site.zone).route_all(stored, T0)


@pytest.fixture
def built(tmp_path: Path) -> config.Config:
    cfg = make(tmp_path)
    site.build(site.Edition(cfg, route(cfg, posts()), {}, T0, extra={"sources.opml": "<opml/>"}))
    return cfg


def read(cfg: config.Config, path: str) -> str:
    return (cfg.site_dir / path).read_text(encoding="utf-8")


def test_government_meta_tags_and_footer(built: config.Config) -> None:
    home = read(built, "index.html")
    for tag in (
        '<meta name="SiteName" content="示例县政务信息聚合平台">',
        '<meta name="SiteDomain" content="portal.example.gov.cn">',
        '<meta name="SiteIDCode" content="1234000001">',
    ):
        assert tag in home
    for text in (
        "主办单位：示例县人民政府办公室",
        "网站标识码：1234000001",
        "示ICP备12345678号",
        "示公网安备 12345678901234号",
        "联系方式：0000-1234567",
        '<a href="/map/">网站地图</a>',
    ):
        assert text in home
    section = read(built, "c/zhenjie/index.html")
    assert '<meta name="ColumnName" content="镇街动态">' in section
    assert '<meta name="ColumnType" content="工作动态">' in section
    post = read(
        built,
        next(
            p.relative_to(built.site_dir).as_posix() for p in (built.site_dir / "p").rglob("*.html")
        ),
    )
    for name in ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "ColumnType"):
        assert f'<meta name="{name}"' in post


def test_feeds_are_discoverable_from_every_section(built: config.Config) -> None:
    section = read(built, "c/yiyou/index.html")
    for kind, path in (
        ("application/rss+xml", "/c/yiyou/feed.xml"),
        ("application/atom+xml", "/c/yiyou/feed.atom"),
        ("application/feed+json", "/c/yiyou/feed.json"),
    ):
        assert f'type="{kind}"' in section and f'href="{path}"' in section
    assert 'href="/feed.atom"' in read(built, "index.html")


@pytest.mark.parametrize("path", ["feed.xml", "feed.atom", "c/yiyou/feed.xml", "c/yiyou/feed.atom"])
def test_rss_and_atom_parse_without_complaint(built: config.Config, path: str) -> None:
    parsed = feedparser.parse(read(built, path))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id.startswith("https://portal.example.gov.cn/p/2026/06/")
        assert entry.link == entry.id  # the id is the post's permanent address
        assert entry.get("published_parsed") and entry.get("author")
    if path.endswith(".atom"):
        assert parsed.feed.id == f"https://portal.example.gov.cn/{path}"
        assert {link.rel for link in parsed.entries[0].links} >= {"alternate", "via"}


def test_json_feed_follows_version_1_1(built: config.Config) -> None:
    text = read(built, "c/yiyou/feed.json")
    document = json.loads(text)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == "https://portal.example.gov.cn/c/yiyou/feed.json"
    assert document["items"]
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["url"] == item["id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["date_published"])
        assert item["authors"][0]["name"] in ("板泉镇人民政府", "县文化和旅游局")
        assert item["external_url"].startswith("https://x.gov.cn/")
    attached = [i for i in document["items"] if "attachments" in i]
    assert attached[0]["attachments"] == [
        {"url": "https://x.gov.cn/1.pdf", "title": "附件1：线路表", "mime_type": "application/pdf"}
    ]
    fetched = Fetched(
        "x", document["feed_url"], 200, text.encode(), {"content-type": "application/feed+json"}, T0
    )
    source = Source(id="x", name="x", feed=document["feed_url"])
    title, parsed = read_feed(fetched, Reading(source, built.site.zone, T0 + timedelta(days=1)))
    assert title == "示例县政务信息聚合平台 · 宜游" and len(parsed.posts) == len(document["items"])


def test_machine_outputs_are_well_formed(built: config.Config) -> None:
    root = ET.fromstring(read(built, "sitemap.xml"))  # noqa: S314 (our own output)
    assert root.tag.endswith("urlset") and len(root) > 5
    assert "Sitemap: https://portal.example.gov.cn/sitemap.xml" in read(built, "robots.txt")
    assert read(built, "sources.opml") == "<opml/>"  # extra files are published as given


def test_sitemaps_split_into_an_index_past_the_limit(tmp_path: Path) -> None:
    cfg = make(tmp_path)
    plan = Plan(site.Edition(cfg, route(cfg, posts(9)), {}, T0), sitemap_limit=5)
    maps = {page.path: page for page in plan.pages() if page.path.startswith("sitemap")}
    assert maps["sitemap.xml"].template == "sitemap-index.xml"
    parts = maps["sitemap.xml"].context["sitemaps"]
    assert sorted(parts) == sorted(name for name in maps if name != "sitemap.xml")
    assert all(len(maps[name].context["paths"]) <= 5 for name in parts)
    listed = [path for name in parts for path, _ in maps[name].context["paths"]]
    assert len(listed) == len(set(listed)) and {v.path for v in plan.listed} <= set(listed)
    # the portal's own pages, then the posts by the month they were filed in: a new post
    # rewrites its month's part only
    assert parts[0] == "sitemap-pages.xml" and "sitemap-pages-2.xml" in parts
    for name in parts[2:]:
        month = name.removeprefix("sitemap-")[:7].replace("-", "/")
        assert all(path.startswith(f"p/{month}/") for path, _ in maps[name].context["paths"])


def test_posts_link_their_neighbours_in_their_section(built: config.Config) -> None:
    stored = posts()
    paths = {p.post.title: site.post_path(p.post.id, p.filed, built.site.zone) for p in stored}
    middle = read(built, paths["板泉镇召开例会"])  # 镇街动态: 旅游节 (newest), 例会, 防汛演练
    assert f'上一篇：<a href="/{paths["板泉镇乡村旅游节开幕"]}" rel="prev">' in middle
    assert f'下一篇：<a href="/{paths["板泉镇开展防汛演练"]}" rel="next">' in middle


def test_site_map_page_links_every_section(built: config.Config) -> None:
    page = read(built, "map/index.html")
    for slug in ("zhenjie", "yiyou", "qita"):
        assert f'href="/c/{slug}/"' in page
    assert 'href="/sources.opml"' in page


def written(
    cfg: config.Config, routed: list[Routed], moment: datetime, full: bool = False
) -> set[str]:
    """The files a build rendered anew (the others are hard links to the live build)."""
    before = site.current_build(cfg.site_dir)
    result = site.build(site.Edition(cfg, routed, {}, moment), full=full)
    files = {
        p.relative_to(result.folder).as_posix()
        for p in result.folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and "static/" not in p.as_posix()
    }
    if before is None:
        return files
    return {
        f
        for f in files
        if (before / f).exists() is False
        or (before / f).stat().st_ino != (result.folder / f).stat().st_ino
    }


def test_an_unchanged_publish_writes_nothing(tmp_path: Path) -> None:
    cfg = make(tmp_path)
    routed = route(cfg, posts())
    site.build(site.Edition(cfg, routed, {}, T0))
    assert written(cfg, routed, T0 + timedelta(hours=1)) == set()
    assert len(written(cfg, routed, T0 + timedelta(hours=2), full=True)) > 20


def test_a_page_missing_from_the_live_build_is_rendered_not_lost(tmp_path: Path) -> None:
    """Unchanged pages are linked from the live build by threads; one that cannot be
    linked (deleted by hand, a damaged disk) is rendered again."""
    cfg = make(tmp_path)
    routed = route(cfg, posts())
    first = site.build(site.Edition(cfg, routed, {}, T0))
    lost = site.post_path(routed[0].post.post.id, routed[0].post.filed, cfg.site.zone)
    expected = (first.folder / lost).read_text(encoding="utf-8")
    (first.folder / lost).unlink()
    (first.folder / "c" / "zhenjie" / "index.html").unlink()
    again = written(cfg, routed, T0 + timedelta(hours=1))
    assert again == {lost, "c/zhenjie/index.html"}
    assert (cfg.site_dir / lost).read_text(encoding="utf-8") == expected


def test_a_build_that_fails_while_linking_the_live_one_leaves_it_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = make(tmp_path)
    old = posts()
    first = site.build(site.Edition(cfg, route(cfg, old), {}, T0))
    fresh = replace(old[0].post, key="new", title="板泉镇举办民宿推介会", url="https://x.gov.cn/n")
    newest = StoredPost(replace(fresh), T0 + timedelta(hours=1), T0 + timedelta(hours=1))
    render = site.Renderer.render

    def failing(self: site.Renderer, template: str, context: Any, now: datetime) -> str:
        if template == "post.html":
            raise BuildError("template post.html: broken")
        return render(self, template, context, now)

    monkeypatch.setattr(site.Renderer, "render", failing)
    with pytest.raises(BuildError, match="broken"):
        site.build(site.Edition(cfg, route(cfg, [newest, *old]), {}, T0 + timedelta(hours=1)))
    assert cfg.site_dir.resolve() == first.folder
    assert [p.name for p in (cfg.data_dir / "builds").iterdir()] == [first.folder.name]
    monkeypatch.undo()
    again = site.build(site.Edition(cfg, route(cfg, [newest, *old]), {}, T0 + timedelta(hours=1)))
    assert (again.folder / site.post_path(newest.post.id, newest.filed, cfg.site.zone)).is_file()


def test_a_new_post_rewrites_only_what_shows_it(tmp_path: Path) -> None:
    cfg = make(tmp_path)
    old = posts()
    site.build(site.Edition(cfg, route(cfg, old), {}, T0))
    fresh = replace(old[0].post, key="new", title="板泉镇举办民宿推介会", url="https://x.gov.cn/n")
    newest = StoredPost(replace(fresh), T0 + timedelta(hours=1), T0 + timedelta(hours=1))
    routed = route(cfg, [newest, *old])
    changed = written(cfg, routed, T0 + timedelta(hours=1))
    new_page = site.post_path(newest.post.id, newest.filed, cfg.site.zone)
    assert new_page in changed
    assert {
        "index.html",
        "c/zhenjie/index.html",
        "s/banquan/index.html",
        "feed.xml",
        "c/zhenjie/feed.atom",
        "sitemap.xml",
    } <= changed
    # its neighbour gains a 上一篇 link; pages of other sections and departments stay
    assert "c/yiyou/index.html" not in changed and "s/wlj/index.html" not in changed
    assert len(changed) < 30


def test_a_template_change_rebuilds_every_page(tmp_path: Path) -> None:
    cfg = make(tmp_path)
    routed = route(cfg, posts())
    site.build(site.Edition(cfg, routed, {}, T0))
    (cfg.templates_dir).mkdir()
    (cfg.templates_dir / "404.html").write_text("找不到", encoding="utf-8")
    assert len(written(cfg, routed, T0)) > 20


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        # static files are copies of the theme's: the golden copy holds what hub makes
        if p.is_file() and p.name != ".manifest.json" and "static" not in p.parts
    }


def test_golden_site(tmp_path: Path) -> None:
    cfg = make(tmp_path)
    site.build(
        site.Edition(
            cfg,
            route(cfg, posts()),
            {},
            T0,
            extra={
                "sources.opml": opml.write(
                    cfg.site.title,
                    [opml.Listed("wlj", "县文化和旅游局", "部门", "https://x.gov.cn/wlj.xml", "")],
                    T0,
                )
            },
        )
    )
    made = snapshot(cfg.site_dir.resolve())
    if os.environ.get("HUB_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in made.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    golden = snapshot(GOLDEN)
    assert sorted(made) == sorted(golden)
    for name in golden:
        assert made[name] == golden[name], f"{name} differs from tests/golden/site/{name}"


def test_a_page_the_new_build_drops_leaves_no_empty_folder(tmp_path: Path) -> None:
    """A dropped page's folder goes too: nginx answers 403 for a folder, 404 for none."""
    from hub.site.files import BuildFiles  # noqa: PLC0415

    live, new = tmp_path / "live", tmp_path / "new"
    for file in ("index.html", "c/x/index.html", "c/x/2/index.html"):
        (live / file).parent.mkdir(parents=True, exist_ok=True)
        (live / file).write_text(file, encoding="utf-8")
    new.mkdir()
    with BuildFiles(new, live, {"index.html": "k"}) as files:
        files.keep("index.html", lambda: "index.html")
        files.keep("c/x/index.html", lambda: "c/x/index.html")
        files.finish(["c/x/2/index.html"])
    assert (new / "c/x/index.html").read_text(encoding="utf-8") == "c/x/index.html"
    assert not (new / "c/x/2").exists() and (live / "c/x/2/index.html").is_file()

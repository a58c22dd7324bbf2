"""办事服务: a county's service catalogue crawled as a source of its own kind, listed on
the portal by theme and by department, each service on a page that leads to its guide,
found by search under its own filter, and taken off when the catalogue drops it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.config import Config, loads
from hub.demo import CountyServer, catalogue, channels_yaml
from hub.demo.server import Response
from hub.errors import ConfigError
from hub.site.services import department_path
from tests.conftest import Clock, Crawled, write_project
from tests.httpserver import Reply, ScriptedServer

NAMES = [name for name, _, _ in catalogue.SERVICES]


def _page(config: Config, path: str) -> str:
    return (config.site_dir / path).read_text(encoding="utf-8")


def _listed(html: str) -> list[str]:
    """The services a list of them shows, in its order."""
    block = html.split('<ol class="services">')[1].split("</ol>", maxsplit=1)[0]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block)


def test_the_directory_shows_every_service_by_theme_and_by_department(crawled: Crawled) -> None:
    config = crawled.config
    home = _page(config, "banshi/index.html")
    assert f"本县可办理事项 {len(NAMES)} 项" in home
    huji = _listed(_page(config, "banshi/t/huji/index.html"))
    assert set(huji) == {"居民身份证换领", "临时居民身份证申领", "出生登记（户口）",
                         "户口迁移（市外迁入）", "居住证申领"}  # fmt: skip
    hunyu = _listed(_page(config, "banshi/t/hunyu/index.html"))
    assert "结婚登记" in hunyu and "生育登记" in hunyu and "结婚登记" not in huji
    # every theme of the demo has services, and each is linked from the directory
    for _, slug, _ in catalogue.THEMES:
        assert f'href="/banshi/t/{slug}/"' in home
    police = _page(config, department_path("县公安局") + "index.html")
    assert sorted(_listed(police)) == sorted(n for n, d, _ in catalogue.SERVICES if d == "县公安局")
    assert 'href="/s/gaj/"' in police  # the department's news, where it has a source
    # a department without a source of news still has its services
    tax = _page(config, department_path("县林业局") + "index.html")
    assert _listed(tax) == ["林木采伐许可"]
    # by department, every service once
    departments = re.findall(r'href="/(banshi/bm/[0-9a-f]+/)"', home)
    assert sum(len(_listed(_page(config, d + "index.html"))) for d in departments) == len(NAMES)


def test_a_service_page_leads_to_its_guide(crawled: Crawled) -> None:
    config = crawled.config
    pages = list((config.site_dir / "banshi" / "s").glob("*.html"))
    assert len(pages) == len(NAMES)
    found = {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        name = re.search(r"<h1>([^<]+)</h1>", html)
        guide = re.search(r'<a class="button" href="([^"]+)"', html)
        assert name and guide
        found[name.group(1)] = guide.group(1)
    number = NAMES.index("结婚登记") + 1
    assert found["结婚登记"].endswith(catalogue.guide_path(number))
    html = next(p for p in pages if "<h1>结婚登记</h1>" in p.read_text(encoding="utf-8"))
    text = html.read_text(encoding="utf-8")
    assert "县民政局" in text and 'href="/banshi/t/hunyu/"' in text
    assert '<a href="/banshi/" aria-current="page">办事服务</a>' in text  # where one is


def test_services_are_never_routed_nor_audited_as_an_account(crawled: Crawled) -> None:
    config = crawled.config
    for page in (config.site_dir / "c").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "居民身份证换领" not in text and "林木采伐许可" not in text, page
    assert not (config.site_dir / "s" / "zwfw").exists()
    assert "政务服务事项目录" not in _page(config, "sources/index.html")
    assert crawled.publish.services == len(NAMES)
    # the navigation, the home page and the site map lead to the directory
    for path in ("index.html", "map/index.html", "c/bumen/index.html"):
        assert 'href="/banshi/"' in _page(config, path)
    assert "/banshi/t/huji/" in _page(config, "sitemap.xml")


def test_search_finds_services_under_their_own_filter(crawled: Crawled) -> None:
    service = pipeline.SearchService(crawled.config)
    only = service.results(service.request({"q": "身份证", "section": "banshi"}))
    titles = {hit.title for hit in only.hits}
    assert titles == {"居民身份证换领", "临时居民身份证申领"}
    assert all(hit.path.startswith("banshi/s/") for hit in only.hits)
    everything = service.results(service.request({"q": "结婚登记", "per_page": "50"}))
    assert "结婚登记" in {hit.title for hit in everything.hits}
    # the filter is offered on the search page
    assert '<option value="banshi">办事服务</option>' in _page(crawled.config, "search/index.html")


def test_a_service_the_catalogue_drops_leaves_the_portal(
    tmp_path: Path, county: CountyServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = pipeline.load(write_project(tmp_path, county))
    store = pipeline.open_store(config)
    pipeline.crawl(config, store, clock(), only=["zwfw"])
    assert pipeline.publish(config, store, clock(), force=True).services == len(NAMES)
    last = NAMES[-1]
    # a later page that fails is not the catalogue's end: nothing is taken off
    original = CountyServer._catalogue

    def failing(path: str) -> Response:
        if path.endswith("list_2.html"):
            return Response(500, b"busy", "text/plain")
        return original(path)

    monkeypatch.setattr(CountyServer, "_catalogue", staticmethod(failing))
    monkeypatch.setattr(catalogue, "SERVICES", catalogue.SERVICES[:-1])
    clock.advance(timedelta(hours=3))
    pipeline.crawl(config, store, clock(), only=["zwfw"])
    assert pipeline.publish(config, store, clock()).services == len(NAMES)
    # the whole catalogue read again, without the last service: it is gone
    monkeypatch.setattr(CountyServer, "_catalogue", staticmethod(original))
    clock.advance(timedelta(hours=3))
    pipeline.crawl(config, store, clock(), only=["zwfw"])
    published = pipeline.publish(config, store, clock())
    assert published.services == len(NAMES) - 1
    assert f"本县可办理事项 {len(NAMES) - 1} 项" in _page(config, "banshi/index.html")
    pages = [p.read_text(encoding="utf-8") for p in (config.site_dir / "banshi/s").glob("*")]
    assert len(pages) == len(NAMES) - 1 and not any(f"<h1>{last}</h1>" in p for p in pages)
    store.close()


def test_a_catalogue_can_be_a_feed(tmp_path: Path, clock: Clock) -> None:
    items = "".join(
        f"<item><title>{name}</title><link>http://127.0.0.1/guide/{n}</link>"
        f"<author>{department}</author><category>个人办事</category></item>"
        for n, (name, department) in enumerate(
            (("结婚登记", "县民政局"), ("居住证申领", "县公安局"))
        )
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>目录</title>{items}'
    feed += "</channel></rss>"
    with ScriptedServer() as server:
        server.routes["/services.xml"] = Reply(200, feed.encode(), {"Content-Type": "text/xml"})
        (tmp_path / "channels.yaml").write_text(
            f"""\
site: {{title: 测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, delay: 0s}}
services: {{themes: [{{name: 户籍, slug: huji, words: [居住证]}}]}}
sources:
  - {{id: zwfw, name: 政务服务网, kind: services, feed: "{server.url}/services.xml"}}
  - {{id: dept, name: 测试局, feed: "{server.url}/news.xml"}}
channels:
  - {{slug: qita, title: 其他, fallback: true, show_empty: true}}
""",
            encoding="utf-8",
        )
        config = pipeline.load(tmp_path / "channels.yaml")
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, clock())
        published = pipeline.publish(config, store, clock(), force=True)
    assert published.services == 2 and published.posts == 0
    huji = _listed(_page(config, "banshi/t/huji/index.html"))
    assert huji == ["居住证申领"]
    assert "结婚登记" in _page(config, department_path("县民政局") + "index.html")
    store.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("      topic: td.zt\n", "").replace(
                "      item: ul.list li\n", "      item: ul.list li\n      topic: td.zt\n", 1
            ),
            "`department:` and `topic:` are read only for a service catalogue",
        ),
        (
            lambda t: t.replace("[{group: 部门}]", "[{source: [zwfw]}]"),
            "'zwfw' is a service catalogue",
        ),
        (
            lambda t: t.replace("slug: zhoubao", "slug: banshi"),
            "'banshi' is the services' own",
        ),
        (
            lambda t: t.replace("slug: hunyu", "slug: huji"),
            "two themes share the slug 'huji'",
        ),
    ],
)
def test_a_wrong_catalogue_setting_is_refused_at_its_line(
    change: object, message: str, tmp_path: Path
) -> None:
    text = channels_yaml()
    changed = change(text)  # type: ignore[operator]
    assert changed != text
    with pytest.raises(ConfigError) as caught:
        loads(changed, tmp_path / "channels.yaml")
    assert message in str(caught.value)
    assert re.search(r"channels\.yaml:\d+:", str(caught.value))

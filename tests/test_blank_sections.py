"""The portal must not make inspection veto items itself (issue 14): a section no post
has reached is left out of the navigation, the home page and the sitemap, unless it is
configured to show, and `hub check` says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub import pipeline
from hub.models import Post

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def publish(folder: Path, show_empty: bool) -> Path:
    (folder / "channels.yaml").write_text(
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        "sources: [{id: zfb, name: 县政府办, feed: 'https://x.gov.cn/f.xml'}]\n"
        "channels:\n"
        "  - {slug: fangxun, title: 防汛专栏, include: [{keywords: 防汛}]}\n"
        f"  - {{slug: kongbai, title: 空白专栏, include: [{{keywords: 不会出现}}], show_empty: {str(show_empty).lower()}}}\n"
        "  - {slug: qita, title: 其他, fallback: true}\n",
        encoding="utf-8",
    )
    config = pipeline.load(folder / "channels.yaml")
    store = pipeline.open_store(config)
    store.save(
        [Post("zfb", "a", "https://x.gov.cn/a.html", "防汛通知", "", "做好防汛工作。", T0)], T0
    )
    pipeline.publish(config, store, T0)
    store.close()
    return config.site_dir


@pytest.mark.parametrize("show_empty", [False, True])
def test_a_blank_section_is_left_out_unless_configured(tmp_path: Path, show_empty: bool) -> None:
    site = publish(tmp_path, show_empty)
    home = (site / "index.html").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    post = next((site / "p").rglob("*.html")).read_text(encoding="utf-8")
    assert "防汛专栏" in home and "/c/fangxun/" in sitemap
    for text in (home, post):
        assert ("空白专栏" in text) is show_empty
    assert ("/c/kongbai/" in sitemap) is show_empty
    assert (site / "c" / "kongbai" / "index.html").is_file()  # its address keeps working
    config = pipeline.load(tmp_path / "channels.yaml")
    _, searched = pipeline.SearchService(config).page({"q": "防汛"}, T0)
    nav = searched.split('<nav class="sections"', 1)[1].split("</nav>", 1)[0]
    assert "防汛专栏" in nav and ("空白专栏" in nav) is show_empty  # the served search page


def test_hub_check_says_a_blank_section_is_hidden(tmp_path: Path) -> None:
    publish(tmp_path, show_empty=False)
    config = pipeline.load(tmp_path / "channels.yaml")
    store = pipeline.open_store(config)
    said = pipeline.editorial.warnings(config, pipeline.route(config, store, T0), store)
    store.close()
    assert any("kongbai" in line and "left out of the portal" in line for line in said)

"""The residents' portal as a government portal, in headless Chromium (issue 16): the
navigation bar in one row on a desktop screen, with its 更多栏目 group opening on a
phone and a desktop alike; and screenshots of the key pages at a phone's and a
desktop's size, normal and in elderly mode, kept in test-output/screenshots/ for
people to look at (the layout facts are asserted here and in tests/test_browser.py)."""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import Crawled
from tests.test_browser import AXE, browser, portal  # noqa: F401 (the fixtures, shared)

pytestmark = pytest.mark.browser

SCREENS = {"phone": (390, 844), "desktop": (1366, 900)}
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"


def opened(browser: Browser, url: str, screen: str, *, elder: bool = False) -> Page:  # noqa: F811
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    if elder:
        context.add_init_script("localStorage.setItem('hub-elder', '1')")
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page


def test_the_navigation_is_one_row_on_a_desktop_and_its_more_group_opens(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
    crawled: Crawled,
) -> None:
    more = [c for c in crawled.config.channels if c.nav == "more"]
    assert more, "the demo county puts some sections in 更多栏目"
    for screen in SCREENS:
        page = opened(browser, portal, screen)
        items = page.locator("nav.sections > ul > li")
        boxes = [items.nth(i).bounding_box() for i in range(items.count())]
        middles = [b["y"] + b["height"] / 2 for b in boxes if b is not None]
        if screen == "desktop":  # one row: every item's middle within a few pixels
            assert max(middles) - min(middles) < 8, f"the bar wraps at 1366 px: {middles}"
        group = page.locator("nav.sections details")
        link = group.get_by_role("link", name=more[-1].title, exact=True)
        assert not link.is_visible()
        group.locator("summary").click()
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None
        # nothing covers it, nothing clips it (the phone's bar scrolls sideways)
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == more[-1].title, screen
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/c/{more[-1].slug}/")
        summary = page.locator("nav.sections summary")
        assert "current" in (summary.get_attribute("class") or "")  # its section is open
        page.context.close()


def test_screenshots_of_the_key_pages(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
) -> None:
    home = opened(browser, portal, "desktop")
    post = home.locator("ol.posts a").first.get_attribute("href")
    home.context.close()
    pages = {
        "home": portal,
        "section": portal + "c/zhenjie/",
        "post": portal.rstrip("/") + str(post),
        "search": portal + "search/?" + urllib.parse.urlencode({"q": "防汛", "group": "部门"}),
        "sources": portal + "sources/",
        "banshi": portal + "banshi/",
        "banshi-theme": portal + "banshi/t/huji/",
        "banshi-search": portal
        + "search/?"
        + urllib.parse.urlencode({"q": "身份证", "section": "banshi"}),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    for name, url in pages.items():
        for screen in SCREENS:
            for elder in (False, True):
                page = opened(browser, url, screen, elder=elder)
                shot = SHOTS / f"{name}-{screen}{'-elder' if elder else ''}.png"
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 1000
                taken.append(shot)
                page.context.close()
    print(f"\n{len(taken)} screenshots in {SHOTS}")


def post_url(browser: Browser, portal: str) -> str:  # noqa: F811
    home = opened(browser, portal, "desktop")
    link = home.locator("ol.posts a").first.get_attribute("href")
    home.context.close()
    return portal.rstrip("/") + str(link)


def test_elderly_mode_on_a_phone_shows_a_posts_title_and_text_first(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
) -> None:
    page = opened(browser, post_url(browser, portal), "phone", elder=True)
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    title = page.locator("article.post h1").bounding_box()
    text = page.locator("article.post .body p").first.bounding_box()
    assert title is not None and text is not None
    height = SCREENS["phone"][1]
    assert title["y"] < height * 0.4, f"the title starts at {title['y']:.0f}px"
    assert text["y"] + 40 < height, f"the text starts at {text['y']:.0f}px, below the screen"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator(".search-link").is_visible()  # the search, behind a link
    page.context.close()


def font_size(page: Page) -> float:
    size: float = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    return size


def test_text_size_and_contrast_are_remembered_across_pages(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
) -> None:
    page = opened(browser, portal, "phone")
    normal = font_size(page)
    larger = page.get_by_role("button", name="放大字号")
    larger.click()
    larger.click()
    assert font_size(page) > normal * 1.2
    page.get_by_role("button", name="高对比度").click()
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(0, 0, 0)"
    page.goto(portal + "sources/")  # another page: both remembered before it is drawn
    assert font_size(page) > normal * 1.2
    assert page.evaluate(background) == "rgb(0, 0, 0)"
    assert page.get_by_role("button", name="高对比度").get_attribute("aria-pressed") == "true"
    smaller = page.get_by_role("button", name="缩小字号")
    for _ in range(5):
        if smaller.is_enabled():
            smaller.click()
    assert not smaller.is_enabled() and font_size(page) < normal  # the smallest step
    page.context.close()


# The speech engine is the browser's own; headless Chromium has no voices, so the test
# records what the page asks it to say, and lets it go on.
RECORD_SPEECH = """
window.said = [];
const speak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (u) => { window.said.push([u.text, u.lang]); speak(u); };
"""


def test_the_page_is_read_aloud_in_chinese_by_the_browser(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
) -> None:
    url = post_url(browser, portal)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(RECORD_SPEECH)
    page = context.new_page()
    page.goto(url)
    title = page.locator("article.post h1").inner_text()
    button = page.get_by_role("button", name="朗读本页")
    button.click()
    said: list[list[str]] = page.evaluate("window.said")
    assert said and said[0][0].startswith(title[:10]) and {lang for _, lang in said} == {"zh-CN"}
    assert len(said) > 2  # sentence by sentence
    assert button.get_attribute("aria-pressed") == "true"  # its name stays: pressed again, it stops
    button.click()
    assert page.get_by_role("button", name="朗读本页").get_attribute("aria-pressed") == "false"
    context.close()


def service_url(browser: Browser, portal: str) -> str:  # noqa: F811
    """A service's own page, reached from the directory through a department."""
    page = opened(browser, portal + "banshi/", "desktop")
    page.locator("ul.depts a").first.click()
    link = page.locator("ol.services a").first.get_attribute("href")
    page.context.close()
    return portal.rstrip("/") + str(link)


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_axe_finds_no_violation_of_any_level(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
    screen: str,
) -> None:
    if not AXE.is_file():
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HUB_REQUIRE_BROWSER is set but axe-core is not at {AXE}")
        pytest.skip(f"axe-core is not at {AXE} (npm install axe-core, as .ci/run does)")
    urls = [
        portal,
        portal + "c/zhenjie/2/",
        post_url(browser, portal),
        portal + "search/?" + urllib.parse.urlencode({"q": "防汛", "group": "部门", "page": "2"}),
        portal + "sources/",
        portal + "map/",
        portal + "banshi/",
        portal + "banshi/t/huji/",
        service_url(browser, portal),
    ]
    found = []
    for url in urls:
        for mode in ("normal", "elder", "contrast"):
            page = opened(browser, url, screen, elder=mode == "elder")
            if mode == "contrast":
                page.get_by_role("button", name="高对比度").click()
            page.add_script_tag(path=str(AXE))
            result: dict[str, Any] = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']})"
            )
            found += [
                (url, mode, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
            ]
            page.context.close()
    assert found == [], "\n".join(map(str, found))


# cells people see (a phone's cards keep the column names for screen readers only)
NARROW_CELLS = """[...document.querySelectorAll('table th, table td')]
  .filter(c => !c.closest('thead') || c.closest('thead').getBoundingClientRect().width > 1)
  .map(c => [c.getBoundingClientRect().width, parseFloat(getComputedStyle(c).fontSize),
             c.textContent.trim()])
  .filter(([width, size, text]) => text.length > 1 && width < 2 * size + 1)"""


@pytest.mark.parametrize("elder", [False, True])
def test_the_sources_table_and_the_search_filters_work_on_a_phone(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
    elder: bool,
) -> None:
    page = opened(browser, portal + "sources/", "phone", elder=elder)
    assert page.evaluate(NARROW_CELLS) == []  # no column one character wide
    page.context.close()
    page = opened(browser, portal + "search/?q=" + urllib.parse.quote("防汛"), "phone", elder=elder)
    panel = page.locator("details.filters")
    assert panel.get_attribute("open") is None
    summary = panel.locator("summary")
    box = summary.bounding_box()
    assert box is not None and box["height"] >= 44  # a target a finger can hit
    summary.click()
    assert panel.get_attribute("open") is not None
    for field in ("since", "until"):
        date = page.locator(f"input[name={field}]")
        assert date.is_visible()
        size = date.bounding_box()
        assert size is not None and size["height"] >= 44 and size["width"] >= 140, (field, size)
    assert page.locator("select[name=section]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.context.close()


KEPT = """async (wanted) => {
  const cache = await caches.open((await caches.keys())[0]);
  return (await Promise.all(wanted.map((u) => cache.match(u)))).every(Boolean);
}"""


def test_pages_read_stay_readable_offline_and_never_stale_online(
    browser: Browser,  # noqa: F811
    portal: str,  # noqa: F811
    crawled: Crawled,
) -> None:
    home = opened(browser, portal, "phone")
    links = home.locator("ol.posts a")
    read, unread = (portal.rstrip("/") + str(links.nth(n).get_attribute("href")) for n in (0, 1))
    context = home.context
    page = home
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    section = portal + "c/zhenjie/"
    for _ in range(100):  # the home page and every section's list, kept at install
        if page.evaluate(KEPT, [portal, section, portal + "offline.html"]):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the service worker did not keep the home page and the sections")
    page.goto(read)  # read online: kept
    title = page.locator("article.post h1").inner_text()
    context.set_offline(True)
    try:
        for url, shown in ((read, title), (section, "镇街动态"), (portal, "头条")):
            page.goto(url)
            assert shown in page.locator("main").inner_text(), url
        page.goto(unread)  # never read: the offline page, not the browser's error
        assert page.locator("main h1").inner_text() == "当前网络不可用"
    finally:
        context.set_offline(False)
    # online again, a page changed since it was kept is shown as it is now
    path = crawled.config.site_dir.resolve() / read.removeprefix(portal)
    before = path.read_text(encoding="utf-8")
    changed = path.with_name(path.name + ".new")
    changed.write_text(before.replace(title, title + "（已更新）"), encoding="utf-8")
    changed.replace(path)
    try:
        page.goto(read)
        assert page.locator("article.post h1").inner_text() == title + "（已更新）"
    finally:
        restored = path.with_name(path.name + ".old")
        restored.write_text(before, encoding="utf-8")
        restored.replace(path)
    context.close()

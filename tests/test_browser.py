"""The built portal in real headless Chromium, at phone and desktop widths: clean loads,
no sideways scrolling down to 320 px, an axe-core accessibility audit, the elderly mode.

axe-core comes from npm (`.ci/run` installs it into node_modules/); set HUB_AXE_CORE to
another copy of axe.min.js. Where it is missing the audit is skipped and says so.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from hub.serve import Server
from tests.conftest import Crawled

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("HUB_CHROMIUM") or next(
    (
        path
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (path := shutil.which(name))
    ),
    None,
)
# Flags for a closed network: without them Chromium keeps calling home and logging errors.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDTHS = {"narrow": (320, 640), "phone": (390, 844), "desktop": (1280, 900)}
ROOT = Path(__file__).resolve().parent.parent
AXE = Path(os.environ.get("HUB_AXE_CORE") or ROOT / "node_modules" / "axe-core" / "axe.min.js")


@pytest.fixture(scope="module")
def portal(crawled: Crawled) -> Iterator[str]:
    server = Server(crawled.config, crawled.clock, port=0).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail("HUB_REQUIRE_BROWSER is set but no Chromium was found")
        pytest.skip(
            "Chromium is not installed: .ci/run installs Debian's chromium "
            "(or set HUB_CHROMIUM to a Chrome/Chromium binary)"
        )
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def visit(browser: Browser, url: str, width: str) -> tuple[Page, list[str]]:
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    return page, problems


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_key_pages_load_cleanly_and_fit_the_screen(
    browser: Browser, portal: str, crawled: Crawled, width: str
) -> None:
    home, problems = visit(browser, portal, width)
    post_link = home.locator("ol.posts a").first.get_attribute("href")
    urls = [
        portal,
        portal + "c/zhenjie/",
        portal.rstrip("/") + post_link,
        portal + "search/?q=" + urllib.parse.quote("防汛"),
        portal + "search/?" + urllib.parse.urlencode(FILTERED),
        portal + "search/?q=" + urllib.parse.quote("防训"),
        portal + "sources/",
    ]
    for url in urls:
        page, problems = visit(browser, url, width)
        assert problems == [], (url, problems)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width} width"
        assert page.locator("main h1").count() >= 1, url
        page.close()


def test_home_links_every_section_and_the_skip_link_works(
    browser: Browser, portal: str, crawled: Crawled
) -> None:
    page, _ = visit(browser, portal, "desktop")
    nav = page.locator("nav.sections a")
    titles = [nav.nth(i).text_content() for i in range(nav.count())]  # 更多栏目's too
    channels = crawled.config.channels  # those in 更多栏目 at the end, each in its order
    main, more = ([c.title for c in channels if (c.nav == "more") is m] for m in (False, True))
    assert titles == ["首页", crawled.config.services.title, *main, *more]
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"


def test_search_form_submits_to_search_results(browser: Browser, portal: str) -> None:
    page, problems = visit(browser, portal, "phone")
    page.fill("#q", "旅游")
    page.press("#q", "Enter")
    page.wait_for_load_state("load")
    assert "/search/?q=" in page.url
    assert page.locator("ol.hits li").count() > 0
    assert problems == []


FILTERED = {"q": "防汛", "section": "pingan", "sort": "newest", "page": "2"}


def test_search_filters_and_pages_work_in_the_browser(browser: Browser, portal: str) -> None:
    page, problems = visit(browser, portal + "search/?q=" + urllib.parse.quote("防汛"), "phone")
    page.locator(".filters summary").click()
    page.select_option("select[name=section]", "pingan")
    page.select_option("select[name=sort]", "newest")
    page.click(".search-big button")
    page.wait_for_load_state("load")
    assert "section=pingan" in page.url and "sort=newest" in page.url
    first = page.locator("ol.hits li a").first.inner_text()
    assert page.locator("ol.hits mark").count() > 0
    page.click("a[rel=next]")
    page.wait_for_load_state("load")
    assert "page=2" in page.url and "section=pingan" in page.url
    assert page.locator("ol.hits li a").first.inner_text() != first
    page.goto(portal + "search/?q=" + urllib.parse.quote("防训"))  # a homophone typo
    page.get_by_role("link", name="防汛", exact=True).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("?q=" + urllib.parse.quote("防汛"))
    assert page.locator("ol.hits li").count() > 0
    assert problems == []


def key_pages(browser: Browser, portal: str) -> list[str]:
    home, _ = visit(browser, portal, "desktop")
    post_link = home.locator("ol.posts a").first.get_attribute("href")
    home.close()
    return [
        portal,
        portal + "c/zhenjie/",
        portal.rstrip("/") + str(post_link),
        portal + "search/?q=" + urllib.parse.quote("防汛"),
        portal + "search/?" + urllib.parse.urlencode(FILTERED),  # filters open, marks
        portal + "search/?q=" + urllib.parse.quote("防训"),  # nothing found, a suggestion
    ]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_axe_finds_no_serious_accessibility_problems(
    browser: Browser, portal: str, width: str
) -> None:
    if not AXE.is_file():
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HUB_REQUIRE_BROWSER is set but axe-core is not at {AXE}")
        pytest.skip(f"axe-core is not at {AXE} (npm install axe-core, as .ci/run does)")
    for url in key_pages(browser, portal):
        for elder in (False, True):
            page, _ = visit(browser, url, width)
            if elder:
                page.locator(".elder-toggle").click()
            page.add_script_tag(path=str(AXE))
            result: dict[str, Any] = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']})"
            )
            serious = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], (url, width, "elder" if elder else "normal")
            page.close()


def test_elderly_mode_switches_and_is_remembered(browser: Browser, portal: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(portal)
    toggle = page.locator(".elder-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= size * 1.3
    page.goto(portal + "c/pingan/")  # another page: the choice is remembered
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.locator(".elder-toggle").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.locator(".elder-toggle").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    context.close()


def test_pages_read_without_javascript(browser: Browser, portal: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(portal)
    assert page.locator("nav.sections a").count() > 10
    assert not page.locator(".elder-toggle").is_visible()  # no button that cannot work
    context.close()

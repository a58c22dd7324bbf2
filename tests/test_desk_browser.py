"""The editors' desk in real headless Chromium, as an editor uses it: log in, approve a
waiting post and find it on the portal and in search, take a post down and see it gone
from the portal, its feeds and search, pin until a date, choose the lead story, read
the log; and axe-core on every desk page."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from hub import pipeline
from hub.config import Config
from hub.serve import Server
from hub.serve.desk import DeskServer
from hub.serve.desk.auth import hash_password
from hub.store import Actor
from tests import test_browser
from tests.conftest import Clock
from tests.test_browser import AXE, WIDTHS
from tests.test_review import T0, add, project

pytestmark = pytest.mark.browser
PASSWORD = "desk-password-1"  # noqa: S105 (a test's)
browser = test_browser.browser  # the same headless Chromium, once per module


@dataclass
class Desk:
    config: Config
    desk: DeskServer
    portal: str
    town: str  # waiting: 镇街动态 is under review: all
    dept: str  # published

    def published(self) -> None:
        publisher = self.desk.desk.publisher
        assert publisher.wait(publisher.asked, 120), "the desk's publish did not finish"
        assert publisher.error == ""

    def fetch(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.portal + path, timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    config = project(tmp_path, "all")
    # (a typo in the waiting post: its desk page shows a finding with its dismiss form)
    town, dept = add(
        config, ("banquan", "镇里召开防汛会议贯切落实"), ("wlj", "文旅局发布防汛旅游提示")
    )
    store = pipeline.open_store(config)
    store.people.add("王编辑", "admin", hash_password(PASSWORD), Actor("test", T0))
    pipeline.publish(config, store, T0)
    store.close()
    clock = Clock(T0 + timedelta(minutes=1))
    portal = Server(config, clock, port=0).start()
    server = DeskServer(config, clock, "127.0.0.1", 0).start()
    yield Desk(config, server, portal.url, town, dept)
    server.stop()
    portal.stop()


def log_in(browser: Browser, desk: Desk, width: str = "phone") -> Page:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, bypass_csp=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # 确定要撤稿吗？
    page.goto(desk.desk.url + "queue")
    assert "/login" in page.url
    page.get_by_label("用户名").fill("王编辑")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/queue")
    return page


def test_an_editor_reviews_takes_down_pins_and_leads_and_the_log_says_so(
    browser: Browser, desk: Desk
) -> None:
    page = log_in(browser, desk)
    # approve the waiting post: it reaches the portal and search
    assert page.get_by_role("heading", name="镇里召开防汛会议").is_visible()
    assert "rule 1: group 镇街" in page.content()
    assert "镇里召开防汛会议" not in desk.fetch("")[1]
    page.get_by_label("选择：镇里召开防汛会议").check()
    page.get_by_role("button", name="通过所选").click()
    assert page.get_by_role("status").inner_text().startswith("已通过 1 篇")
    desk.published()
    assert "镇里召开防汛会议" in desk.fetch("")[1]
    assert "镇里召开防汛会议" in desk.fetch("c/zhenjie/feed.xml")[1]

    # take the other post down: gone from the portal, its feeds and search
    assert "文旅局发布防汛旅游提示" in desk.fetch("")[1]
    page.goto(desk.desk.url + "posts")
    page.get_by_role("link", name="文旅局发布防汛旅游提示").click()
    page.get_by_label("撤稿理由").fill("标题有误")
    page.get_by_role("button", name="撤稿", exact=True).click()
    assert page.get_by_role("status").inner_text().startswith("已撤稿")
    desk.published()
    for path in ("", "c/bumen/", "c/bumen/feed.xml", "feed.atom", "feed.json", "sitemap.xml"):
        status, text = desk.fetch(path)
        assert status == 200 and "文旅局发布防汛旅游提示" not in text and desk.dept not in text, (
            path
        )
    service = pipeline.SearchService(desk.config)
    titles = [h.title for h in service.results(service.request({"q": "防汛"})).hits]
    assert titles == ["镇里召开防汛会议贯切落实"]

    # pin the town's post to 部门快讯 until a date, and make it the lead story
    page.goto(desk.desk.url + f"posts/{desk.town}")
    page.get_by_label("栏目", exact=True).first.select_option("bumen")
    page.get_by_label("置顶到（可不填）").fill("2026-06-30T18:00")
    page.get_by_role("button", name="置顶", exact=True).click()
    assert "已在「部门快讯」置顶" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="设为头条").click()
    desk.published()
    section = desk.fetch("c/bumen/")[1]
    assert "置顶" in section and "镇里召开防汛会议" in section
    home = desk.fetch("")[1]
    assert 'class="headline"' in home and home.index("头条") < home.index("镇里召开防汛会议")

    # the log
    page.get_by_role("link", name="操作日志").click()
    rows = page.locator("table.log tbody tr").all_inner_texts()
    actions = [row.split("\t")[2] for row in rows]
    assert actions[:5] == ["lead", "pin", "takedown", "approved", "login"], rows
    assert "标题有误" in rows[2] and "王编辑" in rows[2]
    page.context.close()


def desk_pages(desk: Desk) -> list[str]:
    return [
        "login",
        "queue",
        "posts",
        f"posts/{desk.town}",
        "findings",
        "log",
        "users",
        "routing",
        "sources",
    ]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_axe_finds_no_serious_problems_on_the_desk(
    browser: Browser, desk: Desk, width: str
) -> None:
    if not AXE.is_file():
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HUB_REQUIRE_BROWSER is set but axe-core is not at {AXE}")
        pytest.skip(f"axe-core is not at {AXE} (npm install axe-core, as .ci/run does)")
    page = log_in(browser, desk, width)
    for path in desk_pages(desk):
        if path == "login":
            w, h = WIDTHS[width]
            viewport = {"width": w, "height": h}
            anonymous = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
            anonymous.goto(desk.desk.url + "login")
            check = anonymous
        else:
            page.goto(desk.desk.url + path)
            check = page
        width_px = check.evaluate("document.documentElement.scrollWidth")
        assert width_px <= WIDTHS[width][0], (path, "scrolls sideways")
        check.add_script_tag(path=str(AXE))
        result: dict[str, Any] = check.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (path, width)
    page.context.close()

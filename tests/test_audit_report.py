"""`hub audit` end to end on a small county whose inspection answers are known: crawled
from real HTTP into real SQLite, then `--json`, the table, and the self-check report as
an .xlsx (read back with openpyxl) and as a page printed in headless Chromium."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from hub import pipeline
from hub.cli import main
from hub.config import Config
from tests.httpserver import Reply, ScriptedServer
from tests.test_audit import NOW, days_ago, hub, rss, text
from tests.test_browser import CHROMIUM, FLAGS

BLANK = [f"kong{n}" for n in range(5)]


def county(url: str) -> str:
    blank = "\n".join(
        f"  - {{slug: {slug}, title: 空白栏目{n}, include: [{{keywords: [绝不出现的词]}}]}}"
        for n, slug in enumerate(BLANK)
    )
    return f"""\
site: {{title: 审计县, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, robots: false, delay: 0s}}
sources:
  - {{id: edu, name: 教育局微信, unit: 县教育局, platform: 微信公众号, feed: "{url}/edu.xml"}}
  - {{id: edu2, name: "教育局微信<二>", unit: 县教育局, platform: 微信公众号, feed: "{url}/edu2.xml"}}
  - {{id: down, name: 停摆局, feed: "{url}/down.xml"}}
channels:
  - {{slug: jyxw, title: 教育新闻, review: none, include: [{{source: edu}}]}}
  - {{slug: tzgg, title: 通知公告, column: notice, review: none, include: [{{source: edu2}}]}}
  - {{slug: gzdt, title: 工作动态, review: none, include: [{{source: edu2}}]}}
{blank}
  - {{slug: qita, title: 其他, column: static, fallback: true}}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Config]:
    folder = tmp_path_factory.mktemp("inspected")
    edu = [
        ("教育动态", text("fresh"), days_ago(3)),
        ("三月乱码", text("march") + "锟斤拷", datetime(2026, 3, 20, 2, 0, tzinfo=UTC)),
        ("五月乱码", text("may") + "锟斤拷", datetime(2026, 5, 10, 2, 0, tzinfo=UTC)),
    ]
    with ScriptedServer() as server:
        server.routes.update(
            {
                "/edu.xml": Reply(200, rss(edu)),
                "/edu2.xml": Reply(200, rss([("通知", text("notice"), days_ago(20))])),
                "/down.xml": Reply(500, b"down"),
            }
        )
        path = folder / "channels.yaml"
        path.write_text(county(server.url), encoding="utf-8")
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, NOW)
        store.close()
    yield config


def test_the_json_has_every_indicator(project: Config) -> None:
    report = json.loads(hub("audit", "-c", str(project.path), "--json"))
    vetoes = {v["item"]: v for v in report["vetoes"]}
    assert vetoes["blank"]["subjects"] == [*BLANK, "qita"] and vetoes["blank"]["vetoed"]
    assert vetoes["stale"]["subjects"] == ["gzdt"]  # 20 days, a news column
    assert not vetoes["stale"]["vetoed"] and not vetoes["home"]["vetoed"]
    assert vetoes["long-stale"]["found"] == 6  # gzdt and the five blank news columns
    sections = {s["slug"]: s for s in report["sections"]}
    assert (sections["tzgg"]["days_allowed"], sections["tzgg"]["stale"]) == (183, False)
    # each fetch of a source's address was recorded by the crawl: the 500 failed
    sources = {s["id"]: s for s in report["sources"]}
    assert (sources["down"]["fetches"], sources["down"]["failed_fetches"]) == (1, 1)
    assert (sources["edu"]["fetches"], sources["edu"]["failed_fetches"]) == (1, 0)
    assert vetoes["unavailable"]["subjects"] == ["down"]
    assert report["duplicate_accounts"] == [
        {"unit": "县教育局", "platform": "微信公众号", "sources": ["edu", "edu2"]}
    ]
    quarters = [(f["source"], f["quarter"], f["other"]) for f in report["findings"]]
    assert quarters == [("edu", "2026Q1", 1), ("edu", "2026Q2", 1)]  # 锟斤拷: garbled


def test_the_table_lists_the_veto_items(project: Config) -> None:
    out = hub("audit", "-c", str(project.path))
    assert "VETO blank sections: 6 (line 5)" in out
    assert "ok   stale sections: 1 (line 5): 工作动态" in out
    assert "VETO sources unavailable: 1 (line 1): 停摆局" in out
    assert "one unit, 2 accounts on 微信公众号: 县教育局" in out


def test_the_xlsx_report_opens_and_holds_the_rows(project: Config, tmp_path: Path) -> None:
    target = tmp_path / "自查.xlsx"
    assert "wrote the self-check report" in hub(
        "audit", "-c", str(project.path), "--report", str(target)
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["汇总", "按部门和账号", "按栏目", "一单位一平台一号", "内容问题"]
    summary = [tuple(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert summary[0] == ("检查项", "发现", "否决线", "结论", "涉及")
    blank = next(r for r in summary if r[0] == "空白栏目")
    assert blank[1:4] == (6, 5, "单项否决")
    sections = list(book["按栏目"].iter_rows(values_only=True))[1:]
    assert [r[1] for r in sections] == ["jyxw", "tzgg", "gzdt", *BLANK, "qita"]
    assert sections[2][-1] == "超期未更新" and sections[3][-1] == "空白（从未发布信息）"
    accounts = list(book["按部门和账号"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1]) for r in accounts][:2] == [
        ("县教育局", "教育局微信"),
        ("县教育局", "教育局微信<二>"),
    ]
    assert accounts[2][-2:] == ("100.0%", "采集失败")
    assert list(book["一单位一平台一号"].iter_rows(values_only=True))[1] == (
        "县教育局",
        "微信公众号",
        2,
        "教育局微信、教育局微信<二>",
    )
    findings = list(book["内容问题"].iter_rows(values_only=True))[1:]
    assert [(r[2], r[7], r[8]) for r in findings] == [("2026Q1", 1, 1), ("2026Q2", 1, 1)]
    assert book["汇总"].print_title_rows == "$1:$1"


def test_a_report_must_be_xlsx_or_html(project: Config, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["audit", "-c", str(project.path), "--report", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 2 and ".xlsx or .html" in result.output


@pytest.mark.browser
def test_the_html_report_prints_on_a4(project: Config, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    hub("audit", "-c", str(project.path), "--report", str(target))
    html = target.read_text(encoding="utf-8")
    assert "@page { size: A4" in html and "@media print" in html
    assert "教育局微信&lt;二&gt;" in html and "<二>" not in html  # escaped
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (set HUB_CHROMIUM)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
        page.goto(target.as_uri())
        assert page.locator("h2").all_inner_texts()[0] == "1. 汇总"
        page.emulate_media(media="print")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{wide}px wider than A4"
        repeated = page.evaluate(
            "[...document.querySelectorAll('thead')].every("
            "t => getComputedStyle(t).display === 'table-header-group')"
        )
        assert repeated
        vetoed = page.locator("tr.vetoed td").first.inner_text()
        assert vetoed == "空白栏目"
        pdf = page.pdf(format="A4", print_background=True)
        assert (
            pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") >= 1
        )
        browser.close()


def test_the_workbook_holds_text_never_formulas_and_drops_control_characters() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from hub.audited import Sheet  # noqa: PLC0415
    from hub.workbook import workbook  # noqa: PLC0415

    rows = (('=HYPERLINK("http://x")', "+1", "@SUM(A1)", "铃\x07声", 3),)
    data = workbook("自查", [Sheet("表", ("甲", "乙", "丙", "丁", "戊"), rows)], datetime.now(UTC))
    sheet = load_workbook(io.BytesIO(data))["表"]
    cells = list(sheet[2])
    assert [c.value for c in cells] == ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "铃声", 3]
    assert [c.data_type for c in cells[:4]] == ["s"] * 4

"""The consolidation audit on a fixture world whose answers are known: sources that are
active, low-activity, dormant, failing and gone, one that only reprints another's
notices, two that publish the same notices; through `hub audit` (table, JSON, CSV) and
the portal's /sources/ page."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.config import Config
from tests.httpserver import Reply, ScriptedServer

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


def text(seed: str, length: int = 160) -> str:
    """A notice no other shares: long runs of characters drawn from `seed`."""
    rng = random.Random(seed)
    return "".join(rng.choice(CHARS) for _ in range(length)) + "。"


def rss(items: list[tuple[str, str, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><guid>{title}</guid><pubDate>{format_datetime(when)}"
        f"</pubDate><description>{body}</description></item>"
        for title, body, when in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{entries}</channel></rss>"
    ).encode()


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def lagged(items: list[tuple[str, str, datetime]], odd: bool) -> list[tuple[str, str, datetime]]:
    """The items, the odd- or even-numbered ones an hour late."""
    return [
        (t, b, w + timedelta(hours=1) if n % 2 == odd else w) for n, (t, b, w) in enumerate(items)
    ]


def world() -> dict[str, Reply]:
    active = [(f"活跃局通知{n}", text(f"active{n}"), days_ago(n)) for n in range(10)]
    shared = [(f"联合通知{n}", text(f"shared{n}"), days_ago(n + 1)) for n in range(4)]
    return {
        "/active.xml": Reply(200, rss(active)),
        "/quiet.xml": Reply(
            200, rss([(f"少量{n}", text(f"quiet{n}"), days_ago(3 + 30 * n)) for n in range(2)])
        ),
        "/dormant.xml": Reply(
            200, rss([(f"旧闻{n}", text(f"old{n}"), days_ago(40 + 5 * n)) for n in range(5)])
        ),
        "/failing.xml": Reply(500, b"broken"),
        "/gone.xml": Reply(410, b"gone"),
        # every post a copy of one of the active department's, a few hours later
        "/copier.xml": Reply(
            200,
            rss(
                [
                    (f"转发：{t}", f"{b}（来源：活跃局）", w + timedelta(hours=3))
                    for t, b, w in active[:6]
                ]
            ),
        ),
        # two offices that publish the same four notices (each first with two of them)
        # and one of their own each: neither mostly reprints the other
        "/twin_a.xml": Reply(
            200, rss([*lagged(shared, odd=True), ("甲办自己的", text("a-own"), days_ago(2))])
        ),
        "/twin_b.xml": Reply(
            200, rss([*lagged(shared, odd=False), ("乙办自己的", text("b-own"), days_ago(2))])
        ),
    }


NAMES = {
    "active": "活跃局",
    "quiet": "少量办",
    "dormant": "沉睡局",
    "failing": "故障局",
    "gone": "撤销局",
    "copier": "转发办",
    "twin_a": "甲办",
    "twin_b": "乙办",
}


@pytest.fixture
def audited(tmp_path: Path) -> Iterator[Config]:
    with ScriptedServer() as server:
        server.routes.update(world())
        listed = "\n".join(
            f'  - {{id: {sid}, name: {name}, group: 部门, feed: "{server.url}/{sid}.xml"}}'
            for sid, name in NAMES.items()
        )
        path = tmp_path / "channels.yaml"
        path.write_text(
            f"""\
site: {{title: 审计测试, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, robots: false, delay: 0s}}
audit: {{dormant_days: 14, low_activity: 4, reprint_share: 0.8, overlap: 0.5}}
sources:
{listed}
channels: [{{slug: qita, title: 其他, fallback: true}}]
""",
            encoding="utf-8",
        )
        config = pipeline.load(path)
        store = pipeline.open_store(config)
        pipeline.crawl(config, store, NOW)
        pipeline.publish(config, store, NOW)
        store.close()
    yield config


def hub(*args: str) -> str:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}).invoke(
        main, list(args), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_each_source_gets_its_state_counts_and_reprint_share(audited: Config) -> None:
    report = json.loads(hub("audit", "-c", str(audited.path), "--json"))
    found = {s["id"]: s for s in report["sources"]}
    assert {sid: s["state"] for sid, s in found.items()} == {
        "active": "active",
        "quiet": "low-activity",  # a post 3 days ago, but 2 in 90 days
        "dormant": "dormant",  # the last one 40 days ago
        "failing": "failing",
        "gone": "gone",
        "copier": "active",  # it does publish: what it publishes is the question
        "twin_a": "active",
        "twin_b": "active",
    }
    active = found["active"]
    assert (active["posts"], active["posts_30d"], active["days_since_last_post"]) == (10, 10, 0)
    assert (found["quiet"]["posts_30d"], found["quiet"]["posts_90d"]) == (1, 2)
    assert found["dormant"]["days_since_last_post"] == 40 and found["dormant"]["posts_30d"] == 0
    assert found["dormant"]["posts_90d"] == 5 and found["dormant"]["posts_180d"] == 5
    assert found["failing"]["posts"] == 0 and found["failing"]["last_post"] is None
    # the copies are reprints of the active department's; the originals are not
    assert (found["copier"]["reprints"], found["copier"]["reprint_share"]) == (6, 1.0)
    assert found["copier"]["reprints_of"] == "active"
    assert found["active"]["reprints"] == 0
    assert (found["twin_a"]["reprints"], found["twin_b"]["reprints"]) == (2, 2)
    assert report["thresholds"]["dormant_days"] == 14


def test_merge_candidates_are_the_copier_and_the_twins(audited: Config) -> None:
    report = json.loads(hub("audit", "-c", str(audited.path), "--json"))
    merges = {(m["source"], m["into"], m["reason"]) for m in report["merge_candidates"]}
    assert merges == {("copier", "active", "only-reprints"), ("twin_a", "twin_b", "overlap")}
    twins = next(m for m in report["merge_candidates"] if m["reason"] == "overlap")
    assert (twins["shared_posts"], twins["share"]) == (4, 0.8)


def test_the_table_and_csv_say_the_same(audited: Config) -> None:
    out = hub("audit", "-c", str(audited.path))
    assert "8 sources: 4 active, 1 low-activity, 1 dormant, 1 failing, 1 gone" in out
    assert "转发办 -> 活跃局: 100% of its posts are 活跃局's notices" in out
    assert "甲办 -> 乙办: 4 notices in common, 80% of the smaller's posts" in out
    raw = hub("audit", "-c", str(audited.path), "--csv")
    assert raw.startswith("\ufeffsource,name,group,state,")  # Excel wants the BOM
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert [r["source"] for r in rows] == list(NAMES)
    assert rows[2]["state"] == "dormant" and rows[2]["days since"] == "40"
    assert rows[5]["reprints"] == "100%"


def test_thresholds_come_from_channels_yaml(audited: Config) -> None:
    text_now = audited.path.read_text(encoding="utf-8")
    audited.path.write_text(
        text_now.replace("dormant_days: 14", "dormant_days: 60"), encoding="utf-8"
    )
    report = json.loads(hub("audit", "-c", str(audited.path), "--json"))
    states = {s["id"]: s["state"] for s in report["sources"]}
    assert states["dormant"] == "active"  # 40 days is not dormant by a 60-day rule


def test_the_sources_page_shows_the_audit(audited: Config) -> None:
    page = (audited.site_dir / "sources" / "index.html").read_text(encoding="utf-8")
    assert "超过 14 天没有发布信息的单位标为“长期未更新”" in page
    row = page.split(">沉睡局</a>")[1].split("</tr>")[0]
    assert "长期未更新" in row and "40 天前" in row
    assert "更新较少" in page.split(">少量办</a>")[1].split("</tr>")[0]
    assert "已停止更新" in page.split(">撤销局</a>")[1].split("</tr>")[0]
    assert "100%" in page.split(">转发办</a>")[1].split("</tr>")[0]
    assert "内容重复较多的单位" in page
    assert "转发办：100% 的信息转载自活跃局" in page
    assert "甲办与乙办：有 4 条相同信息" in page


def test_the_sources_page_shows_the_inspection_indicators(audited: Config) -> None:
    page = (audited.site_dir / "sources" / "index.html").read_text(encoding="utf-8")
    columns = page.split('id="columns"')[1]
    assert "动态、要闻类栏目 14 天内、通知公告和政策文件类栏目 183 天内应有更新" in columns
    assert "空白栏目：0 个（达到 5 个为不合格）" in columns
    assert ">其他</th>" in columns and "正常更新" in columns.split(">其他</th>")[1]
    # availability of each source's address over the last 7 days of fetches
    assert page.split(">活跃局</a>")[1].split("</tr>")[0].count("100%") == 1
    failing = page.split(">故障局</a>")[1].split("</tr>")[0]
    assert 'data-label="可访问" class="state-failing">0%</td>' in failing

"""The editors' tools end to end through the command line: check's warnings, explain and
route --diff (golden outputs), OPML in and out, and a publish that moves exactly what the
diff predicted.

Golden files live in tests/golden/; after a deliberate change, regenerate them with
HUB_UPDATE_GOLDEN=1 pytest tests/test_editors.py and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import pipeline
from hub.cli import main
from hub.models import Post
from hub.pipeline import trace

GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
CONFIG = """\
site: {title: 示例县政务信息聚合平台, base_url: "https://portal.example.gov.cn/"}
sources:
  - {id: banquan, name: 板泉镇人民政府, group: 镇街, feed: "https://x.gov.cn/bq.xml"}
  - {id: wlj, name: 县文化和旅游局, group: 部门, tags: [文旅], feed: "https://x.gov.cn/wlj.xml"}
  - {id: yjj, name: 县应急管理局, group: 部门, feed: "https://x.gov.cn/yjj.xml"}
channels:
  - {slug: shizheng, title: 时政要闻, include: [{title_keywords: [县长]}], exclusive: 要闻,
     priority: 10}
  - {slug: zhenjie, title: 镇街动态, include: [{group: 镇街}]}
  - {slug: bumen, title: 部门快讯, include: [{group: 部门}], exclusive: 要闻}
  - {slug: yiyou, title: 宜游, include: [{keywords: [旅游, 景区]}, {tags: 文旅}],
     exclude: [{keywords: [招标]}]}
  - {slug: pingan, title: 平安, include: [{keywords: [防汛, 消防]}]}
  - {slug: qita, title: 其他, fallback: true}
"""
POSTS = [
    ("banquan", "板泉镇召开防汛工作部署会", "会议要求压实防汛责任。", 1),
    ("banquan", "板泉镇乡村旅游节开幕", "游客如织。", 2),
    ("wlj", "县文旅局召开景区安全会议", "部署景区消防安全。", 3),
    ("wlj", "景区道路工程招标公告", "现公开招标。", 4),
    ("yjj", "县长带队检查防汛工作", "县长要求做好防汛准备。", 5),
    ("yjj", "县应急管理局召开例会", "总结上月工作。", 6),
]


def hub(project: Path, *args: str) -> tuple[int, str, str]:
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    result = CliRunner(env=env).invoke(
        main, [*args, "-c", str(project / "channels.yaml")], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "channels.yaml").write_text(CONFIG, encoding="utf-8")
    config = pipeline.load(tmp_path / "channels.yaml")
    store = pipeline.open_store(config)
    posts = [
        Post(
            source_id=sid,
            key=f"k{n}",
            url=f"https://x.gov.cn/{sid}/{n}.html",
            title=title,
            content_html=f"<p>{text}</p>",
            text=text,
            published=NOW - timedelta(days=n),
        )
        for n, (sid, title, text, _) in enumerate(POSTS, start=1)
    ]
    store.save(posts, NOW)
    code, _, err = hub(tmp_path, "publish")
    assert code == 0, err
    return tmp_path


def post_id(project: Path, title: str) -> str:
    store = pipeline.open_store(pipeline.load(project / "channels.yaml"))
    return next(p.post.id for p in store.posts() if p.post.title == title)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HUB_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


def edit(project: Path) -> None:
    """An editor's change: 平安 trades 消防 for 工作, and 宜游 refuses meetings (会议)."""
    text = (project / "channels.yaml").read_text(encoding="utf-8")
    text = text.replace("keywords: [防汛, 消防]", "keywords: [防汛, 工作]")
    text = text.replace("exclude: [{keywords: [招标]}]", "exclude: [{keywords: [招标, 会议]}]")
    (project / "channels.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_golden(project: Path, fmt: str) -> None:
    target = post_id(project, "县长带队检查防汛工作")
    code, out, _ = hub(project, "explain", target, *(["--json"] if fmt == "json" else []))
    assert code == 0
    golden(f"explain.{'json' if fmt == 'json' else 'txt'}", out)
    if fmt == "json":
        data = json.loads(out)
        assert [c["channel"] for c in data["channels"]] == ["shizheng", "pingan"]
        assert {m["channel"]: m["reason"] for m in data["not_in"]}["bumen"] == (
            "lost to shizheng in exclusive group 要闻 (priority 10 over 0)"
        )


def test_explain_by_original_url_and_unknown_posts(project: Path) -> None:
    code, out, _ = hub(project, "explain", "http://x.gov.cn/wlj/4.html")
    assert code == 0 and out.startswith("景区道路工程招标公告\n")
    assert "excluded by exclude rule 1: keyword 招标 in title" in out
    code, _, err = hub(project, "explain", "nothing-like-this")
    assert code == 1 and err == "error: no stored post has the id or URL 'nothing-like-this'\n"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_route_diff_golden(project: Path, fmt: str) -> None:
    edit(project)
    code, out, _ = hub(project, "route", "--diff", *(["--json"] if fmt == "json" else []))
    assert code == 0
    golden(f"route-diff.{'json' if fmt == 'json' else 'txt'}", out)


def test_publishing_moves_exactly_what_the_diff_predicted(project: Path) -> None:
    config_dir = project / "data"
    before = trace.load(config_dir)
    edit(project)
    code, out, _ = hub(project, "route", "--diff", "--json")
    assert code == 0
    predicted = json.loads(out)["channels"]
    assert predicted  # the edit moves something
    assert hub(project, "publish")[0] == 0
    after = trace.load(config_dir)
    moved: dict[str, dict[str, set[str]]] = {}
    for pid in set(before.placements) | set(after.placements):
        old, new = set(before.channels(pid)), set(after.channels(pid))
        for slug in new - old:
            moved.setdefault(slug, {"enter": set(), "leave": set()})["enter"].add(pid)
        for slug in old - new:
            moved.setdefault(slug, {"enter": set(), "leave": set()})["leave"].add(pid)
    expected = {
        slug: {"enter": {m["id"] for m in c["enter"]}, "leave": {m["id"] for m in c["leave"]}}
        for slug, c in predicted.items()
    }
    assert moved == expected
    assert hub(project, "route", "--diff")[1].endswith("no post would move\n")


def test_the_trace_a_process_remembers_is_the_one_on_disk(project: Path) -> None:
    """A long-running hub reads the trace it wrote from memory, and the file again
    once another process wrote it."""
    folder = project / "data"
    remembered = trace.load(folder)
    assert remembered.placements and remembered.shown
    trace._LAST.clear()
    assert trace.load(folder) == remembered
    posts = json.loads((folder / trace.FILE).read_text(encoding="utf-8"))
    some = next(iter(posts["posts"]))
    posts["posts"][some]["placements"] = {"other": {"how": "desk"}}
    (folder / f"{trace.FILE}.new").write_text(json.dumps(posts), encoding="utf-8")
    (folder / f"{trace.FILE}.new").replace(folder / trace.FILE)  # as another process
    assert trace.load(folder).channels(some) == ("other",)


def test_route_diff_since_limits_the_posts(project: Path) -> None:
    edit(project)
    data = json.loads(hub(project, "route", "--diff", "--since", "2d12h", "--json")[1])
    assert data["posts"] == 2  # the two newest posts only
    assert data["since"] == (NOW - timedelta(days=2, hours=12)).isoformat()


def test_check_warns_about_rules_that_reach_nothing(project: Path) -> None:
    text = (project / "channels.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - {slug: qita,",
        "  - {slug: hongse, title: 红色, include: [{keywords: [党史]}]}\n  - {slug: qita,",
    )
    text += "overrides:\n  - {post: no-such-post, hide: true}\n"
    (project / "channels.yaml").write_text(text, encoding="utf-8")
    code, out, err = hub(project, "check")
    assert code == 0 and out.endswith("ok: 3 sources, 7 channels\n")
    assert err.splitlines() == [
        "warning: channels.yaml:14: channels[5]: hongse takes none of the 6 stored posts: "
        "a blank section, left out of the portal's navigation, home page and sitemap until a "
        "post reaches it",
        "warning: channels.yaml:17: overrides[0].post: no stored post is 'no-such-post'",
    ]


def test_check_writes_nothing_without_a_database(tmp_path: Path) -> None:
    (tmp_path / "channels.yaml").write_text(CONFIG, encoding="utf-8")
    code, _, err = hub(tmp_path, "check")
    assert code == 0 and "no database yet" in err
    assert not (tmp_path / "data").exists()


def test_overrides_reach_the_portal(project: Path) -> None:
    hidden, pinned = (
        post_id(project, "县应急管理局召开例会"),
        post_id(project, "板泉镇乡村旅游节开幕"),
    )
    with (project / "channels.yaml").open("a", encoding="utf-8") as config:
        config.write(
            f"overrides:\n  - {{post: {hidden}, hide: true, note: 撤稿}}\n"
            f"  - {{post: {pinned}, pin: [pingan]}}\n"
        )
    assert hub(project, "publish")[0] == 0
    site = project / "site"
    assert hidden not in "".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    pingan = (site / "c" / "pingan" / "index.html").read_text("utf-8")
    assert pingan.index(pinned) < pingan.index(post_id(project, "板泉镇召开防汛工作部署会"))
    code, out, _ = hub(project, "explain", pinned)
    assert code == 0
    assert "override: pinned in pingan" in out
    assert re.search(r"平安 \(pingan\)\s+pinned by an override", out)


OPML = """<?xml version="1.0"?>
<opml version="1.0"><head><title>订阅</title></head><body>
  <outline text="县直部门">
    <outline text="县文化和旅游局" xmlUrl="https://x.gov.cn/wlj.xml"/>
    <outline text="科室">
      <outline title="县统计局" type="rss" xmlUrl="http://www.tjj.tongxi.gov.cn/zwgk/rss.xml"/>
    </outline>
  </outline>
  <outline text="县气象局" htmlUrl="http://qxj.tongxi.gov.cn/"/>
</body></opml>"""


def test_opml_import_prints_entries_for_new_subscriptions(project: Path) -> None:
    (project / "subs.opml").write_text(OPML, encoding="utf-8")
    code, out, _ = hub(project, "sources", "import", str(project / "subs.opml"))
    assert code == 0
    assert out == (
        "# add under sources: in channels.yaml\n"
        '  - id: tjj-tongxi-zwgk\n    name: "县统计局"\n    group: "科室"\n'
        '    feed: "http://www.tjj.tongxi.gov.cn/zwgk/rss.xml"\n'
        "  # no feed: 县气象局 http://qxj.tongxi.gov.cn/ (add it with page: and its CSS "
        "selectors)\n"
    )


def test_opml_export_round_trips(project: Path) -> None:
    code, out, _ = hub(project, "sources", "export")
    assert code == 0 and out.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">'
    )
    (project / "out.opml").write_text(out, encoding="utf-8")
    _, again, err = hub(project, "sources", "import", str(project / "out.opml"))
    assert again == "" and err == "every subscription is already configured (3 of 3)\n"
    code, out, _ = hub(project, "sources", "export", "--channel", "yiyou")
    assert "县文化和旅游局" in out and "县应急管理局" not in out

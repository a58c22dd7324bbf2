"""Reprint detection: near-duplicates across departments, one canonical post each."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import reprints
from hub.models import Post
from hub.reprints import Candidate
from tests.conftest import reprinted_by

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
NOTICE = (
    "各镇（街道）、县直各有关单位：当前已进入主汛期，为切实做好今年汛期安全防范工作，"
    "确保人民群众生命财产安全，现将有关事项通知如下。一、严格落实二十四小时值班和领导带班"
    "制度，确保信息畅通。二、开展隐患排查，对山洪、地质灾害易发区逐一落实监测责任人。"
    "三、加强物资储备，提前预置抢险队伍和装备。"
)


def candidate(pid: str, text: str, department: str, hours: float = 0) -> Candidate:
    return Candidate(
        pid,
        reprints.sketch(text),
        T0 + timedelta(hours=hours),
        department,
        reprints.origin_named(text),
    )


def test_boilerplate_and_punctuation_do_not_count() -> None:
    reprint = (
        f"来源：县应急管理局\n{NOTICE.replace('，', ',')}\n责任编辑：王芳\n"
        "【字号：大 中 小】【打印】【关闭】\n分享到："
    )
    assert reprints.normalize(reprint) == reprints.normalize(NOTICE)
    assert reprints.similarity(reprints.sketch(reprint), reprints.sketch(NOTICE)) == 1.0


def test_short_texts_are_not_sketched() -> None:
    assert reprints.sketch("县召开防汛会议") == ()


def test_reprints_cluster_under_the_department_they_name() -> None:
    posts = [
        candidate("town1", f"{NOTICE}\n来源：县应急管理局", "白沙镇人民政府", hours=-3),
        candidate("yjj", NOTICE, "县应急管理局", hours=0),
        candidate("town2", f"转发：{NOTICE}（来源：县应急管理局）", "石门镇人民政府", hours=5),
        candidate("other", "县文化和旅游局举办非遗展示周活动，" * 4, "县文化和旅游局"),
    ]
    found = reprints.clusters(posts)
    assert found == {"town1": "yjj", "yjj": "yjj", "town2": "yjj"}
    assert reprinted_by(found) == {"yjj": ["town1", "town2"]}


def test_without_a_named_origin_the_earliest_is_canonical() -> None:
    posts = [candidate("b", NOTICE, "乙", hours=2), candidate("a", NOTICE, "甲", hours=1)]
    assert reprints.clusters(posts) == {"a": "a", "b": "a"}


def test_the_same_text_a_year_later_is_not_a_reprint() -> None:
    posts = [candidate("2025", NOTICE, "甲"), candidate("2026", NOTICE, "甲", hours=24 * 365)]
    assert reprints.clusters(posts) == {}


def test_notices_sharing_set_phrases_are_not_reprints() -> None:
    # Government prose repeats whole sentences; a different first paragraph must be enough.
    common = "会议强调，要提高政治站位，压紧压实责任，确保各项任务落到实处、见到实效。"
    one = f"6月14日，白沙镇在枫林村组织开展防汛检查，共有36人参加。{common}"
    two = f"6月12日上午，县林业局有关负责同志带队深入石桥村，现场了解森林防火情况。{common}"
    assert reprints.clusters([candidate("1", one, "甲"), candidate("2", two, "乙")]) == {}


@pytest.mark.skipif(
    not (DATA / "government_work_reports.jsonl").is_file(),
    reason="the real-prose corpus sits in ../shared/data, not in a clone",
)
def test_real_government_prose_has_few_false_reprints() -> None:
    """2,873 paragraphs of State Council reports, all dated the same day (the hardest
    case): only paragraphs that really repeat from year to year may cluster."""
    lines = (DATA / "government_work_reports.jsonl").read_text(encoding="utf-8").splitlines()
    paragraphs = [
        p.strip()
        for line in lines
        for p in json.loads(line)["content"].split("\n")
        if len(p.strip()) >= 150
    ]
    posts = [candidate(str(i), p, f"d{i}") for i, p in enumerate(paragraphs)]
    found = reprints.clusters(posts)
    assert len(paragraphs) > 2000
    assert len(found) <= 10, len(found)
    for post_id, canonical in found.items():
        same = reprints.similarity(posts[int(post_id)].sketch, posts[int(canonical)].sketch)
        assert same >= 0.8


def short(pid: str, text: str, department: str, hours: float = 0) -> Candidate:
    post = Post(pid, "k", "https://x.gov.cn/a/1.html", "停水通知", text, text, T0)
    return Candidate(
        pid,
        reprints.sketch(text),
        T0 + timedelta(hours=hours),
        department,
        reprints.origin_named(text),
        "" if reprints.sketch(text) else reprints.same_text(post),
    )


def test_identical_posts_are_reprints_however_short() -> None:
    """Issue 12: two sources carrying the same short post (same title, body and date)
    were both listed in one section: too short to sketch, they were never compared."""
    text = "明日9时至17时城关片区停水。"
    posts = [
        short("a", text, "自来水公司", hours=1),
        short("b", text, "城关街道", hours=2),
        short("c", "明日9时至17时白沙片区停水。", "白沙镇", hours=2),  # one word differs
        short("d", text, "石门镇", hours=24 * 60),  # two months later: a new notice
    ]
    assert reprints.clusters(posts) == {"a": "a", "b": "a"}


def test_an_editor_joins_a_reprint_hub_missed_and_splits_one_it_made() -> None:
    posts = [
        candidate("yjj", NOTICE, "县应急管理局"),
        candidate("town", f"转发：{NOTICE}", "白沙镇人民政府", hours=1),
        candidate("own", "县文化和旅游局举办非遗展示周活动，" * 4, "县文化和旅游局"),
    ]
    assert reprints.clusters(posts) == {"yjj": "yjj", "town": "yjj"}
    assert reprints.clusters(posts, apart={"town"}) == {}
    # joined: the copy is never the canonical one, even when it came first
    assert reprints.clusters(posts, joined={"yjj": "own"}) == {
        "yjj": "own",
        "town": "own",
        "own": "own",
    }

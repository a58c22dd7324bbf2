"""Reprint detection: near-duplicates across departments, one canonical post each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench import reprints as bench
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


def candidate(pid: str, text: str, department: str, hours: float = 0, title: str = "") -> Candidate:
    post = Post("s", pid, f"https://x.gov.cn/{pid}.html", title, text, text, T0)
    return Candidate(
        pid,
        reprints.sketch_post(post),
        T0 + timedelta(hours=hours),
        department,
        reprints.origin_named(text),
        post=post,
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
def test_real_government_prose_has_few_false_reprints_and_reprints_of_it_are_found() -> None:
    """4,204 paragraphs of State Council reports, all dated within the hour (the hardest
    case): reports of different years share whole sentences, and only paragraphs that
    repeat may cluster (1 does not today, 0.02%; the bound is 0.1%). Notices made of
    that prose are recognised in each way towns reprint them (100% today)."""
    prose = bench.paragraphs()
    texts = {str(n): p for n, p in enumerate(prose)}
    posts = [bench.post(pid, "", text) for pid, text in texts.items()]
    assert len(posts) > 4000
    wrong = bench.false_merges(reprints.clusters(bench.candidates(posts)), texts)
    assert wrong <= len(posts) / 1000, wrong
    notices = bench.notices(prose, 100)
    found = reprints.clusters(bench.candidates(bench.crafted(notices) + posts))
    total, caught, other = bench.recall(found, notices)
    assert (total, other) == (600, 0) and caught >= 0.98 * total, caught


# A county notice as counties publish it, and what towns make of it when they reprint it.
FLOOD_TITLE = "县人民政府办公室关于做好2026年汛期安全防范工作的通知"
OPENING = (
    "当前已进入主汛期，据气象部门预测，6月下旬至7月上旬我县将出现多轮强降雨过程。为切实做好"
    "今年汛期安全防范工作，确保人民群众生命财产安全，现将有关事项通知如下："
)
ITEMS = (
    "一、严格落实值班制度。各单位要严格执行24小时值班和领导带班制度，保持通讯畅通，遇有险情"
    "第一时间报告县防汛抗旱指挥部办公室。",
    "二、全面排查风险隐患。对山洪、地质灾害易发区和病险水库逐一落实监测责任人，发现隐患立即"
    "整改，不能立即整改的要落实临时避险措施。",
    "三、加强物资储备。各镇（街道）要提前预置抢险队伍和装备，确保关键时刻拉得出、用得上。",
    "四、做好信息报送。各单位于每日17时前将当日汛情和防范工作情况报县防汛抗旱指挥部办公室，"
    "联系电话：0739-5212345。",
)
FLOOD_NOTICE = bench.Notice(
    FLOOD_TITLE,
    "各镇（街道）、县直各有关单位：",
    (OPENING, *ITEMS),
    "附件：1.汛期值班表.docx\n2.风险隐患排查台账.xlsx",
    "县人民政府办公室\n2026年6月12日",
)
FLOOD = FLOOD_NOTICE.text()
REPRINTED = FLOOD_NOTICE.reprints() | {
    "no addressee, last item and signature cut": (FLOOD_TITLE, "\n".join((OPENING, *ITEMS[:-1])))
}


@pytest.mark.parametrize("variant", REPRINTED)
def test_a_reprint_that_differs_a_little_is_recognised(variant: str) -> None:
    title, text = REPRINTED[variant]
    posts = [
        candidate("county", FLOOD, "县人民政府办公室", title=FLOOD_TITLE),
        candidate("town", text, "白沙镇人民政府", hours=20, title=title),
    ]
    assert reprints.clusters(posts) == {"county": "county", "town": "county"}


def test_every_reprint_of_a_notice_joins_one_cluster() -> None:
    """Towns reprint a notice each in their own way; the pairs of reprints that are not
    contained in each other (a preface here, a cut there) still meet through it."""
    posts = [candidate("county", FLOOD, "县人民政府办公室", title=FLOOD_TITLE)]
    posts += [
        candidate(f"town{n}", text, f"第{n}镇", hours=n + 1, title=title)
        for n, (title, text) in enumerate(REPRINTED.values())
    ]
    assert set(reprints.clusters(posts).items()) == {(p.id, "county") for p in posts}


def test_the_attachment_lines_the_preface_and_the_signature_do_not_count() -> None:
    title, text = REPRINTED["转发 title, preface, no attachment"]
    assert reprints.normalize(f"{title}\n{text}") == reprints.normalize(f"{FLOOD_TITLE}\n{FLOOD}")


def publicity(names: str) -> str:
    return (
        f"经各党支部推荐、镇党委研究，拟推荐{names}等3名同志为2025—2026年度县级优秀共产党员。"
        "为广泛听取党员群众意见，现予公示，公示期为2026年6月15日至6月19日（5个工作日）。"
        "公示期间，如对公示对象有异议，可通过来电、来信、来访等方式向镇纪委反映。反映问题要"
        "实事求是，提倡署真实姓名，以便调查核实。联系电话：0739-5216001。\n"
        "中共白沙镇委员会\n2026年6月15日"
    )


def meeting(day: int) -> str:
    return (
        f"各镇（街道）、县直有关单位：\n经县人民政府同意，定于2026年6月{day}日（星期四）上午"
        "9:00在县政府三楼会议室召开全县安全生产工作会议，现将有关事项通知如下：\n"
        "一、参会人员：各镇（街道）分管安全生产工作负责同志，县应急管理局、县住建局、县交通"
        "运输局主要负责同志。\n二、会议内容：通报上半年全县安全生产工作情况，部署下一阶段重点"
        "工作。\n三、有关要求：请参会人员提前10分钟到场签到，不得无故缺席，确因特殊情况不能"
        "参会的，须提前向县安委办请假。联系人：李明，电话：0739-5213456。\n"
        f"县安全生产委员会办公室\n2026年6月{day - 3}日"
    )


def monthly(months: str, figures: tuple[float, ...]) -> str:
    return (
        f"{months}，全县经济运行总体平稳、稳中有进。规模以上工业增加值同比增长{figures[0]}%，"
        f"固定资产投资完成{figures[1]}亿元，同比增长{figures[2]}%；社会消费品零售总额完成"
        f"{figures[3]}亿元，同比增长{figures[4]}%；一般公共预算收入完成{figures[5]}亿元，同比"
        "增长3.4%。城乡居民收入稳步增长，居民消费价格总体平稳。下一步，我县将紧盯全年目标"
        "任务，狠抓项目建设和企业服务，推动经济持续回升向好。"
    )


def outage(area: str) -> str:
    return (
        f"尊敬的电力客户：因{area}10千伏线路设备检修需要，县供电公司定于2026年6月20日"
        "8:00至18:00对上述区域停电。停电期间，请广大用户提前做好生产生活安排，请勿攀登、"
        "触碰电力设施，视线路设备为带电状态，确保人身安全。如遇天气等特殊情况，停电时间将"
        "顺延或提前送电，恕不另行通知。由此给您带来的不便，敬请谅解。供电服务热线：95598。"
        "温馨提示：夏季用电高峰期间，请广大用户合理安排用电，错峰使用大功率电器，共同维护"
        "电网安全稳定运行。如发现电力设施被盗或损坏，请及时拨打供电服务热线报告。"
    )


PREAMBLE = (
    "为深入贯彻落实党中央、国务院和省委、省政府关于安全生产工作的决策部署，进一步压紧压实"
    "安全生产责任，有效防范和遏制各类生产安全事故发生，切实保障人民群众生命财产安全，根据"
    "上级有关要求，结合我县实际，现将有关事项通知如下："
)
GAS = (
    "一、全面排查城镇燃气管道、餐饮场所用气安全隐患，督促经营单位安装可燃气体报警装置。"
    "二、严厉打击非法充装、违规运输和使用液化石油气行为，发现一起查处一起。"
)
ROADS = (
    "一、加强农村道路交通安全管理，重点整治面包车超员、货车违法载人和酒后驾驶等违法行为。"
    "二、对临水临崖、急弯陡坡路段逐一排查，完善警示标志和防护设施。"
)

DIFFERENT = {
    "a 公示 of the same template, other names": (
        publicity("张建国、李秀英、王志强"),
        publicity("刘德华、陈美玲、赵国庆"),
    ),
    "the same meeting notice for another date": (meeting(18), meeting(25)),
    "this month's figures": (
        monthly("1-5月", (6.2, 38.6, 9.1, 45.3, 5.8, 7.26)),
        monthly("1-6月", (6.5, 46.2, 8.7, 54.9, 6.1, 8.83)),
    ),
    "the same preamble, another body": (
        f"各镇（街道）、县直有关单位：\n{PREAMBLE}\n{GAS}",
        f"各镇（街道）、县直有关单位：\n{PREAMBLE}\n{ROADS}",
    ),
    "one sentence of a long notice": (OPENING, FLOOD),
    # a long template, the same day and hours: only the place differs (95% contained)
    "the same outage for another town": (outage("白沙镇白沙村"), outage("石门镇石门村")),
}


@pytest.mark.parametrize("case", DIFFERENT)
def test_notices_sharing_a_template_or_set_phrases_stay_apart(case: str) -> None:
    one, two = DIFFERENT[case]
    posts = [
        candidate("1", one, "甲", title="通知"),
        candidate("2", two, "乙", hours=1, title="通知"),
    ]
    assert reprints.clusters(posts) == {}


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


def test_a_pair_compared_before_is_compared_again_when_a_post_changed() -> None:
    """The memo of the last call's pairs answers only for the same sketches and posts: a
    post edited upstream into another notice leaves the cluster."""
    county = candidate("county", FLOOD, "县人民政府办公室", title=FLOOD_TITLE)
    title, text = REPRINTED["preface added"]
    town = candidate("town", text, "白沙镇人民政府", hours=2, title=title)
    assert reprints.clusters([county, town]) == {"county": "county", "town": "county"}
    assert reprints.clusters([county, town]) == {"county": "county", "town": "county"}
    # the same sketch (the edit is in a figure), another post
    edited = text.replace("24小时", "12小时")
    changed = Candidate(
        "town", town.sketch, town.date, town.department, "", post=candidate("town", edited, "").post
    )
    assert reprints.clusters([county, changed]) == {}

"""Routing as tables: (post, rules) -> channels and the reason for each; misses; overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.config import Channel, Override, Rule, Source
from hub.models import Post, StoredPost
from hub.route import Router

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
SOURCES = (
    Source(id="banquan", name="板泉镇", group="镇街", feed="https://x.gov.cn/1.xml"),
    Source(
        id="wlj", name="县文化和旅游局", group="部门", tags=("文旅",), feed="https://x.gov.cn/2.xml"
    ),
    Source(id="yjj", name="县应急管理局", group="部门", feed="https://x.gov.cn/3.xml"),
    Source(id="gdj", name="县供电公司", group="企事业单位", feed="https://x.gov.cn/4.xml"),
)
BASE = (
    Channel(slug="zhenjie", title="镇街动态", include=(Rule(group=("镇街",)),)),
    Channel(
        slug="yiyou",
        title="宜游",
        include=(Rule(keywords=("旅游", "景区", "民宿")), Rule(source=("wlj",))),
        exclude=(Rule(keywords=("招标",)),),
    ),
    Channel(slug="pingan", title="平安", include=(Rule(group=("部门",), keywords=("防汛",)),)),
    Channel(slug="qita", title="其他", fallback=True),
)


def stored(
    source: str = "banquan",
    title: str = "标题",
    text: str = "",
    *,
    days: float = 1,
    url: str = "https://x.gov.cn/a/1.html",
    author: str = "",
    categories: tuple[str, ...] = (),
) -> StoredPost:
    published = NOW - timedelta(days=days)
    post = Post(
        source_id=source,
        key=title + url,
        url=url,
        title=title,
        content_html=f"<p>{text}</p>",
        text=text,
        published=published,
        author=author,
        categories=categories,
    )
    return StoredPost(post, published, published)


def route(
    post: StoredPost, channels: tuple[Channel, ...] = BASE, overrides: tuple[Override, ...] = ()
) -> dict[str, str]:
    return Router(channels, SOURCES, ZONE, overrides).route(post, NOW).reasons


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        (stored("banquan", "板泉镇召开例会"), {"zhenjie": "rule 1: group 镇街"}),
        (
            stored("banquan", "板泉镇民宿旅游节开幕"),
            {"zhenjie": "rule 1: group 镇街", "yiyou": "rule 1: keyword 旅游 in title"},
        ),
        (stored("wlj", "文旅局召开会议"), {"yiyou": "rule 2: source wlj"}),
        (stored("yjj", "景区道路工程招标公告"), {"qita": "fallback: no other channel took it"}),
        (
            stored("yjj", "县应急管理局召开会议", "部署防汛工作"),
            {"pingan": "rule 1: group 部门, keyword 防汛 in text"},
        ),
        (stored("banquan", "板泉镇部署防汛"), {"zhenjie": "rule 1: group 镇街"}),
        (stored("gdj", "停电通知"), {"qita": "fallback: no other channel took it"}),
        (stored("unknown", "乡村旅游"), {"yiyou": "rule 1: keyword 旅游 in title"}),
        # Chinese as written: traditional and full-width forms match simplified keywords
        (stored("gdj", "鄉村旅遊持續升溫"), {"yiyou": "rule 1: keyword 旅游 in title"}),
        (stored("gdj", "景區開放"), {"yiyou": "rule 1: keyword 景区 in title"}),
    ],
)
def test_base_rules(post: StoredPost, expected: dict[str, str]) -> None:
    routed = Router(BASE, SOURCES, ZONE).route(post, NOW)
    assert routed.reasons == expected
    assert routed.channels == tuple(expected)  # navigation order


def one(rule: Rule) -> tuple[Channel, ...]:
    return (Channel(slug="x", title="x", include=(rule,)),)


FIELD_TABLE: list[tuple[dict[str, Any], StoredPost, str | None]] = [
    ({"tags": "文旅"}, stored("wlj"), "rule 1: tag 文旅"),
    ({"tags": "文旅"}, stored("yjj"), None),
    ({"title_keywords": ["防汛"]}, stored(title="部署防汛"), "rule 1: keyword 防汛 in title"),
    ({"title_keywords": ["防汛"]}, stored(text="部署防汛"), None),
    (
        {"all_keywords": ["防汛", "演练"]},
        stored(title="防汛", text="应急演练"),
        "rule 1: keywords 防汛、演练",
    ),
    ({"all_keywords": ["防汛", "演练"]}, stored(title="防汛"), None),
    ({"keywords": ["APP"]}, stored(title="“皖事通”ａｐｐ上线"), "rule 1: keyword APP in title"),
    (
        {"regex": "第[一二三四五六七八九十]+期"},
        stored(title="桐溪周报第十二期"),
        "rule 1: regex 第十二期 in title",
    ),
    (
        {"regex": "^关于.+的通知$"},
        stored(title="关于做好防汛工作的通知"),
        "rule 1: regex 关于做好防汛工作的通知 in title",
    ),
    ({"regex": "^关于.+的通知$"}, stored(title="关于做好防汛工作的公告"), None),
    ({"category": "文旅"}, stored(categories=("文旅", "通知")), "rule 1: category 文旅"),
    ({"category": "文旅"}, stored(categories=("通知",)), None),
    ({"url": "*/zcwj/*"}, stored(url="https://x.gov.cn/zcwj/1.html"), "rule 1: url */zcwj/*"),
    ({"url": "*/zcwj/*"}, stored(url="https://x.gov.cn/gzdt/1.html"), None),
    (
        {"url": "re:/t2026\\d{4}_"},
        stored(url="https://x.gov.cn/t20260614_1.html"),
        "rule 1: url re:/t2026\\d{4}_",
    ),
    ({"author": "记者站"}, stored(author="县融媒体中心记者站"), "rule 1: author 记者站"),
    ({"max_age": "7d"}, stored(days=3), "rule 1: max_age 2026-06-12"),
    ({"max_age": "7d"}, stored(days=10), None),
    ({"since": "2026-06-01"}, stored(days=3), "rule 1: since 2026-06-12"),
    ({"until": date(2026, 6, 1)}, stored(days=3), None),
    ({"group": "部门", "keywords": ["防汛"]}, stored("yjj", text="无关"), None),
    # a pattern matches either case and either width; its escapes keep their meaning
    ({"regex": "APP"}, stored(title="“皖事通”ａｐｐ上线"), "rule 1: regex app in title"),
    ({"regex": "\\D{2}APP"}, stored(title="皖事通APP"), "rule 1: regex 事通app in title"),
    ({"regex": "\\d{4}年"}, stored(title="２０２６年防汛"), "rule 1: regex 2026年 in title"),
]


@pytest.mark.parametrize(("fields", "post", "expected"), FIELD_TABLE)
def test_every_field(fields: dict[str, Any], post: StoredPost, expected: str | None) -> None:
    reasons = route(post, one(Rule.model_validate(fields)))
    assert reasons.get("x") == expected


def test_longest_keyword_is_the_one_reported() -> None:
    reasons = route(
        stored(title="县开展防汛应急演练"), one(Rule(keywords=("防汛", "防汛应急演练")))
    )
    assert reasons == {"x": "rule 1: keyword 防汛应急演练 in title"}


EXCLUSIVE = (
    Channel(
        slug="shizheng",
        title="时政要闻",
        include=(Rule(title_keywords=("县长",)),),
        exclusive="要闻",
        priority=10,
    ),
    Channel(slug="bumen", title="部门快讯", include=(Rule(group=("部门",)),), exclusive="要闻"),
    Channel(slug="pingan", title="平安", include=(Rule(keywords=("防汛",)),)),
)


def test_exclusive_groups_keep_a_post_in_one_channel() -> None:
    both = stored("yjj", "县长部署防汛")
    routed = Router(EXCLUSIVE, SOURCES, ZONE).route(both, NOW)
    assert routed.channels == ("shizheng", "pingan")
    misses = {
        m.channel: m.reason for m in Router(EXCLUSIVE, SOURCES, ZONE).misses(both, NOW, routed)
    }
    assert misses == {"bumen": "lost to shizheng in exclusive group 要闻 (priority 10 over 0)"}
    assert Router(EXCLUSIVE, SOURCES, ZONE).route(stored("yjj", "部门例会"), NOW).channels == (
        "bumen",
    )


def test_equal_priority_goes_to_the_first_channel() -> None:
    tied = tuple(c.model_copy(update={"priority": 0}) for c in EXCLUSIVE)
    assert Router(tied, SOURCES, ZONE).route(stored("yjj", "县长讲话"), NOW).channels == (
        "shizheng",
    )


POST = stored("gdj", "停电通知", url="https://gdj.example.cn/a/9.html")


@pytest.mark.parametrize(
    ("override", "channels", "pinned", "hidden"),
    [
        (Override(post=POST.post.id, pin=("zhenjie",)), ("zhenjie",), ("zhenjie",), False),
        (
            Override(post="http://gdj.example.cn/a/9.html/", add=("yiyou", "zhenjie")),
            ("zhenjie", "yiyou"),
            (),
            False,
        ),
        (Override(post=POST.post.id, hide=True), (), (), True),
        (Override(post="someone-else", hide=True), ("qita",), (), False),
    ],
)
def test_overrides(
    override: Override, channels: tuple[str, ...], pinned: tuple[str, ...], hidden: bool
) -> None:
    routed = Router(BASE, SOURCES, ZONE, (override,)).route(POST, NOW)
    assert (routed.channels, routed.pinned, routed.hidden) == (channels, pinned, hidden)
    for slug in channels:
        assert str(routed.placements[slug]) in (
            "pinned by an override",
            "added by an override",
            "fallback: no other channel took it",
        )


def test_misses_explain_the_nearest_rule() -> None:
    post = stored("yjj", "景区道路工程招标公告", "防汛")
    router = Router(BASE, SOURCES, ZONE)
    routed = router.route(post, NOW)
    misses = {m.channel: m.reason for m in router.misses(post, NOW, routed)}
    assert routed.channels == ("pingan",)
    assert misses == {
        "zhenjie": "rule 1: group is 部门, not 镇街",
        "yiyou": "excluded by exclude rule 1: keyword 招标 in title",
        "qita": "fallback: other channels took the post",
    }


CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(a|a)*b", "(a+a+)+c", "^(([a-z])+.)+[A-Z]([a-z])+$"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_patterns_that_backtrack_forever_run_in_linear_time(pattern: str) -> None:
    # Python's engine takes 2^n steps for these on n letters: (a+)+$ on 28 letters and a
    # full stop once held the writer lock for 19 s. RE2 answers at once, however long
    # the post; this test finishing is the point.
    text = "a" * 40_000 + "!"
    for channels in (one(Rule(regex=pattern)), one(Rule(url="re:" + pattern))):
        post = stored(title="a" * 30 + "!", text=text, url="https://x.gov.cn/" + "a" * 2000 + "!")
        assert route(post, channels).get("x") is None


def test_keywords_found_once_are_found_again_after_a_change_of_post_or_rules() -> None:
    """A process keeps the keywords each version of a post holds: a changed post, or
    rules with other keywords, are looked at anew."""
    post = stored("yjj", "县应急管理局部署工作", "全县开展旅游景区安全检查。")
    assert Router(BASE, SOURCES, ZONE).route(post, NOW).channels == ("yiyou",)
    assert Router(BASE, SOURCES, ZONE).route(post, NOW).channels == ("yiyou",)  # remembered
    changed = Post(
        source_id=post.post.source_id,
        key=post.post.key,
        url=post.post.url,
        title=post.post.title,
        content_html="<p>全县开展防汛安全检查。</p>",
        text="全县开展防汛安全检查。",
        published=post.post.published,
    )
    again = StoredPost(changed, post.first_seen, post.filed)
    assert changed.id == post.post.id and changed.hash != post.post.hash
    assert Router(BASE, SOURCES, ZONE).route(again, NOW).channels == ("pingan",)
    other = (*BASE[:2], Channel(slug="pingan", title="平安", include=(Rule(keywords=("安全",)),)))
    assert Router(other, SOURCES, ZONE).route(post, NOW).channels == ("yiyou", "pingan")


def test_keywords_found_are_kept_for_two_sets_of_rules_at_most() -> None:
    """The live rules and a candidate's (a preview): a third set forgets the oldest."""
    from hub import route  # noqa: PLC0415

    post = stored("yjj", "县应急管理局部署工作", "全县开展旅游景区安全检查。")
    for word in ("安全", "检查", "部署"):
        rules = (*BASE[:2], Channel(slug="pingan", title="平安", include=(Rule(keywords=(word,)),)))
        Router(rules, SOURCES, ZONE).route(post, NOW)
        assert len(route._FOUND) <= route.KEYWORD_SETS_KEPT


def test_a_post_routed_again_by_the_same_rules_is_routed_as_it_was() -> None:
    """A long-running hub routes the same stored post once per set of rules; other rules,
    an override, or a decision of the desk's route it anew."""
    from hub import route as route_module  # noqa: PLC0415
    from hub.decisions import Decision  # noqa: PLC0415

    post = stored("banquan", "板泉镇民宿旅游节开幕")
    first = Router(BASE, SOURCES, ZONE).route(post, NOW)
    assert Router(BASE, SOURCES, ZONE).route(post, NOW) is first
    assert first.channels == ("zhenjie", "yiyou")
    down = {post.post.id: Decision(post.post.id, hide_at=NOW + timedelta(hours=1))}
    desk = Router(BASE, SOURCES, ZONE, decisions=down)
    assert desk.route(post, NOW).channels == ("zhenjie", "yiyou")
    assert desk.route(post, NOW + timedelta(hours=2)).hidden  # the clock, for a decision
    assert Router(BASE, SOURCES, ZONE).route(post, NOW) is first  # still remembered
    hide = (Override(post=post.post.id, hide=True),)
    assert Router(BASE, SOURCES, ZONE, hide).route(post, NOW).hidden
    narrower = (BASE[0], BASE[3])
    assert Router(narrower, SOURCES, ZONE).route(post, NOW).channels == ("zhenjie",)
    assert len(route_module._ROUTED) <= route_module.KEYWORD_SETS_KEPT


def test_rules_that_ask_for_an_age_route_by_the_clock_every_time() -> None:
    recent = (Channel(slug="new", title="最新", include=(Rule(max_age=86_400 * 3),)), BASE[3])
    post = stored("yjj", "县应急管理局召开会议")  # published a day before NOW
    router = Router(recent, SOURCES, ZONE)
    assert router.route(post, NOW).channels == ("new",)
    assert router.route(post, NOW + timedelta(days=5)).channels == ("qita",)

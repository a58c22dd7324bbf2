"""Routing as a table: (post, channels) -> channels and the reason for each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.config import Channel, Rule
from hub.models import Post, StoredPost
from hub.route import Router

T0 = datetime(2026, 6, 15, tzinfo=UTC)
GROUPS = {"banquan": "镇街", "wlj": "部门", "yjj": "部门", "gdj": "企事业单位"}
CHANNELS = (
    Channel(slug="zhenjie", title="镇街动态", include=(Rule(group=("镇街",)),)),
    Channel(
        slug="yiyou",
        title="宜游",
        include=(Rule(keywords=("旅游", "景区", "民宿")), Rule(source=("wlj",))),
        exclude=(Rule(keywords=("招标",)),),
    ),
    Channel(slug="pingan", title="平安", include=(Rule(group=("部门",), keywords=("防汛",)),)),
    Channel(slug="english", title="English", include=(Rule(keywords=("Flood",)),)),
    Channel(slug="qita", title="其他", fallback=True),
)


def stored(source: str, title: str, text: str = "") -> StoredPost:
    post = Post(
        source_id=source,
        key=title,
        url="https://x/1",
        title=title,
        content_html=f"<p>{text}</p>",
        text=text,
        published=T0,
    )
    return StoredPost(post, T0, T0)


@pytest.mark.parametrize(
    ("source", "title", "text", "expected"),
    [
        ("banquan", "板泉镇召开例会", "", {"zhenjie": "rule 1: group 镇街"}),
        (
            "banquan",
            "板泉镇民宿旅游节开幕",
            "",
            {"zhenjie": "rule 1: group 镇街", "yiyou": "rule 1: keyword 民宿 in title"},
        ),
        ("wlj", "文旅局召开会议", "", {"yiyou": "rule 2: source wlj"}),
        ("yjj", "景区道路工程招标公告", "", {"qita": "fallback: no other channel took it"}),
        ("wlj", "县文旅局采购招标公告", "", {"qita": "fallback: no other channel took it"}),
        (
            "yjj",
            "县应急管理局召开会议",
            "部署防汛工作",
            {"pingan": "rule 1: group 部门, keyword 防汛 in text"},
        ),
        ("banquan", "板泉镇部署防汛", "", {"zhenjie": "rule 1: group 镇街"}),  # needs 部门 too
        ("gdj", "停电通知", "", {"qita": "fallback: no other channel took it"}),
        ("gdj", "FLOOD warning", "", {"english": "rule 1: keyword FLOOD in title"}),
        ("unknown", "旅游", "", {"yiyou": "rule 1: keyword 旅游 in title"}),
    ],
)
def test_routing_table(source: str, title: str, text: str, expected: dict[str, str]) -> None:
    routed = Router(CHANNELS, GROUPS).route(stored(source, title, text))
    assert dict(routed.reasons) == expected
    assert routed.channels == tuple(expected)  # navigation order


def test_longest_keyword_is_the_one_reported() -> None:
    channel = Channel(slug="x", title="x", include=(Rule(keywords=("防汛", "防汛应急演练")),))
    routed = Router((channel,), {}).route(stored("a", "县开展防汛应急演练"))
    assert routed.reasons["x"] == "rule 1: keyword 防汛应急演练 in title"


def test_route_all_keeps_order() -> None:
    posts = [stored("banquan", "一"), stored("wlj", "二")]
    routed = Router(CHANNELS, GROUPS).route_all(posts)
    assert [r.post for r in routed] == posts

"""A department found by the name residents type (卫健局 for 县卫生健康局), on real whoosh
and real tantivy (`search_engine`): hub's table of short names, a county's synonym groups
and a source's aliases expanded at query time, what they mark, and did-you-mean that
offers only a name close to what was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import search
from hub.models import SearchEngine
from hub.search import Request, synonyms

T0 = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)

# (id, department, title, text): a county with a 县卫生健康局 and a 县文化和旅游局 whose
# posts never say 卫健 or 文旅, and no education or tax bureau
POSTS = [
    (
        "wj1",
        "县卫生健康局",
        "高温天气中暑防范提示",
        "高温天气持续，请注意防暑降温，出现头晕及时就医。",
    ),
    ("wj2", "县卫生健康局", "开展家庭医生签约服务", "签约居民可享受健康咨询和慢病随访。"),
    ("wj3", "县卫生健康局", "关于做好夏季食品安全工作的通知", "各医疗机构做好夏季传染病防控。"),
    ("wl1", "县文化和旅游局", "梅岭花海迎来赏花高峰", "游客如织，乡村旅游持续升温。"),
    ("wl2", "县文化和旅游局", "非遗展示周活动启幕", "展演剪纸、竹编等传统技艺。"),
    ("sj1", "县审计局", "审计整改工作推进会召开", "会议要求抓好问题整改。"),
    ("sw1", "县商务局", "消费季活动启动", "发放消费券五百万元。"),
    ("sl1", "县水利局", "水库安全度汛检查", "检查水库大坝和溢洪道。"),
    ("kx1", "县科学技术协会", "科普大篷车进校园", "展出机器人与天文望远镜。"),
    ("cg1", "城关街道办事处", "老旧小区改造开工", "改造涉及居民四百户。"),
    ("yj1", "县应急管理局", "防汛应急演练举行", "模拟河段水位暴涨、群众被困等险情。"),
    (
        "bs1",
        "白沙镇人民政府",
        "白沙镇召开村级干部会议",
        "部署夏季防汛工作，县卫健局派员讲解中暑急救。",
    ),
]


@pytest.fixture
def index(tmp_path: Path, search_engine: SearchEngine) -> Path:
    folder = tmp_path / "index"
    documents = [
        search.Document(
            id=pid,
            hash="1",
            title=title,
            text=text,
            department=department,
            source_id=pid[:2],
            group="部门",
            sections=("bumen",),
            date=T0 - timedelta(days=n),
            path=f"p/{pid}.html",
        )
        for n, (pid, department, title, text) in enumerate(POSTS)
    ]
    search.update(folder, documents, engine=search_engine)
    return folder


def ids(folder: Path, text: str, names: synonyms.Synonyms = synonyms.BUILTIN) -> list[str]:
    return [hit.id for hit in search.search(folder, Request(text), names).hits]


def of(department: str) -> set[str]:
    return {pid for pid, name, _, _ in POSTS if name == department}


# -- hub's table --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "department"),
    [
        ("卫健局", "县卫生健康局"),
        ("县卫健局", "县卫生健康局"),
        ("卫健委", "县卫生健康局"),
        ("卫健", "县卫生健康局"),
        ("文旅局", "县文化和旅游局"),
        ("县文旅局", "县文化和旅游局"),
        ("文旅", "县文化和旅游局"),
        ("科协", "县科学技术协会"),
        ("街道办", "城关街道办事处"),
        ("城关街道办", "城关街道办事处"),
        ("应急局", "县应急管理局"),
    ],
)
def test_a_short_name_finds_the_department_as_its_full_name_does(
    index: Path, typed: str, department: str
) -> None:
    found = ids(index, typed)
    wanted = of(department)
    assert set(found[: len(wanted)]) == wanted, found
    # the same posts as the full name, which 白沙镇's post mentioning 县卫健局 may join
    assert set(found) - {"bs1"} == set(ids(index, department)) - {"bs1"}


@pytest.mark.parametrize(
    "typed", ["卫健局", "县卫健局", "卫健委", "卫健", "文旅局", "文旅", "科协"]
)
def test_without_expansion_a_short_name_finds_none_of_its_posts(index: Path, typed: str) -> None:
    assert set(ids(index, typed, synonyms.NONE)) <= {"bs1"}  # what search found before


def test_a_short_name_with_a_topic_finds_that_post(index: Path) -> None:
    assert ids(index, "县卫健局 中暑")[0] == "wj1"
    assert set(ids(index, "县卫健局 中暑")) == {"wj1", "bs1"}  # bs1 says 县卫健局 itself
    assert ids(index, "文旅 非遗") == ["wl2"]
    assert ids(index, "中暑 -卫健局") == []  # every form is excluded, not only as typed


def test_an_everyday_word_stays_a_topic(index: Path) -> None:
    # 科技 and 应急 are words of every kind of post: alone they name no body
    assert synonyms.BUILTIN.alternatives("科技") == ()
    assert synonyms.BUILTIN.alternatives("应急") == ()
    assert synonyms.BUILTIN.alternatives("防汛应急演练") == ()
    assert ids(index, "科技") == []  # not 县科学技术协会's posts
    # nor is a short name found inside another word: 个人社 is not 人社
    assert synonyms.BUILTIN.alternatives("个人社") == ()


def test_a_phrase_is_searched_as_typed(index: Path) -> None:
    assert ids(index, '"卫健局"') == ["bs1"]


def test_the_other_names_are_marked(index: Path) -> None:
    hit = search.search(index, Request("县卫健局 中暑")).hits[0]
    assert hit.id == "wj1"
    assert ("中暑", True) in hit.title_marked
    other = search.search(index, Request("卫健局 签约")).hits[0]
    assert other.id == "wj2" and search.to_html(other.snippet).count("<mark>") >= 1


# -- the county's own names -------------------------------------------------------------


def test_a_county_synonym_group_and_an_alias(index: Path) -> None:
    assert ids(index, "卫康") == []
    county = synonyms.from_sources([["卫康", "卫生健康"]], {"县商务局": ["县商贸局"]})
    assert set(ids(index, "卫康", county)) == of("县卫生健康局")
    assert set(ids(index, "县卫康局", county)) == of("县卫生健康局")  # with a body word
    assert ids(index, "县商贸局", county) == ["sw1"]
    assert ids(index, "县商贸局") == []  # the alias is the county's, not hub's
    # a county's groups add to the table
    assert set(ids(index, "卫健局", county)) >= of("县卫生健康局")
    assert synonyms.from_sources([["卫康", "卫生健康"]], {}) is synonyms.from_sources(
        [["卫康", "卫生健康"]], {}
    )  # built once per configuration


def test_expansion_is_bounded_and_keeps_what_was_typed_first() -> None:
    others = synonyms.BUILTIN.alternatives("县卫健局")
    assert others[0] == "县卫生健康局"  # the typed body word first
    assert "县卫生健康委员会" in others and "县卫健局" not in others
    assert len(others) <= synonyms.MAX_ALTERNATIVES
    assert synonyms.BUILTIN.alternatives("县政府办") == ("县人民政府办公室", "县政府办公室")
    assert synonyms.BUILTIN.alternatives("白沙镇政府") == ("白沙镇人民政府",)


# -- did you mean -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("县卫建局", "县卫生健康局"),  # a homophone of a short name
        ("县审记局", "县审计局"),  # a homophone
        ("县商物局", "县商务局"),  # one character off... and the same sound
        ("xianshenjiju", "县审计局"),  # the pinyin
        ("县文化旅行局", "县文化和旅游局"),  # one character off a long name
        ("人力资源社保局", ""),  # most of a name the county has not (see test_search.py)
    ],
)
def test_a_department_close_to_what_was_typed_is_offered(
    index: Path, typed: str, offered: str
) -> None:
    results = search.search(index, Request(typed))
    assert results.total == 0 and results.suggestions == ((offered,) if offered else ())


@pytest.mark.parametrize("typed", ["县教育局", "县税务局", "县公安局", "县教体局"])
def test_a_department_the_county_has_not_is_offered_nothing(index: Path, typed: str) -> None:
    # Before, the names compared whole, 县 and 局 included: 县审计局 for 县教育局 (0.67
    # alike in sound), 县商务局 or 县水利局 for 县税务局 (0.8 and 0.83)
    results = search.search(index, Request(typed))
    assert results.total == 0 and results.suggestions == ()

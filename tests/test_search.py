"""The search index on real Whoosh with jieba segmentation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import search
from hub.errors import SearchError

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def doc(
    n: int,
    title: str,
    text: str,
    department: str = "县应急管理局",
    sections: tuple[str, ...] = ("bumen",),
) -> search.Document:
    return search.Document(
        id=f"id{n}",
        hash=f"h{n}",
        title=title,
        text=text,
        department=department,
        source_id="yjj",
        group="部门",
        sections=sections,
        date=T0 - timedelta(hours=n),
        path=f"p/{n}.html",
    )


DOCS = [
    doc(
        1,
        "县开展防汛应急演练",
        "演练模拟河段水位暴涨、群众被困等险情。",
        sections=("bumen", "pingan"),
    ),
    doc(
        2,
        "梅岭花海迎来赏花高峰",
        "游客如织，乡村旅游持续升温。",
        "县文化和旅游局",
        ("bumen", "yiyou"),
    ),
    doc(
        3,
        "白沙镇召开防汛工作部署会",
        "会议要求压实责任，确保安全度汛。",
        "白沙镇人民政府",
        ("zhenjie", "pingan"),
    ),
    doc(4, "ＡＢＣ全角标题", "全角字母也能搜到。"),
]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    assert search.update(folder, DOCS) == search.UpdateResult(4, 0, 0)
    return folder


def ids(folder: Path, query: str, section: str = "") -> list[str]:
    return [hit.id for hit in search.query(folder, query, section=section)[1]]


def test_chinese_words_are_found_inside_longer_text(index: Path) -> None:
    assert set(ids(index, "防汛")) == {"id1", "id3"}
    assert ids(index, "旅游") == ["id2"]
    assert ids(index, "水位") == ["id1"]


def test_words_are_anded(index: Path) -> None:
    assert ids(index, "防汛 白沙镇") == ["id3"]
    assert ids(index, "防汛 旅游") == []


def test_department_names_find_their_posts(index: Path) -> None:
    assert ids(index, "文化和旅游局") == ["id2"]


def test_width_is_folded(index: Path) -> None:
    assert ids(index, "abc") == ["id4"]
    assert ids(index, "ＡＢＣ") == ["id4"]


def test_section_filter(index: Path) -> None:
    assert ids(index, "防汛", section="zhenjie") == ["id3"]


def test_hits_carry_what_the_portal_shows(index: Path) -> None:
    total, hits = search.query(index, "旅游")
    assert total == 1
    hit = hits[0]
    assert (hit.title, hit.department, hit.path) == (
        "梅岭花海迎来赏花高峰",
        "县文化和旅游局",
        "p/2.html",
    )
    assert hit.sections == ("bumen", "yiyou") and hit.date == T0 - timedelta(hours=2)
    assert "旅游" in hit.snippet


def test_update_only_touches_what_changed(index: Path) -> None:
    assert search.update(index, DOCS) == search.UpdateResult(0, 0, 0)
    edited = [replace(DOCS[0], hash="h1b", title="县开展山洪应急演练"), *DOCS[1:3]]
    assert search.update(index, edited) == search.UpdateResult(0, 1, 1)
    assert ids(index, "山洪") == ["id1"]
    assert ids(index, "全角") == []  # removed from the site, removed from the index
    assert search.count(index) == 3


def test_empty_query_finds_nothing(index: Path) -> None:
    assert search.query(index, "   ") == (0, [])


def test_a_missing_index_is_a_search_error(tmp_path: Path) -> None:
    with pytest.raises(SearchError, match="no search index"):
        search.query(tmp_path / "none", "防汛")


def test_a_document_changed_back_to_an_earlier_version_is_updated(index: Path) -> None:
    # Regression: the term index keeps deleted documents' terms, so version "h1" looked
    # current again after id1 went to "h1b" and back, and the index kept "h1b"'s text.
    changed = replace(DOCS[0], hash="h1b", title="县开展山洪应急演练")
    assert search.update(index, [changed, *DOCS[1:]]) == search.UpdateResult(0, 1, 0)
    assert search.update(index, DOCS) == search.UpdateResult(0, 1, 0)
    assert ids(index, "防汛应急演练") == ["id1"] and ids(index, "山洪") == []
    assert search.update(index, DOCS) == search.UpdateResult(0, 0, 0)


def test_deleted_documents_are_not_deleted_again(index: Path) -> None:
    assert search.update(index, DOCS[:3]) == search.UpdateResult(0, 0, 1)
    assert search.update(index, DOCS[:3]) == search.UpdateResult(0, 0, 0)

"""The search index with Chinese analysis, on real Whoosh and real tantivy (each test
runs on both engines: `search_engine`): what finds what, filters, sorting, pages,
highlighting and suggestions, and the index's life."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import search
from hub.errors import QueryError, SearchError
from hub.models import SearchEngine
from hub.search import Request

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def doc(  # noqa: PLR0917 (a table of test documents reads best positionally)
    n: int,
    title: str,
    text: str,
    department: str = "县应急管理局",
    sections: tuple[str, ...] = ("bumen",),
    source: str = "yjj",
    group: str = "部门",
    files: tuple[str, ...] = (),
) -> search.Document:
    return search.Document(
        id=f"id{n}",
        hash=f"h{n}",
        title=title,
        text=text,
        department=department,
        source_id=source,
        group=group,
        sections=sections,
        date=T0 - timedelta(days=n),
        path=f"p/{n}.html",
        files=files,
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
        "游客如织，乡村旅遊持续升温。",
        "县文化和旅游局",
        ("bumen", "yiyou"),
        "wlj",
    ),
    doc(
        3,
        "白沙镇召开防汛工作部署会",
        "会议要求压实责任，确保安全度汛。",
        "白沙镇人民政府",
        ("zhenjie", "pingan"),
        "bsz",
        "镇街",
    ),
    doc(4, "ＡＢＣ全角标题", "全角字母也能搜到。"),
    doc(5, "全县应急管理工作会议召开", "会议总结上半年工作。"),
    doc(
        6,
        "关于公开招聘社区工作者的公告",
        "详见附件。",
        "县人力资源和社会保障局",
        source="rsj",
        files=("报名登记表.docx",),
    ),
    doc(7, "<b>防汛</b> & 抗旱物资储备", "检查物资 <script>alert(1)</script> 储备情况。"),
]


@pytest.fixture
def index(tmp_path: Path, search_engine: SearchEngine) -> Path:
    folder = tmp_path / "index"
    result = search.update(folder, DOCS, engine=search_engine)
    assert (result.added, result.rebuilt) == (len(DOCS), True)
    return folder


def ids(folder: Path, text: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in search.search(folder, Request(text, **kwargs)).hits]  # type: ignore[arg-type]


# -- what finds what --------------------------------------------------------------------


def test_chinese_words_are_found_inside_longer_text(index: Path) -> None:
    assert set(ids(index, "防汛")) == {"id1", "id3", "id7"}
    assert ids(index, "水位") == ["id1"]


def test_a_phrase_finds_those_characters_in_that_order(index: Path) -> None:
    assert ids(index, '"防汛应急"') == ["id1"]
    assert ids(index, "“应急演练”") == ["id1"]
    assert ids(index, '"应急防汛"') == []


def test_text_is_found_across_jieba_word_boundaries(index: Path) -> None:
    # jieba cuts 全县/应急/管理, so 县应急 and 急管 are no words of id5; its characters are.
    # A department's name is part of what its posts say: the others are 县应急管理局's.
    found = ids(index, "急管")
    assert found[0] == "id5"
    assert set(found) == {"id5"} | {d.id for d in DOCS if "急管" in d.department}
    assert ids(index, "急管", source="bsz") == []
    assert ids(index, '"全县应急"') == ["id5"]
    assert ids(index, '"县应急管理"')[0] == "id5"  # and 县应急管理局's posts after it
    # (unquoted, 县 and 应急 are also words in other posts; the exact text ranks first)
    assert ids(index, "县应急")[0] == "id5"


def test_words_are_anded_excluded_and_ored(index: Path) -> None:
    assert ids(index, "防汛 白沙镇") == ["id3"]
    assert ids(index, "防汛 旅游") == []
    assert set(ids(index, "防汛 -演练")) == {"id3", "id7"}
    assert set(ids(index, "花海 OR 招聘")) == {"id2", "id6"}
    assert set(ids(index, "花海 | 招聘")) == {"id2", "id6"}
    assert ids(index, "-防汛") == []  # nothing to exclude from


def test_department_names_find_their_posts(index: Path) -> None:
    assert ids(index, "文化和旅游局") == ["id2"]
    assert ids(index, "人力资源和社会保障局") == ["id6"]


def test_titles_rank_above_passing_mentions(index: Path) -> None:
    # id5 has 会议 in its title and its text, id3 in its text only
    assert ids(index, "会议")[:2] == ["id5", "id3"]


def test_attachment_names_are_searched(index: Path) -> None:
    assert ids(index, "报名登记表") == ["id6"]


def test_width_case_and_traditional_script_are_folded(index: Path) -> None:
    assert ids(index, "abc") == ["id4"]
    assert ids(index, "ＡＢＣ") == ["id4"]
    assert ids(index, "AbC") == ["id4"]
    assert ids(index, "乡村旅游") == ["id2"]  # the document wrote 旅遊
    assert ids(index, "鄉村旅遊") == ["id2"]


def test_empty_and_punctuation_queries_find_nothing(index: Path) -> None:
    for text in ("", "   ", "，。！", '""', "-"):
        results = search.search(index, Request(text))
        assert (results.total, results.hits, results.suggestions) == (0, (), ())


# -- filters, order, pages --------------------------------------------------------------


def test_filters_by_section_department_group_and_dates(index: Path) -> None:
    assert ids(index, "防汛", section="zhenjie") == ["id3"]
    assert set(ids(index, "防汛", section="pingan")) == {"id1", "id3"}
    assert ids(index, "防汛", source="bsz") == ["id3"]
    assert ids(index, "防汛", group="镇街") == ["id3"]
    assert set(ids(index, "防汛", since=T0 - timedelta(days=3))) == {"id1", "id3"}
    assert ids(index, "防汛", until=T0 - timedelta(days=2)) == ["id3", "id7"] or set(
        ids(index, "防汛", until=T0 - timedelta(days=2))
    ) == {"id3", "id7"}
    between = {"since": T0 - timedelta(days=3, hours=1), "until": T0 - timedelta(days=2)}
    assert ids(index, "防汛", **between) == ["id3"]


PHRASES = (
    "加快基础设施建设",
    "推进乡村振兴",
    "完善基础公共服务设施",
    "建设美丽乡村",
    "开展防汛检查",
    "基础教育设施改善",
    "城乡建设规划",
    "设施农业发展",
)


def varied_docs(count: int) -> list[search.Document]:
    """Posts whose texts mix the same phrases in different amounts and orders, so that
    scores spread out, and some tie."""
    made = []
    for n in range(count):
        picked = [PHRASES[(n * k + k * k) % len(PHRASES)] for k in range(1, 2 + n % 5)]
        made.append(
            doc(n, "，".join(picked[:2]), "。".join(picked * (1 + n % 3)), sections=("bumen",))
        )
    return made


@pytest.mark.parametrize(
    "query", ["基础设施建设", "建设 乡村", "设施", '"基础设施"', "防汛 OR 乡村"]
)
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_pages_walk_every_match_once_in_one_order(
    tmp_path: Path, query: str, sort: str, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    search.update(folder, varied_docs(300), engine=search_engine)
    whole = search.search(folder, Request(query, sort=sort, per_page=100))  # type: ignore[arg-type]
    walked, scores = [], []
    for page in range(1, 100 // 7 + 2):
        results = search.search(folder, Request(query, sort=sort, per_page=7, page=page))  # type: ignore[arg-type]
        assert results.total == whole.total
        walked += [h.id for h in results.hits]
        scores += [h.score for h in results.hits]
    assert whole.total > 20
    # the pages are the one long list cut up: nothing twice, nothing skipped
    assert walked[:100] == [h.id for h in whole.hits][: len(walked[:100])]
    assert len(set(walked)) == len(walked)
    if sort == "relevance":
        assert scores == sorted(scores, reverse=True)


def test_newest_first_and_pages(index: Path) -> None:
    assert ids(index, "防汛", sort="newest") == ["id1", "id3", "id7"]
    first = search.search(index, Request("防汛", sort="newest", per_page=2))
    second = search.search(index, Request("防汛", sort="newest", per_page=2, page=2))
    beyond = search.search(index, Request("防汛", sort="newest", per_page=2, page=3))
    assert (first.total, first.pages, [h.id for h in first.hits]) == (3, 2, ["id1", "id3"])
    assert (second.total, [h.id for h in second.hits]) == (3, ["id7"])
    assert (beyond.total, beyond.hits) == (3, ())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "oldest"}, "sort must be one of"),
        ({"page": 0}, "page must be"),
        ({"per_page": 1000}, "per_page between"),
        ({"since": T0, "until": T0}, "date range is empty"),
    ],
)
def test_bad_requests_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        Request("防汛", **kwargs)  # type: ignore[arg-type]


# -- what a hit shows -------------------------------------------------------------------


def test_hits_carry_what_the_portal_shows(index: Path) -> None:
    results = search.search(index, Request("赏花"))
    assert results.total == 1
    hit = results.hits[0]
    assert (hit.title, hit.department, hit.path, hit.source_id, hit.group) == (
        "梅岭花海迎来赏花高峰",
        "县文化和旅游局",
        "p/2.html",
        "wlj",
        "部门",
    )
    assert hit.sections == ("bumen", "yiyou") and hit.date == T0 - timedelta(days=2)
    assert ("赏花", True) in hit.title_marked
    assert hit.score > 0


def test_matches_are_marked_in_the_original_script(index: Path) -> None:
    hit = search.search(index, Request("乡村旅游")).hits[0]
    assert [p for p, marked in hit.snippet if marked] == ["乡村旅遊"]


def test_highlighted_html_is_escaped(index: Path) -> None:
    hit = search.search(index, Request("防汛 储备")).hits[0]
    assert hit.id == "id7"
    assert search.to_html(hit.title_marked) == (
        "&lt;b&gt;<mark>防汛</mark>&lt;/b&gt; &amp; 抗旱物资<mark>储备</mark>"
    )
    snippet = search.to_html(hit.snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>储备</mark>" in snippet


def test_the_snippet_is_taken_where_the_words_are(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    long_text = "开头的话。" * 60 + "今年汛期全县防汛形势严峻。" + "结尾的话。" * 60
    folder = tmp_path / "index"
    search.update(folder, [doc(1, "一则通知", long_text)], engine=search_engine)
    hit = search.search(folder, Request("防汛")).hits[0]
    text = search.plain(hit.snippet)
    assert text.startswith("…") and text.endswith("…") and "全县防汛形势" in text
    assert len(text) <= search.snippets.SNIPPET_CHARS + 2


def test_a_lone_character_of_a_longer_word_is_not_marked_on_its_own(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    text = "招聘社区网格员、文物保护员各一名。"
    search.update(folder, [doc(1, "招聘公告", text)], engine=search_engine)
    (hit,) = search.search(folder, Request("文物保护员")).hits
    assert [piece for piece, marked in hit.snippet if marked] == ["文物保护员"]  # not 员


# -- suggestions ------------------------------------------------------------------------


def test_a_homophone_typo_is_offered_the_word_meant(index: Path) -> None:
    results = search.search(index, Request("防训"))  # fáng xùn, picked wrongly
    assert results.total == 0 and results.suggestions == ("防汛",)


def test_pinyin_typed_is_offered_the_word(index: Path) -> None:
    assert search.search(index, Request("fangxun")).suggestions == ("防汛",)


def test_a_typo_inside_a_longer_query_is_repaired(index: Path) -> None:
    assert search.search(index, Request("防训工作 白沙镇")).suggestions == ("防汛工作 白沙镇",)


def test_a_department_name_half_remembered_is_offered(index: Path) -> None:
    results = search.search(index, Request("人力资源社保局"))
    assert results.total == 0 and results.suggestions == ("县人力资源和社会保障局",)


def test_nothing_is_suggested_that_finds_nothing(index: Path) -> None:
    assert search.search(index, Request("火箭发射")).suggestions == ()
    # under a filter the suggestion must find something under the same filter
    assert search.search(index, Request("防训", section="yiyou")).suggestions == ()


# -- the index's life -------------------------------------------------------------------


def test_update_only_touches_what_changed(index: Path) -> None:
    assert search.update(index, DOCS) == search.UpdateResult(0, 0, 0)
    edited = [replace(DOCS[0], hash="h1b", title="县开展山洪应急演练"), *DOCS[1:3]]
    assert search.update(index, edited) == search.UpdateResult(0, 1, len(DOCS) - 3)
    assert ids(index, "山洪") == ["id1"]
    assert ids(index, "全角") == []  # removed from the site, removed from the index
    assert search.count(index) == 3


def test_a_document_changed_back_to_an_earlier_version_is_updated(index: Path) -> None:
    # Regression: the term index keeps deleted documents' terms, so version "h1" looked
    # current again after id1 went to "h1b" and back, and the index kept "h1b"'s text.
    changed = replace(DOCS[0], hash="h1b", title="县开展山洪应急演练")
    assert search.update(index, [changed, *DOCS[1:]]) == search.UpdateResult(0, 1, 0)
    assert search.update(index, DOCS) == search.UpdateResult(0, 1, 0)
    assert ids(index, '"防汛应急演练"') == ["id1"] and ids(index, "山洪") == []
    assert search.update(index, DOCS) == search.UpdateResult(0, 0, 0)


def test_deleted_documents_are_not_deleted_again(index: Path) -> None:
    assert search.update(index, DOCS[:3]) == search.UpdateResult(0, 0, len(DOCS) - 3)
    assert search.update(index, DOCS[:3]) == search.UpdateResult(0, 0, 0)


def test_suggestions_follow_updates(index: Path) -> None:
    search.update(index, [*DOCS, doc(8, "山洪灾害防御演练", "转移群众。")])
    assert search.search(index, Request("山红")).suggestions == ("山洪",)


def test_a_rebuild_replaces_the_generation_and_keeps_the_one_before(index: Path) -> None:
    before = (index / "current").resolve()
    result = search.update(index, DOCS[:2], rebuild=True)
    after = (index / "current").resolve()
    assert (result.added, result.rebuilt) == (2, True) and after != before
    assert search.count(index) == 2
    assert {p.name for p in (index / "generations").iterdir()} == {before.name, after.name}
    search.update(index, DOCS, rebuild=True)
    assert before not in (index / "generations").iterdir()  # only live and previous stay


def test_an_index_of_another_schema_is_rebuilt_by_the_next_update(index: Path) -> None:
    (index / "current" / "hub-schema").write_text("1\n", encoding="utf-8")
    with pytest.raises(SearchError, match=r"older hub.*hub index --rebuild"):
        search.search(index, Request("防汛"))
    assert search.update(index, DOCS).rebuilt
    assert len(ids(index, "防汛")) == 3


def test_the_files_of_hub_0_1_are_cleared_by_a_rebuild(
    tmp_path: Path, search_engine: SearchEngine
) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "_MAIN_3.toc").write_bytes(b"old")
    (folder / "MAIN_abc.seg").write_bytes(b"old")
    search.update(folder, DOCS, engine=search_engine)
    assert sorted(p.name for p in folder.iterdir()) == ["current", "generations"]


def test_a_missing_index_is_a_search_error(tmp_path: Path) -> None:
    with pytest.raises(SearchError, match="does not exist"):
        search.search(tmp_path / "none", Request("防汛"))


# what says which commit readers see: whoosh's table of contents, tantivy's meta.json
COMMIT_FILES = {"whoosh": "*.toc", "tantivy": "meta.json"}


def test_a_damaged_index_is_a_search_error_and_the_next_update_mends_it(
    index: Path, search_engine: SearchEngine, caplog: pytest.LogCaptureFixture
) -> None:
    for toc in (index / "current").glob(COMMIT_FILES[search_engine]):
        toc.write_bytes(b"\x00garbage")
    with pytest.raises(SearchError, match=r"damaged.*hub index --rebuild"):
        search.search(index, Request("防汛"))
    assert search.update(index, DOCS).rebuilt
    assert "rebuilding it" in caplog.text
    assert len(ids(index, "防汛")) == 3


@pytest.mark.parametrize(
    ("search_engine", "suffix", "how"),
    [
        ("whoosh", ".pst", "removed"),
        ("whoosh", ".trm", "removed"),
        ("whoosh", ".pst", "cut"),
        ("whoosh", "_stored.col", "cut"),
        ("tantivy", ".idx", "removed"),
        ("tantivy", ".term", "removed"),
        ("tantivy", ".pos", "cut"),
        ("tantivy", ".store", "cut"),
    ],
)
def test_a_segment_file_removed_or_cut_is_a_search_error_and_the_next_update_mends_it(
    index: Path, suffix: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12: one segment file removed once made `hub search`, `hub publish` and the
    server fail with a traceback or a 500 although the table of contents still read."""
    segment = sorted((index / "current").glob(f"*{suffix}"))[0]
    if how == "removed":
        segment.unlink()
    else:
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 3])
    with pytest.raises(SearchError, match=r"damaged.*next `hub publish` rebuilds it"):
        search.search(index, Request("防汛"))
    assert search.update(index, DOCS).rebuilt  # what a publish does
    assert "damaged" in caplog.text and "rebuilding it" in caplog.text
    assert len(ids(index, "防汛")) == 3


def test_a_generation_a_killed_rebuild_left_behind_is_removed_by_the_next_update(
    index: Path,
) -> None:
    partial = index / "generations" / "gen-killed"
    partial.mkdir()
    (partial / "MAIN_half.seg").write_bytes(b"half a segment")  # and no hub-schema
    finished = (index / "current").resolve()
    search.update(index, [*DOCS, doc(9, "新的一条", "正文")])
    assert not partial.exists() and finished.exists()

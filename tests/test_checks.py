"""Content checks (issue 14): planted errors in realistic posts are caught, each kind of
finding; correct prose is left alone, including words that contain a listed string
across a word boundary; lists with mistakes are refused at their line; findings of the
configured severity hold a post, and a dismissed finding does not come back."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import pipeline
from hub.checks import Checker, ListError, read_protected, read_words, timings
from hub.config import Checks, DateChecks
from hub.errors import ConfigError
from hub.models import Finding, Post, StoredPost
from hub.store import Actor

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "government_work_reports.jsonl"
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)

TYPOS = """\
做为 -> 作为
必需 -> 必须 | 必需品 生活必需
防汛备汎 -> 防汛备汛 !serious
"""
SENSITIVE = "大法\n内部资料\n"
PROTECTED = """\
乡村振兴战略
县委书记
李华 县委副书记, 县长
张明远 县委书记
"""


def checker(**rules: object) -> Checker:
    config = Checks.model_validate(rules)
    entries = read_words(TYPOS, "typo", "warning", "county.txt") + read_words(
        SENSITIVE, "sensitive", "serious"
    )
    return Checker.build(config, entries, read_protected(PROTECTED))


def post(text: str, title: str = "县政府召开常务会议") -> Post:
    return Post("zfb", text[:20], "https://x.gov.cn/a.html", title, f"<p>{text}</p>", text, None)


def found(text: str, **rules: object) -> list[tuple[str, str, str]]:
    return [(f.kind, f.text, f.suggestion) for f in checker(**rules).text(post(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the county's typos, hub's own list, a sensitive word, a protected near miss
        (
            "做为一名党员干部，要带头贯切落实。",
            [("typo", "做为", "作为"), ("typo", "贯切落实", "贯彻落实")],
        ),
        ("各镇要做好防汛备汎工作。", [("typo", "防汛备汎", "防汛备汛")]),
        ("本文件为内部资料。", [("sensitive", "内部资料", "")]),
        ("深入实施乡村振新战略。", [("protected", "乡村振新战略", "乡村振兴战略")]),
        ("深入实施乡村震兴战略。", [("protected", "乡村震兴战略", "乡村振兴战略")]),
        ("县长李桦主持会议。", [("protected", "李桦", "李华")]),  # same sound, next to a title
        ("县委书记李华主持会议。", [("protected", "李华", "县委副书记、县长李华")]),
        ("会上，李华县委书记强调。", [("protected", "李华", "县委副书记、县长李华")]),
        ("户藉窗口延时服务。", [("typo", "户藉", "户籍")]),
        ("副县长李华出席。", [("protected", "李华", "县委副书记、县长李华")]),  # not 县长
        ("本文件为内\u200b部资料。", [("sensitive", "内\u200b部资料", "")]),  # hidden inside
        ("做为一名党员，做为一名干部。", [("typo", "做为", "作为")]),  # once, its first place
    ],
)
def test_planted_errors_are_caught(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "扩大法治建设覆盖面。",  # 大法 across 扩大|法治
        "把这件事叫做为人民服务。",  # 做为 across 叫做|为
        "发放生活必需品。",  # 必需 inside a listed exception
        "县长李华主持会议，县委书记张明远出席。",  # right names with their right titles
        "县委副书记、县长李华讲话。",
        "黎明时分，群众已在排队。",  # sounds like 李明-style names, but no title beside it
        "县长王强到会指导。",  # a name not on the list is another person, not a miss
        "深入推进社会主义核心价值体系建设。",  # cut through 体系: not a near miss
        "党委书记挂帅。",  # a title one character off another is another title
        "乡村振兴战略深入实施。",
    ],
)
def test_correct_prose_is_left_alone(text: str) -> None:
    assert found(text) == []


def test_a_finding_says_where_it_is_and_what_it_weighs() -> None:
    text = "全县上下做为一体。"
    (finding,) = checker().text(post(text))
    assert text[finding.position : finding.position + 2] == "做为"
    assert (finding.field, finding.severity, finding.note) == ("text", "warning", "county.txt")
    (titled,) = checker().text(post("正文没有问题。", title="关于做为的通知"))
    assert (titled.field, titled.position) == ("title", 2)
    # a line's own severity, and checks.severity over the kind's
    assert checker().text(post("防汛备汎"))[0].severity == "serious"
    assert checker(severity={"garbled": "warning"}).text(post("锟斤拷"))[0].severity == "warning"
    assert Checks.model_validate({"severity": {"typo": "notice"}}).weight("typo") == "notice"


def test_a_line_s_severity_stands_before_its_exceptions() -> None:
    (entry,) = read_words("必需 -> 必须 !serious | 必需品\n", "typo", "warning")
    assert (entry.right, entry.severity, entry.unless) == ("必须", "serious", ("必需品",))


def test_traditional_and_full_width_text_is_checked_as_simplified() -> None:
    assert found("戶藉管理") == [("typo", "戶藉", "户籍")]


def test_the_builtin_list_can_be_switched_off() -> None:
    assert found("户藉窗口", builtin=False) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("做为 -> 作为\n错 -> 对\n", 2, "one character"),
        ("做为 作为\n", 1, "wrong -> right"),
        ("做为 -> 做为\n", 1, "its own correction"),
        ("# c\n\n做为 -> 作为 !urgent\n", 3, "unknown severity"),
        ("必需 -> 必须 | 必要\n", 1, "must be longer and contain"),
        ("做为 -> 作为 | 做为\n", 1, "must be longer and contain"),
        ("截止目前 -> 截至目前!serious\n", 1, "after a space"),
        ("做为 -> 作为\n# x\n做为 -> 作風\n", 3, "listed already, at line 1"),
    ],
)
def test_a_list_with_a_mistake_is_refused_at_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ListError, match=message) as caught:
        read_words(text, "typo", "warning")
    assert caught.value.line == line


def config_with_lists(folder: Path, typos: str = TYPOS) -> Path:
    (folder / "lists").mkdir(exist_ok=True)
    (folder / "lists" / "typos.txt").write_text(typos, encoding="utf-8")
    (folder / "lists" / "protected.txt").write_text(PROTECTED, encoding="utf-8")
    path = folder / "channels.yaml"
    path.write_text(
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        "checks:\n"
        "  lists: [{file: lists/typos.txt, kind: typo}]\n"
        "  protected: lists/protected.txt\n"
        "sources: [{id: zfb, name: 县政府办, feed: 'https://x.gov.cn/f.xml'}]\n"
        "channels: [{slug: qita, title: 其他, fallback: true}]\n",
        encoding="utf-8",
    )
    return path


def test_hub_refuses_a_configuration_whose_list_has_a_mistake(tmp_path: Path) -> None:
    path = config_with_lists(tmp_path, typos="做为 -> 作为\n坏行\n")
    with pytest.raises(ConfigError) as caught:
        pipeline.load(path)
    assert caught.value.file.endswith("typos.txt") and caught.value.line == 2
    (tmp_path / "lists" / "typos.txt").unlink()
    with pytest.raises(ConfigError, match="cannot be read"):
        pipeline.load(path)
    os.mkfifo(tmp_path / "lists" / "typos.txt")  # would block a reader for ever
    with pytest.raises(ConfigError, match="not a regular file"):
        pipeline.load(path)
    assert not (tmp_path / "data").exists()  # refused before anything was written


def stored(
    published: datetime | None, seen: datetime, first: datetime | None = None, n: int = 0
) -> StoredPost:
    body = post(f"正文{n}")
    body = Post(body.source_id, f"k{n}", body.url, body.title, "", body.text, published)
    return StoredPost(body, seen, seen, first_published=first if first else published)


def test_dates_in_the_future_backdated_and_changed() -> None:
    check, day = checker(), (lambda d: d.strftime("%Y-%m-%d"))
    # a timely source: its posts appear an hour after their date, for weeks
    history = [
        stored(T0 + timedelta(days=i), T0 + timedelta(days=i, hours=1), n=i) for i in range(10)
    ]
    timing = timings(history)["zfb"]
    late = T0 + timedelta(days=20)
    kinds = lambda s: [f.kind for f in check.dates(s, timing, day)]  # noqa: E731
    assert kinds(stored(late - timedelta(hours=2), late)) == []
    assert kinds(stored(late + timedelta(days=5), late)) == ["future-date"]
    assert kinds(stored(late - timedelta(days=30), late)) == ["backdated"]
    assert kinds(stored(late, late, first=late - timedelta(days=3))) == ["date-changed"]
    assert kinds(stored(late, late, first=late - timedelta(hours=9))) == []  # a time added
    assert kinds(stored(None, late)) == []  # no date: nothing to say
    # the first crawl of a source is its back catalogue, old by nature
    assert kinds(stored(T0 - timedelta(days=300), T0)) == []
    # a source that is usually late is not held to it
    slow = timings(
        [stored(T0 + timedelta(days=i), T0 + timedelta(days=i + 20), n=i) for i in range(10)]
    )
    assert [
        f.kind for f in check.dates(stored(late - timedelta(days=30), late), slow["zfb"], day)
    ] == []
    assert DateChecks().backdated == 7 * 86400


def test_findings_of_the_hold_severity_hold_a_post_and_a_dismissal_releases_it(
    tmp_path: Path,
) -> None:
    config = pipeline.load(config_with_lists(tmp_path))
    store = pipeline.open_store(config)
    risky = Post("zfb", "a", "https://x.gov.cn/a.html", "通知", "", "县委书记李华到会。", T0)
    typo = Post("zfb", "b", "https://x.gov.cn/b.html", "通知", "", "做为一名党员。", T0)
    store.save([risky, typo], T0)
    gate = pipeline.settle(config, store, T0, live={})
    assert [r.post.post.id for r in gate.waiting] == [risky.id]  # serious: held
    assert typo.id in [r.post.post.id for r in gate.shown]  # a warning: shown
    (finding,) = pipeline.checking.findings_of(config, store.posts(), store)[risky.id]
    actor = Actor("reviewer1", T0, "127.0.0.1")
    store.desk.dismiss(risky.id, [finding.key], actor, "李华 now also serves as 县委书记")
    gate = pipeline.settle(config, store, T0, live={})
    assert risky.id in [r.post.post.id for r in gate.shown]
    assert risky.id not in pipeline.checking.findings_of(config, store.posts(), store)
    # the same finding again, after the post changed: still dismissed for this post
    changed = Post("zfb", "a", risky.url, "通知（更新）", "", risky.text + "另有安排。", T0)
    store.save([changed], T0 + timedelta(hours=1))
    assert risky.id not in pipeline.checking.findings_of(config, store.posts(), store)
    entry = store.desk.entries(pipeline_log_query())[0]
    assert (entry.action, entry.post_id, json.loads(entry.after)) == (
        "dismiss",
        risky.id,
        {"finding": finding.key},
    )
    store.close()


def pipeline_log_query():  # type: ignore[no-untyped-def]
    from hub.store import LogQuery  # noqa: PLC0415

    return LogQuery()


def test_a_hold_at_warning_holds_typos_too(tmp_path: Path) -> None:
    path = config_with_lists(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("checks:\n", "checks:\n  hold: warning\n"),
        encoding="utf-8",
    )
    config = pipeline.load(path)
    store = pipeline.open_store(config)
    typo = Post("zfb", "b", "https://x.gov.cn/b.html", "通知", "", "做为一名党员。", T0)
    store.save([typo], T0)
    assert [r.post.post.id for r in pipeline.settle(config, store, T0, live={}).waiting] == [
        typo.id
    ]
    store.close()


@pytest.mark.skipif(not DATA.is_file(), reason="../shared/data is absent (a fresh clone has none)")
def test_real_government_prose_gives_few_findings() -> None:
    """The 72 government work reports (1.1 million characters of correct official prose):
    fewer than one finding per 100,000 characters with hub's list and a protected list of
    common formulations (measured: bench/checks.py)."""
    protected = read_protected(
        "乡村振兴战略\n高质量发展\n全面从严治党\n社会主义核心价值观\n县委书记\n"
    )
    check = Checker.build(Checks(), (), protected)
    chars = findings = 0
    for number, line in enumerate(DATA.read_text(encoding="utf-8").splitlines()):
        report = json.loads(line)
        chars += len(report["content"])
        findings += len(
            check.text(
                Post("r", str(number), "https://x/", report["title"], "", report["content"], None)
            )
        )
    assert chars > 1_000_000
    assert findings / chars * 100_000 < 1


def test_a_finding_key_ignores_where_it_stands() -> None:
    a = Finding("typo", "做为", "warning", "作为", "text", 3)
    b = Finding("typo", "做为", "warning", "作为", "text", 40)
    assert a.key == b.key != Finding("typo", "做为", "warning", "作为", "title", 3).key


def test_a_post_is_checked_once_per_content_and_lists_even_across_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config_with_lists(tmp_path)
    config = pipeline.load(path)
    store = pipeline.open_store(config)
    typo = Post("zfb", "b", "https://x.gov.cn/b.html", "通知", "", "做为一名党员。", T0)
    store.save([typo], T0)
    pipeline.publish(config, store, T0)
    checked: list[str] = []
    real = Checker.text

    def counted(self: Checker, post: Post) -> tuple[Finding, ...]:
        checked.append(post.id)
        return real(self, post)

    monkeypatch.setattr(Checker, "text", counted)
    monkeypatch.setattr(pipeline.checking, "_cache", pipeline.checking._Cache())  # a new process
    (finding,) = pipeline.checking.findings_of(config, store.posts(), store)[typo.id]
    assert finding.text == "做为" and checked == []  # read from the store, not checked again
    # a changed list: every post is checked again, once
    (tmp_path / "lists" / "typos.txt").write_text("一名党员 -> 一名共产党员\n", encoding="utf-8")
    config = pipeline.load(path)
    found = pipeline.checking.findings_of(config, store.posts(), store, keep=True)
    assert [f.text for f in found[typo.id]] == ["一名党员"] and checked == [typo.id]
    monkeypatch.setattr(pipeline.checking, "_cache", pipeline.checking._Cache())
    pipeline.checking.findings_of(config, store.posts(), store)
    assert checked == [typo.id]
    store.close()


def test_the_title_and_summary_an_editor_gives_are_checked_too(tmp_path: Path) -> None:
    config = pipeline.load(config_with_lists(tmp_path))
    store = pipeline.open_store(config)
    clean = Post("zfb", "c", "https://x.gov.cn/c.html", "通知", "", "一切正常。", T0)
    store.save([clean], T0)
    actor = Actor("editor1", T0, "127.0.0.1")
    store.desk.change(clean.id, actor, "edit", title="县委书记李华讲话", summary="做为示范")
    gate = pipeline.settle(config, store, T0, live={})
    assert [r.post.post.id for r in gate.waiting] == [clean.id]  # the desk's title: serious
    found = pipeline.checking.findings_for(config, store, store.posts_of([clean.id]))[clean.id]
    assert {(f.kind, f.text, f.note) for f in found} == {
        ("protected", "李华", "the desk's title"),
        ("typo", "做为", "the desk's summary"),
    }
    store.close()


def test_two_configurations_in_one_process_keep_their_own_findings(tmp_path: Path) -> None:
    """The live configuration and a candidate previewed on the desk: a word only the
    candidate lists is found under the candidate and not under the live one, in any
    order, and neither's findings are kept under the other's lists."""
    live_folder, candidate_folder = tmp_path / "live", tmp_path / "candidate"
    live_folder.mkdir()
    candidate_folder.mkdir()
    live = pipeline.load(config_with_lists(live_folder))
    extra = TYPOS + "绝密文件 -> 公开文件\n"
    candidate = pipeline.load(config_with_lists(candidate_folder, typos=extra))
    store = pipeline.open_store(live)
    post = Post("zfb", "s", "https://x.gov.cn/s.html", "通知", "", "这是绝密文件。", T0)
    store.save([post], T0)
    for _ in range(2):
        assert post.id not in pipeline.checking.findings_of(live, store.posts(), store, keep=True)
        found = pipeline.checking.findings_of(candidate, store.posts(), store, keep=True)
        assert [f.text for f in found[post.id]] == ["绝密文件"]
    store.close()


def test_a_preview_beside_a_publish_never_mixes_their_findings(tmp_path: Path) -> None:
    """The desk's publisher checks under the live configuration while an admin previews
    a candidate that adds a sensitive list, from two threads: what each keeps in the
    database is its own (found by the hostile review: a shared cache swapped under one
    call kept the live findings under the candidate's lists)."""
    base = (
        'site: {title: 测试, base_url: "https://x.gov.cn/"}\n'
        "sources: [{id: zfb, name: 县政府办, feed: 'https://x.gov.cn/f.xml'}]\n"
        "channels: [{slug: qita, title: 其他, fallback: true}]\n"
    )
    (tmp_path / "sens.txt").write_text("内部资料\n", encoding="utf-8")
    (tmp_path / "channels.yaml").write_text(base, encoding="utf-8")
    lists = "checks:\n  lists: [{file: sens.txt, kind: sensitive}]\n"
    (tmp_path / "candidate.yaml").write_text(base + lists, encoding="utf-8")
    live = pipeline.load(tmp_path / "channels.yaml")
    candidate = pipeline.load(tmp_path / "candidate.yaml")
    store = pipeline.open_store(live)
    body = "县政府召开常务会议，研究部署防汛工作。" * 40 + "本文件为内部资料。"
    store.save(
        [
            Post("zfb", f"k{i}", f"https://x.gov.cn/{i}.html", "通知", "", body + str(i), T0)
            for i in range(300)
        ],
        T0,
    )
    stored = store.posts()
    stop = threading.Event()

    def preview() -> None:
        while not stop.is_set():
            pipeline.checking.findings_of(candidate, stored, store)

    thread = threading.Thread(target=preview)
    thread.start()
    try:
        for _ in range(4):
            pipeline.checking.findings_of(live, stored, store, keep=True)
            pipeline.checking.findings_of(candidate, stored, store, keep=True)
    finally:
        stop.set()
        thread.join()
    fresh = pipeline.checking._Cache()  # a new process, reading what the store kept
    pipeline.checking._cache, kept = fresh, pipeline.checking._cache
    try:
        under_candidate = pipeline.checking.findings_of(candidate, stored, store)
        under_live = pipeline.checking.findings_of(live, stored, store)
    finally:
        pipeline.checking._cache = kept
    assert all(
        any(f.kind == "sensitive" for f in under_candidate.get(s.post.id, ())) for s in stored
    )
    assert not any(f.kind == "sensitive" for found in under_live.values() for f in found)
    store.close()

"""先审后发 and the desk's decisions, below the web app: review policies sort posts
(`hub.route.review`), decisions move and hide them (`Router`), the store keeps each
decision with its log line, and a publish shows nothing a policy holds back anywhere."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import checks, pipeline
from hub.config import Config
from hub.decisions import Decision
from hub.models import Post, Routed, StoredPost
from hub.route import Router
from hub.route.review import gate
from hub.store import Actor, LogQuery, Store
from tests.conftest import POSTGRES, new_store, run_sql
from tests.test_route import BASE, NOW, SOURCES, ZONE, stored

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def routed_in(*slugs: str, title: str = "标题", text: str = "正文") -> Routed:
    post = stored(title=title, text=text, url=f"https://x.gov.cn/{title}.html")
    return Routed(post, slugs, {})


# the gate, as a table --------------------------------------------------------------

CLEAN, BROKEN = "正文", "正文\ufffd\ufffd"


@pytest.mark.parametrize(
    ("policies", "text", "review", "live", "expected"),
    [
        ({"a": "none"}, BROKEN, "", False, "shown"),
        ({"a": "flagged"}, CLEAN, "", False, "shown"),
        ({"a": "flagged"}, BROKEN, "", False, "new_waiting"),
        ({"a": "all"}, CLEAN, "", False, "new_waiting"),
        ({"a": "all"}, CLEAN, "waiting", False, "waiting"),
        ({"a": "all"}, CLEAN, "approved", False, "shown"),
        ({"a": "none"}, CLEAN, "rejected", False, "rejected"),
        ({"a": "all"}, CLEAN, "", True, "grandfathered"),  # on the portal before the policy
        ({"a": "none"}, CLEAN, "waiting", False, "released"),  # the policy was relaxed
        ({"a": "none", "b": "all"}, CLEAN, "", False, "new_waiting"),  # the strictest holds
    ],
)
def test_review_sorts_posts_by_policy_findings_and_decision(
    policies: dict[str, str], text: str, review: str, live: bool, expected: str
) -> None:
    item = routed_in(*policies, text=text)
    post = item.post.post
    decisions = {post.id: Decision(post.id, review, reviewed_hash=post.hash)} if review else {}  # type: ignore[arg-type]
    shown_in = {post.id: tuple(policies)} if live else {}
    result = gate([item], policies, decisions, shown_in, checks.basic.findings)  # type: ignore[arg-type]
    buckets = {
        name: [r.post.post.id for r in getattr(result, name)]
        for name in ("shown", "waiting", "new_waiting", "rejected", "grandfathered")
    }
    buckets["released"] = result.released
    assert post.id in buckets[expected]
    shown = expected in ("shown", "grandfathered", "released")
    assert (post.id in buckets["shown"]) is shown


def test_an_approval_is_of_one_version_a_changed_post_is_reviewed_again() -> None:
    item = routed_in("a")
    post = item.post.post
    approved = {post.id: Decision(post.id, "approved", reviewed_hash="an-older-version")}
    result = gate([item], {"a": "all"}, approved, {}, checks.basic.findings)
    assert [r.post.post.id for r in result.new_waiting] == [post.id] and not result.shown


def test_findings_name_unreadable_and_garbled_text_and_a_missing_title() -> None:
    post = stored(title="", text="锟斤拷\ufffd").post
    found = checks.basic.findings(post)
    assert [(f.kind, f.field, f.text) for f in found] == [
        ("no-title", "title", ""),
        ("unreadable", "text", "\ufffd"),
        ("garbled", "text", "锟斤拷"),
    ]
    assert found[1].note == "1 unreadable character (U+FFFD)"
    assert checks.basic.findings(stored(title="通知", text="正文").post) == ()


# the router with the desk's decisions ------------------------------------------------


def route_with(decision: Decision, post: StoredPost, now: datetime = NOW) -> Routed:
    return Router(BASE, SOURCES, ZONE, decisions={decision.post_id: decision}).route(post, now)


def test_a_taken_down_post_is_hidden_and_the_miss_says_by_whom() -> None:
    post = stored("banquan", "镇里开会")
    router = Router(
        BASE, SOURCES, ZONE, decisions={post.post.id: Decision(post.post.id, taken_down=True)}
    )
    routed = router.route(post, NOW)
    assert routed.hidden and routed.channels == ()
    assert {m.reason for m in router.misses(post, NOW, routed)} == {
        "taken off the portal on the desk"
    }


def test_publish_at_and_take_down_at_bound_when_a_post_is_shown() -> None:
    post = stored("banquan", "镇里开会")
    timed = Decision(
        post.post.id, show_at=NOW + timedelta(hours=1), hide_at=NOW + timedelta(hours=3)
    )
    assert route_with(timed, post).hidden
    assert not route_with(timed, post, NOW + timedelta(hours=1)).hidden
    assert route_with(timed, post, NOW + timedelta(hours=3)).hidden


def test_a_pin_holds_until_its_date_then_the_post_is_as_the_rules_place_it() -> None:
    post = stored("banquan", "镇里开会")
    pin = Decision(post.post.id, pins=(("yiyou", NOW + timedelta(days=2)),))
    pinned = route_with(pin, post)
    assert pinned.channels == ("zhenjie", "yiyou") and pinned.pinned == ("yiyou",)
    assert pinned.reasons["yiyou"] == "placed by an editor on the desk"
    later = route_with(pin, post, NOW + timedelta(days=2))
    assert later.channels == ("zhenjie",) and later.pinned == ()


def test_move_takes_a_post_out_of_one_channel_into_another_and_edits_show() -> None:
    post = stored("banquan", "镇里开会")
    moved = Decision(
        post.post.id, add=("pingan",), remove=("zhenjie",), title="新标题", summary="摘要"
    )
    routed = route_with(moved, post)
    assert routed.channels == ("pingan",)
    assert routed.shown_title == "新标题" and routed.post.post.title == "镇里开会"
    assert routed.summary == "摘要"
    emptied = route_with(Decision(post.post.id, remove=("zhenjie",)), post)
    assert emptied.channels == ("qita",)  # the fallback takes what no channel keeps


def test_a_decision_naming_a_channel_that_no_longer_exists_is_ignored() -> None:
    post = stored("banquan", "镇里开会")
    routed = route_with(Decision(post.post.id, add=("gone",), pins=(("gone", None),)), post)
    assert routed.channels == ("zhenjie",) and routed.pinned == ()


# the store --------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return new_store(tmp_path / "hub.sqlite3")


def test_each_change_is_logged_with_before_and_after(store: Store) -> None:
    actor = Actor("王编辑", T0, "127.0.0.1")
    store.desk.change("p1", actor, "takedown", reason="标题有误", taken_down=True)
    store.desk.change("p1", actor, "pin", channel="yiyou", pins=[("yiyou", T0 + timedelta(days=1))])
    assert store.desk.decision("p1").taken_down
    newest, oldest = store.desk.entries(LogQuery(post_id="p1"))
    assert (oldest.user, oldest.action, oldest.reason, oldest.address) == (
        "王编辑",
        "takedown",
        "标题有误",
        "127.0.0.1",
    )
    assert json.loads(oldest.before) == {"taken_down": False}
    assert json.loads(oldest.after) == {"taken_down": True}
    assert json.loads(newest.after) == {"pins": [["yiyou", "2026-06-16T01:00:00+00:00"]]}
    assert store.desk.count(LogQuery(user="王编辑")) == 2 and store.desk.last_entry() == 2


def test_the_log_cannot_be_changed_or_deleted_even_with_sql(store: Store, tmp_path: Path) -> None:
    store.desk.record(Actor("王编辑", T0), "login")
    store.close()
    truncate = ("TRUNCATE desk_log",) if POSTGRES else ()  # SQLite has no TRUNCATE
    for statement in ("UPDATE desk_log SET \"user\" = 'x'", "DELETE FROM desk_log", *truncate):
        with pytest.raises(Exception, match="append-only"):
            run_sql(tmp_path / "hub.sqlite3", statement)
    assert run_sql(tmp_path / "hub.sqlite3", 'SELECT "user" FROM desk_log') == [("王编辑",)]


def test_decisions_of_more_posts_than_a_statement_may_bind(store: Store) -> None:
    """A publish asks for every shown post's decision: 70,000 ids are over PostgreSQL's
    65,535 parameters in one statement (and SQLite's default 32,766)."""
    store.desk.change("p69999", Actor("王编辑", T0), "takedown", taken_down=True)
    found = store.desk.decisions_of([f"p{n}" for n in range(70_000)])
    assert list(found) == ["p69999"] and found["p69999"].taken_down


def test_the_queue_lists_waiting_posts_oldest_first(store: Store) -> None:
    store.desk.mark_waiting(["b", "c"], T0 + timedelta(minutes=1))
    store.desk.mark_waiting(["a"], T0)
    assert store.desk.waiting() == (["a", "b", "c"], 3)
    store.desk.review({"b": "h"}, Actor("李审核", T0), "approved")
    store.desk.release(["c"])
    assert store.desk.waiting() == (["a"], 1)
    assert store.desk.decision("b").review == "approved"
    assert store.desk.decision("b").reviewed_by == "李审核"


# a publish ---------------------------------------------------------------------------

CONFIG = """\
site: {title: 示例县政务信息聚合平台, base_url: "http://127.0.0.1:8000/", per_page: 10}
sources:
  - {id: banquan, name: 板泉镇人民政府, group: 镇街, feed: "https://x.gov.cn/bq.xml"}
  - {id: wlj, name: 县文化和旅游局, group: 部门, feed: "https://x.gov.cn/wlj.xml"}
channels:
  - {slug: zhenjie, title: 镇街动态, include: [{group: 镇街}]REVIEW}
  - {slug: bumen, title: 部门快讯, include: [{group: 部门}]}
"""


def project(folder: Path, review: str = "all") -> Config:
    path = folder / "channels.yaml"
    path.write_text(CONFIG.replace("REVIEW", f", review: {review}"), encoding="utf-8")
    return pipeline.load(path)


def add(config: Config, *posts: tuple[str, str]) -> list[str]:
    store = pipeline.open_store(config)
    made = [
        Post(
            source_id=source,
            key=title,
            url=f"https://x.gov.cn/{source}/{n}.html",
            title=title,
            content_html=f"<p>{title}的正文</p>",
            text=f"{title}的正文",
            published=T0 - timedelta(hours=n + 1),
        )
        for n, (source, title) in enumerate(posts)
    ]
    store.save(made, T0)
    store.close()
    return [p.id for p in made]


def public_text(config: Config) -> str:
    """Every file of the live portal but sources.opml, and what search finds."""
    site = config.site_dir.resolve()
    texts = [
        f.read_text(encoding="utf-8")
        for f in sorted(site.rglob("*"))
        if f.is_file() and f.suffix in (".html", ".xml", ".atom", ".json")
    ]
    service = pipeline.SearchService(config)
    found = service.results(service.request({"q": "正文"}))
    return "\n".join(texts) + "\n" + "\n".join(h.title for h in found.hits)


def test_a_post_under_review_all_appears_nowhere_public_until_approved(tmp_path: Path) -> None:
    config = project(tmp_path)
    town, dept = add(config, ("banquan", "镇里召开防汛会议"), ("wlj", "文旅局发布旅游线路"))
    store = pipeline.open_store(config)
    pipeline.publish(config, store, T0)
    public = public_text(config)
    assert "文旅局发布旅游线路" in public  # 部门快讯 is under the default policy
    assert "镇里召开防汛会议" not in public and town not in public
    assert "板泉镇人民政府" in (config.site_dir / "sources.opml").read_text(encoding="utf-8")
    assert store.desk.waiting() == ([town], 1)

    store.desk.review({town: store.find(town).post.hash}, Actor("李审核", T0), "approved")  # type: ignore[union-attr]
    pipeline.publish(config, store, T0 + timedelta(minutes=1))
    public = public_text(config)
    assert public.count("镇里召开防汛会议") >= 5  # home, section, department, post page, feeds
    assert town in (config.site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert store.desk.waiting() == ([], 0) and dept not in store.desk.decisions()


def test_a_stricter_policy_leaves_posts_already_published_up_and_logs_it(tmp_path: Path) -> None:
    config = project(tmp_path, "none")
    (town,) = add(config, ("banquan", "镇里召开防汛会议"))
    store = pipeline.open_store(config)
    pipeline.publish(config, store, T0)
    stricter = project(tmp_path, "all")
    (later,) = add(stricter, ("banquan", "镇里又开了一次会"))
    pipeline.publish(stricter, store, T0 + timedelta(minutes=1))
    public = public_text(stricter)
    assert "镇里召开防汛会议" in public and "镇里又开了一次会" not in public
    (entry,) = store.desk.entries(LogQuery(user="hub"))
    assert (entry.action, entry.post_id) == ("approved", town)
    assert "already on the portal" in entry.reason
    assert store.desk.waiting() == ([later], 1)


def test_a_takedown_removes_a_post_from_every_output_and_the_lead_banner(tmp_path: Path) -> None:
    config = project(tmp_path, "none")
    town, dept = add(config, ("banquan", "镇里召开防汛会议"), ("wlj", "文旅局发布旅游线路"))
    store = pipeline.open_store(config)
    store.desk.set_setting("lead", dept, Actor("王编辑", T0), "lead")
    pipeline.publish(config, store, T0)
    home = (config.site_dir / "index.html").read_text(encoding="utf-8")
    assert 'class="headline"' in home and "头条" in home
    store.desk.change(dept, Actor("王编辑", T0), "takedown", taken_down=True)
    pipeline.publish(config, store, T0 + timedelta(minutes=1))
    public = public_text(config)
    assert "文旅局发布旅游线路" not in public and dept not in public
    assert 'class="headline"' not in (config.site_dir / "index.html").read_text(encoding="utf-8")
    assert "镇里召开防汛会议" in public and town in public


# kill -9 -----------------------------------------------------------------------------------

ACTING = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from hub.store import Actor, Store

store = Store(sys.argv[1])
start = int(sys.argv[2])
for n in range(start, start + 100000):
    actor = Actor("crash", datetime.now(timezone.utc))
    store.desk.change(f"p{n}", actor, "takedown", reason=str(n), taken_down=True)
    if n - start == 20:
        print("acting", flush=True)
"""


def test_kill_9_during_desk_actions_leaves_no_half_applied_action(tmp_path: Path) -> None:
    """Each action and its log line are one transaction: after SIGKILL at any moment,
    every post taken down has its log line and every log line its takedown."""
    database = tmp_path / "hub.sqlite3"
    new_store(database).close()
    url = os.environ["HUB_STORE_URL"] if POSTGRES else f"sqlite:///{database}"
    for round_ in range(6):
        with subprocess.Popen(
            [sys.executable, "-c", ACTING, url, str(round_ * 100000)],
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert child.stdout is not None and child.stdout.readline() == "acting\n"
            time.sleep(random.uniform(0.0, 0.3))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
    store = new_store(database)
    down = {pid for pid, d in store.desk.decisions().items() if d.taken_down}
    logged = [e.post_id for e in store.desk.export(LogQuery(action="takedown"))]
    assert len(logged) == len(set(logged)) and set(logged) == down
    assert len(down) > 6 * 20
    store.close()


# timed decisions and merges ------------------------------------------------------------------


def test_timed_decisions_publish_by_themselves_when_they_fall_due(tmp_path: Path) -> None:
    from hub.serve.desk.publisher import Publisher  # noqa: PLC0415
    from tests.conftest import Clock  # noqa: PLC0415

    config = project(tmp_path, "none")
    town, dept = add(config, ("banquan", "镇里召开防汛会议"), ("wlj", "文旅局发布旅游线路"))
    store = pipeline.open_store(config)
    clock = Clock(T0)
    publisher = Publisher(lambda: config, store, clock, idle=0.05).start()
    actor = Actor("王编辑", T0)
    store.desk.change(dept, actor, "timing", hide_at=T0 + timedelta(hours=1))
    store.desk.change(town, actor, "timing", show_at=T0 + timedelta(hours=1))
    publisher.wait(publisher.ask(), 60)
    assert "文旅局发布旅游线路" in public_text(config) and "镇里召开防汛会议" not in public_text(
        config
    )
    done = publisher.done
    clock.advance(timedelta(minutes=59))
    time.sleep(0.5)
    assert publisher.done == done and publisher.last == T0  # nothing fell due: no publish
    clock.advance(timedelta(minutes=1))  # both fall due; nobody clicks anything
    deadline = time.monotonic() + 60
    while publisher.last == T0 and time.monotonic() < deadline:
        time.sleep(0.05)
    publisher.stop()
    public = public_text(config)
    assert "文旅局发布旅游线路" not in public and "镇里召开防汛会议" in public
    store.close()


def test_the_scheduler_publishes_desk_actions_and_timed_decisions(tmp_path: Path) -> None:
    from hub.schedule import Runner  # noqa: PLC0415

    config = project(tmp_path, "none")
    (dept,) = add(config, ("wlj", "文旅局发布旅游线路"))
    runner = Runner(config, lambda: T0, published=True)
    runner.last_publish = T0
    runner._desk(T0)
    assert not runner.pending
    runner.store.desk.change(
        dept, Actor("王编辑", T0), "pin", pins=[("bumen", T0 + timedelta(hours=2))]
    )
    runner._desk(T0)  # a new line on the desk's log: publish
    assert runner.pending and not runner.publish_now
    runner.pending = False
    runner._desk(T0 + timedelta(hours=1))
    assert not runner.pending
    runner._desk(T0 + timedelta(hours=2))  # the pin ends: publish at once
    assert runner.pending and runner.publish_now
    runner.close()


def test_an_editors_merge_shows_a_post_once_and_a_split_undoes_it(tmp_path: Path) -> None:
    config = project(tmp_path, "none")
    first, second = add(config, ("banquan", "镇里召开防汛会议"), ("wlj", "文旅局发布旅游线路"))
    store = pipeline.open_store(config)
    routed = pipeline.route(config, store, T0)
    assert pipeline.find_reprints(config, routed, store.desk.decisions()) == {}
    store.desk.change(second, Actor("王编辑", T0), "merge", reprint_of=first)
    merged = pipeline.find_reprints(config, routed, store.desk.decisions())
    assert merged[second] == first and merged.get(first, first) == first
    pipeline.publish(config, store, T0)
    site = config.site_dir
    for listing in ("c/bumen/index.html", "feed.xml", "index.html"):  # shown once, as a copy
        assert "文旅局发布旅游线路" not in (site / listing).read_text(encoding="utf-8"), listing
    store.desk.change(second, Actor("王编辑", T0), "split", reprint_of="", not_reprint=True)
    split = pipeline.find_reprints(config, routed, store.desk.decisions())
    assert split.get(second, second) == second
    store.close()


def test_explain_says_what_review_made_of_a_post(tmp_path: Path) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from hub.cli import main  # noqa: PLC0415

    config = project(tmp_path)
    (town,) = add(config, ("banquan", "镇里召开防汛会议"))
    store = pipeline.open_store(config)
    pipeline.publish(config, store, T0)
    out = CliRunner().invoke(main, ["explain", town, "-c", str(config.path)]).stdout
    assert "review: waiting for a reviewer on the desk: the portal does not show it" in out
    store.desk.review({town: "old"}, Actor("李审核", T0), "rejected", "错别字")
    out = CliRunner().invoke(main, ["explain", town, "-c", str(config.path), "--json"]).stdout
    assert json.loads(out)["review"] == "rejected on the desk by 李审核 (错别字): not shown"
    store.close()

"""The store on a real SQLite file (or, with HUB_TEST_POSTGRES, a real PostgreSQL):
dedupe, updates in place, source state."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.audited import FetchAttempt
from hub.errors import StoreError
from hub.models import Attachment, Finding, Post, SourceState
from hub.store import Store, findings
from tests.conftest import POSTGRES, new_store, run_sql, sqlite_only

T0 = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def post(
    key: str = "guid:1",
    title: str = "县召开防汛工作会议",
    source: str = "yjj",
    published: datetime | None = T0 - timedelta(days=1),
) -> Post:
    return Post(
        source_id=source,
        key=key,
        url=f"https://x.gov.cn/{key}",
        title=title,
        content_html="<p>正文</p>",
        text="正文",
        published=published,
        categories=("通知", "防汛"),
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return new_store(tmp_path / "data" / "hub.sqlite3")


@dataclass(frozen=True)
class Fixed:
    """A sketcher of a version that sketches every post alike."""

    version: str = "test"

    def __call__(self, post: Post) -> tuple[int, ...]:
        return (1, 2, 3)


def test_the_store_is_the_database_the_suite_was_asked_for(store: Store) -> None:
    """With HUB_TEST_POSTGRES the suite really runs on PostgreSQL."""
    assert store.dialect == ("postgresql" if POSTGRES else "sqlite")


def test_posts_round_trip_unchanged(store: Store) -> None:
    original = post()
    assert store.save([original], T0) == (1, 0)
    (stored,) = store.posts()
    assert stored.post == original and stored.post.hash == original.hash
    assert stored.first_seen == T0 and stored.filed == original.published
    assert stored.post.published is not None and stored.post.published.tzinfo is UTC


def test_same_post_again_is_neither_new_nor_changed(store: Store) -> None:
    store.save([post()], T0)
    assert store.save([post()], T0 + timedelta(hours=1)) == (0, 0)
    assert len(store.posts()) == 1


def test_a_changed_post_is_updated_in_place_keeping_first_seen_and_filing(store: Store) -> None:
    store.save([post()], T0)
    later = T0 + timedelta(days=40)
    edited = post(title="县召开防汛工作会议（更新）", published=T0 + timedelta(days=35))
    assert store.save([edited], later) == (0, 1)
    (stored,) = store.posts()
    assert stored.post.title.endswith("（更新）")
    assert stored.first_seen == T0 and stored.changed == later
    assert stored.filed == T0 - timedelta(days=1)  # its permalink month never moves


def test_posts_are_newest_first_and_filter_by_source(store: Store) -> None:
    store.save(
        [
            post("guid:old", published=T0 - timedelta(days=3)),
            post("guid:new", published=T0 - timedelta(hours=1)),
            post("guid:undated", published=None),
            post("guid:other", source="wlj"),
        ],
        T0,
    )
    assert [p.post.key for p in store.posts("yjj")] == ["guid:undated", "guid:new", "guid:old"]
    assert store.post_counts() == {"yjj": 3, "wlj": 1}
    assert store.existing_ids([post("guid:new").id, "nope"]) == {post("guid:new").id}


def test_source_state_round_trip(store: Store) -> None:
    assert store.state("yjj") == SourceState("yjj")
    state = SourceState(
        "yjj",
        etag='"v1"',
        last_modified="Mon, 15 Jun 2026 00:00:00 GMT",
        next_fetch_at=T0 + timedelta(hours=1),
        failures=2,
        error_kind="http",
        last_error="HTTP 500",
        last_fetch_at=T0,
        last_ok_at=T0 - timedelta(days=1),
    )
    store.record(state)
    assert store.state("yjj") == state
    store.record(replace(state, failures=0, error_kind="", last_error=""))
    store.save([post()], T0)
    assert store.states()["yjj"] == replace(
        state, failures=0, error_kind="", last_error="", posts=1
    )


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="naive datetime"):
        store.record(SourceState("yjj", last_fetch_at=datetime(2026, 6, 15)))


@sqlite_only
def test_sqlite_runs_in_wal_mode(store: Store, tmp_path: Path) -> None:
    store.save([post()], T0)
    with sqlite3.connect(tmp_path / "data" / "hub.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@sqlite_only
def test_a_database_from_an_earlier_hub_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the posts and sources tables before attachments
        db.execute(
            "CREATE TABLE sources (source_id VARCHAR PRIMARY KEY, etag VARCHAR NOT NULL,"
            " last_modified VARCHAR NOT NULL, next_fetch_at DATETIME, failures INTEGER"
            " NOT NULL, error_kind VARCHAR NOT NULL, last_error VARCHAR NOT NULL,"
            " last_fetch_at DATETIME, last_ok_at DATETIME, last_new_post_at DATETIME)"
        )
        db.execute(
            "INSERT INTO sources VALUES ('yjj', '\"e\"', '', NULL, 0, '', '', NULL, NULL, NULL)"
        )
        db.execute(
            "CREATE TABLE posts (id VARCHAR PRIMARY KEY, source_id VARCHAR NOT NULL,"
            " key VARCHAR NOT NULL, url VARCHAR NOT NULL, title VARCHAR NOT NULL,"
            " content_html VARCHAR NOT NULL, text VARCHAR NOT NULL, published DATETIME,"
            " updated DATETIME, author VARCHAR NOT NULL, categories VARCHAR NOT NULL,"
            " hash VARCHAR NOT NULL, first_seen DATETIME NOT NULL, filed DATETIME NOT"
            " NULL, changed DATETIME)"
        )
        old = post()
        db.execute(
            "INSERT INTO posts VALUES (?, 'yjj', ?, ?, ?, ?, ?, '2026-06-14 01:00:00',"
            " NULL, '', ?, ?, '2026-06-15 01:00:00', '2026-06-14 01:00:00', NULL)",
            (
                old.id,
                old.key,
                old.url,
                old.title,
                old.content_html,
                old.text,
                '["通知", "防汛"]',
                old.hash,
            ),
        )
    store = Store(f"sqlite:///{path}")
    assert store.state("yjj").feed_url == "" and store.state("yjj").etag == '"e"'
    (stored,) = store.posts()
    assert stored.post.attachments == () and stored.post.hash == old.hash
    assert store.save([old], T0) == (0, 0)  # unchanged: no phantom update after upgrading


def test_attachments_round_trip(store: Store) -> None:
    with_files = replace(post(), attachments=(Attachment("附件1：报名表", "https://x/1.pdf"),))
    store.save([with_files], T0)
    assert store.posts()[0].post.attachments == with_files.attachments
    assert store.posts()[0].post.hash == with_files.hash != post().hash


@sqlite_only  # a damaged file
@pytest.mark.parametrize(
    ("damage", "advice"),
    [
        (b"garbage" * 200, "the database file is damaged: restore it from a backup"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "the database file is damaged"),
    ],
    ids=["not-a-database", "malformed"],
)
def test_a_damaged_database_is_one_line_that_says_what_to_do(
    tmp_path: Path, damage: bytes, advice: str
) -> None:
    """Issue 12: a corrupt SQLite file gave a two-line error with no advice, even for the
    read-only `hub status`."""
    path = tmp_path / "hub.sqlite3"
    Store.sqlite(path).close()
    path.write_bytes(damage)
    with pytest.raises(StoreError) as caught:
        Store.sqlite(path).states()
    message = str(caught.value)
    assert "\n" not in message and advice in message and str(path) in message, message


FILL = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from hub.audited import FetchAttempt
from hub.errors import StoreError
from hub.models import Post
from hub.store import Store
from tests.conftest import POSTGRES, new_store, run_sql, sqlite_only
store = Store.sqlite(Path(sys.argv[1]) / "hub.sqlite3")
now = datetime(2026, 6, 15, tzinfo=UTC)
try:
    for n in range(100_000):
        text = "满" * 2000 + str(n)
        store.save([Post("s", str(n), f"https://x.gov.cn/{n}", "题", text, text, now)], now)
except StoreError as exc:
    print(str(exc))
"""


@sqlite_only  # the data folder's disk
def test_a_full_disk_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    from tests.test_crash import namespaces_work  # noqa: PLC0415

    if not namespaces_work():
        if os.environ.get("HUB_REQUIRE_NAMESPACES"):
            pytest.fail("`unshare -Urm` is required here (HUB_REQUIRE_NAMESPACES)")
        pytest.skip("needs `unshare -Urm` (user and mount namespaces) to mount a small tmpfs")
    (tmp_path / "fill.py").write_text(FILL, encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f"mount -t tmpfs -o size=512k tmpfs {disk} && {sys.executable} {tmp_path / 'fill.py'} {disk}"
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert done.returncode == 0, done.stderr
    (message,) = done.stdout.splitlines()
    assert "the disk holding it is full or failing: free space there" in message, message


def test_fetches_are_kept_thirty_days_per_source(store: Store) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    store.record_fetch(FetchAttempt("a", start, ok=True, seconds=1.5))
    store.record_fetch(FetchAttempt("b", start, ok=False, seconds=0.0))
    store.record_fetch(FetchAttempt("a", start + timedelta(days=31), ok=True, seconds=2.0))
    kept = store.fetches(start - timedelta(days=1))
    # a's first fetch is now over 30 days older than its latest; b's stays until b's next
    assert kept == [
        FetchAttempt("b", start, ok=False, seconds=0.0),
        FetchAttempt("a", start + timedelta(days=31), ok=True, seconds=2.0),
    ]
    assert store.fetches(start) == [kept[1]]  # since: after, not at


def test_the_store_tells_its_size_on_disk(store: Store) -> None:
    empty = store.size()
    now = datetime(2026, 6, 15, tzinfo=UTC)
    text = "县应急管理局开展防汛演练。" * 20
    store.save(
        [Post("s", str(n), f"https://x.gov.cn/{n}", "题", text, text, now) for n in range(200)], now
    )
    assert empty > 0 and store.size() > empty + 200 * len(text.encode())


def test_a_stored_post_keeps_the_id_and_hash_it_was_stored_with(store: Store) -> None:
    made = post(key="guid:7")
    store.save([made], T0)
    (loaded,) = store.posts()
    assert loaded.post == made
    assert (loaded.post.id, loaded.post.hash) == (made.id, made.hash)
    assert loaded.post.attachments == () and loaded.post.categories == ("通知", "防汛")


def test_a_store_without_the_newest_columns_gains_them_with_their_defaults(
    tmp_path: Path,
) -> None:
    """`add_missing_columns` on either database: text, times and booleans."""
    database = tmp_path / "data" / "hub.sqlite3"
    store = new_store(database)
    store.save([post()], T0)
    store.record(SourceState("yjj", etag='"e"', feed_url="https://x.gov.cn/feed"))
    store.close()
    for statement in (
        "ALTER TABLE posts DROP COLUMN first_published",
        "ALTER TABLE sources DROP COLUMN feed_url",
        "ALTER TABLE users DROP COLUMN disabled",
    ):
        run_sql(database, statement)
    run_sql(
        database,
        "INSERT INTO users (name, role, password_hash, created) VALUES "
        "('王编辑', 'editor', 'x', '2026-06-15 01:00:00')",
    )
    store = new_store(database)
    assert store.state("yjj").feed_url == "" and store.state("yjj").etag == '"e"'
    (stored,) = store.posts()
    assert stored.first_published is None and stored.post == post()
    (user,) = store.people.users()
    assert user.name == "王编辑" and user.disabled is False
    assert store.save([post()], T0) == (0, 0)
    store.close()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://hub:s3cret@127.0.0.1:1/hub", "the PostgreSQL server cannot be reached"),
        ("mysql://hub:s3cret@127.0.0.1/hub", "hub keeps its posts in SQLite or PostgreSQL"),
        ("postgresql://hub:s3cret@[::1/hub", "cannot be read: write it as postgresql://"),
    ],
    ids=["unreachable", "other-database", "unreadable"],
)
def test_a_bad_url_or_server_is_one_line_that_never_shows_the_password(url: str, said: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store(url)
    message = str(caught.value)
    assert "\n" not in message and said in message and "s3cret" not in message, message


def test_a_database_the_server_lacks_says_how_to_create_it() -> None:
    if not POSTGRES:
        pytest.skip("needs a PostgreSQL server: set HUB_TEST_POSTGRES")
    with pytest.raises(StoreError, match=r"no such database: create it \(`createdb"):
        Store(POSTGRES.rsplit("/", 1)[0] + "/no_such_database")


def test_titles_are_searched_literally_and_without_regard_to_ascii_case(store: Store) -> None:
    store.save(
        [post("a", "关于PDF附件的说明"), post("b", "完成率100%的通知"), post("c", "1000_2")], T0
    )
    assert [s.post.title for s in store.titled("pdf")[0]] == ["关于PDF附件的说明"]
    assert store.titled("100%")[1] == 1 and store.titled("0_")[1] == 1
    assert store.titled("附件 说明")[1] == 1 and store.titled("附件 通知")[1] == 0


def test_posts_read_again_are_what_another_process_changed_meanwhile(tmp_path: Path) -> None:
    """A long-running hub keeps the posts it read; the next read still sees every
    change another process made: an edit, a removal, a sketch filled in, a deletion."""
    database = tmp_path / "data" / "hub.sqlite3"
    reader, writer = new_store(database), new_store(database)
    writer.save([post("guid:1"), post("guid:2", "县开展安全生产检查")], T0)
    first = {s.post.id: s for s in reader.posts()}
    assert len(first) == 2
    again = {s.post.id: s for s in reader.posts()}
    assert all(again[pid] is first[pid] for pid in first)  # nothing changed: not read again

    edited = post("guid:1", "县召开防汛工作会议（更新）")
    writer.save([edited], T0 + timedelta(hours=1))
    writer.mark_removed("yjj", {edited.id}, T0 - timedelta(days=30), T0 + timedelta(hours=2))
    run_sql(database, "UPDATE posts SET sketch = '' ")
    assert writer.fill_sketches(Fixed()) == 2
    assert writer.fill_sketches(Fixed()) == 0  # sketched with this version: not again
    assert writer.fill_sketches(Fixed("v-next")) == 2  # another version: all again
    after = {s.post.id: s for s in reader.posts()}
    assert after[edited.id].post.title == "县召开防汛工作会议（更新）"
    assert after[edited.id].removed is None and after[edited.id].sketch == (1, 2, 3)
    gone = next(pid for pid in after if pid != edited.id)
    assert after[gone].removed == T0 + timedelta(hours=2)

    run_sql(database, f"DELETE FROM posts WHERE id = '{gone}'")  # noqa: S608 (a test's own id)
    assert [s.post.id for s in reader.posts()] == [edited.id]
    assert [s.post.id for s in reader.posts("yjj")] == [edited.id]


def test_findings_kept_over_rows_another_process_wrote_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`keep` reads which posts have a row, then writes; rows added between the two
    (another publisher) fail the insert once, and the second try updates them."""
    store = new_store(tmp_path / "hub.sqlite3")
    flagged = (Finding("typo", "错别字", "serious", "错别字", "title", 0),)
    store.findings.keep([("a", "v1", ()), ("b", "v1", flagged)])
    present = findings.FindingsStore._present
    calls = []

    def stale_once(session: object, ids: list[str]) -> set[str]:
        calls.append(ids)
        return set() if len(calls) == 1 else present(session, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(findings.FindingsStore, "_present", staticmethod(stale_once))
    monkeypatch.setattr(findings, "KEEP_CHUNK", 2)
    store.findings.keep([("a", "v2", flagged), ("b", "v2", ()), ("c", "v2", flagged)])
    assert len(calls) == 3  # the first chunk twice, the second once
    assert store.findings.kept({"a": "v2", "b": "v2", "c": "v2"}) == {
        "a": flagged,
        "b": (),
        "c": flagged,
    }
    store.close()

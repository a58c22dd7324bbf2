"""Alerts: the messages in each format (企业微信, 钉钉, JSON, e-mail) and their size cuts,
钉钉's signature, the quiet period, and delivery to a real SMTP server and real webhook
receivers on 127.0.0.1 — including one that answers 500 and one that never answers."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from hub import alerts, pipeline, schedule
from hub.alerts import Alert, Ledger
from hub.cli import main
from hub.config import Config
from hub.models import SourceState
from tests.conftest import START, Clock
from tests.httpserver import Reply, ScriptedServer

ZONE = ZoneInfo("Asia/Shanghai")
SITE = "示例县政务信息聚合平台"
FAILING = Alert(
    "source-failing", "yingji", "县应急管理局", START, "连续 2 次失败（http）：HTTP 500"
)
BACK = Alert("source-back", "yingji", "县应急管理局", START, "此前连续 2 次失败")
HELD = Alert(
    "post-held",
    "abc123",
    "关于做好防汛工作的通知",
    START,
    "内容检查：typo",
    "县水利局",
    "http://x/1",
)
STALE = Alert("section-stale", "yiyou", "宜游", START, "14 天没有新稿件")


def many(count: int, title: str = "一个很长的部门名称" * 4) -> list[Alert]:
    return [
        Alert("source-failing", f"s{i}", f"{title}{i}", START, "HTTP 500 " + "错误" * 60)
        for i in range(count)
    ]


# -- messages ---------------------------------------------------------------------------


def test_a_wecom_message_is_markdown_with_every_alert_a_line() -> None:
    message = alerts.wecom([BACK, HELD, FAILING], SITE, ZONE, mention=("zhangsan",))
    assert set(message) == {"msgtype", "markdown"} and message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert set(message["markdown"]) == {"content"}
    lines = content.splitlines()
    assert lines[0] == f"### 【{SITE}】3 条提醒：抓取失败 1，已恢复 1，稿件待审 1"
    # failures first, then what waits for an editor, then the good news
    assert "抓取失败" in lines[1] and "县应急管理局（yingji）" in lines[1]
    assert "《关于做好防汛工作的通知》（县水利局）：内容检查：typo" in lines[2]
    assert "[查看](http://x/1)" in lines[2] and "（06-15 09:00）" in lines[2]
    assert "已恢复" in lines[3]
    assert lines[-1] == "<@zhangsan>"


def test_a_batch_too_long_for_wecom_is_cut_between_lines_and_says_how_many_more() -> None:
    batch = many(200)
    content = alerts.wecom(batch, SITE, ZONE)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    lines = content.splitlines()
    shown = [line for line in lines if line.startswith("- **")]
    assert lines[-1] == f"……另有 {200 - len(shown)} 条未列出（and {200 - len(shown)} more）"
    assert 5 < len(shown) < 200
    # a message that fits is not cut
    assert "另有" not in alerts.wecom(batch[:3], SITE, ZONE)["markdown"]["content"]


def test_a_dingtalk_message_has_a_title_and_mentions_by_phone_within_its_size() -> None:
    message = alerts.dingtalk([FAILING, HELD], SITE, ZONE, mention=("13800001111",))
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == f"{SITE}：抓取失败 1，稿件待审 1"
    assert message["markdown"]["text"].startswith(f"#### 【{SITE}】2 条提醒")
    assert message["markdown"]["text"].endswith("@13800001111")  # 钉钉 @s only who is named
    assert message["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}
    big = alerts.dingtalk(many(1000), SITE, ZONE, mention=("all",))
    assert len(big["markdown"]["text"].encode("utf-8")) <= 20000
    assert "条未列出" in big["markdown"]["text"] and big["at"]["isAtAll"] is True


def test_what_sources_wrote_cannot_mention_link_or_format() -> None:
    sneaky = Alert(
        "post-held", "p", "<@all> [点我](http://evil.example/) **急**\n### 假标题", START
    )
    content = alerts.wecom([sneaky], SITE, ZONE)["markdown"]["content"]
    assert "<@all>" not in content and "](http://evil" not in content and "**急**" not in content
    assert "＜@all＞ ［点我］" in content
    assert len(content.splitlines()) == 2  # its line break is a space: no heading of its own


def test_dingtalk_signing_matches_a_vector_computed_with_openssl() -> None:
    # printf '1700000000000\nSECtest-secret' | openssl dgst -sha256 -hmac SECtest-secret -binary | base64
    sign = "LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g="
    when = datetime.fromtimestamp(1_700_000_000, UTC)
    url = alerts.signed(
        "https://oapi.dingtalk.com/robot/send?access_token=T", "SECtest-secret", when
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000"
        "&sign=LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D"
    )
    assert parse_qs(urlsplit(url).query)["sign"] == [sign]


def test_plain_json_lists_every_event() -> None:
    message = alerts.as_json([HELD, FAILING], SITE, START)
    assert message["site"] == SITE and message["sent_at"] == START.isoformat()
    assert [e["kind"] for e in message["events"]] == ["source-failing", "post-held"]
    assert message["events"][1] == {
        "kind": "post-held",
        "subject": "abc123",
        "title": "关于做好防汛工作的通知",
        "at": START.isoformat(),
        "detail": "内容检查：typo",
        "department": "县水利局",
        "link": "http://x/1",
    }


def test_an_email_has_a_chinese_subject_and_a_plain_body() -> None:
    message = alerts.email([FAILING, STALE], SITE, ZONE, "hub@example.gov.cn", ("a@x.cn", "b@x.cn"))
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == f"【{SITE}】2 条提醒：抓取失败 1，栏目未更新 1"
    assert parsed["To"] == "a@x.cn, b@x.cn"
    body = parsed.get_body().get_content()  # type: ignore[union-attr]
    assert "[抓取失败] 县应急管理局（yingji）：连续 2 次失败（http）：HTTP 500" in body
    assert "[栏目未更新] 宜游（yiyou）：14 天没有新稿件" in body


# -- the quiet period -------------------------------------------------------------------

QUIET = timedelta(hours=6)


def test_the_same_alert_is_not_told_again_within_the_quiet_period() -> None:
    ledger = alerts.delivered(Ledger(), "hook", [FAILING], START)
    assert alerts.due(ledger, "hook", [FAILING], QUIET, START + timedelta(hours=5)) == []
    assert alerts.due(ledger, "other", [FAILING], QUIET, START) == [FAILING]
    assert alerts.due(ledger, "hook", [FAILING], QUIET, START + QUIET) == [FAILING]


def test_a_source_back_is_news_only_where_its_failure_was_told_and_clears_it() -> None:
    assert alerts.due(Ledger(), "hook", [BACK], QUIET, START) == []
    told = alerts.delivered(Ledger(), "hook", [FAILING], START)
    later = START + timedelta(minutes=30)
    assert alerts.due(told, "hook", [BACK], QUIET, later) == [BACK]
    back = alerts.delivered(told, "hook", [BACK], later)
    # a new failure within the quiet period is told at once, and so is its recovery
    assert alerts.due(back, "hook", [FAILING], QUIET, later) == [FAILING]
    again = alerts.delivered(back, "hook", [FAILING], later)
    assert alerts.due(again, "hook", [BACK], QUIET, later) == [BACK]


def test_an_undelivered_failure_and_its_recovery_cancel_out() -> None:
    pending = alerts.undelivered(Ledger(), "hook", [FAILING, HELD])
    assert alerts.due(pending, "hook", [], QUIET, START) == [FAILING, HELD]
    assert alerts.due(pending, "hook", [BACK], QUIET, START) == [HELD]


def test_the_ledger_survives_json_and_forgets_what_is_old() -> None:
    ledger = alerts.undelivered(alerts.delivered(Ledger(), "a", [FAILING], START), "b", [HELD])
    assert alerts.from_json(json.loads(json.dumps(alerts.to_json(ledger)))) == ledger
    kept = alerts.pruned(ledger, {"a"}, QUIET, START + timedelta(days=1))
    assert kept == Ledger({"a": {FAILING.key: START}}, {})
    assert alerts.pruned(ledger, {"a"}, QUIET, START + timedelta(days=31)) == Ledger()
    with pytest.raises(ValueError, match="not an alerts ledger"):
        alerts.from_json({"told": []})


def test_a_crawl_gives_failing_sources_and_sources_back(tmp_path: Path) -> None:
    config = project(tmp_path, "", "")
    ok = SourceState("flaky", last_fetch_at=START)
    failing = SourceState("flaky", last_fetch_at=START, failures=2, error_kind="http")
    assert list(alerts.sources_changed(config.sources, {}, {"flaky": failing}, START)) == [
        Alert("source-failing", "flaky", "测试局", START, "连续 2 次失败（http）：", link=FEED)
    ]
    assert not list(
        alerts.sources_changed(config.sources, {}, {"flaky": failing}, START, failures=3)
    )
    (back,) = alerts.sources_changed(config.sources, {"flaky": failing}, {"flaky": ok}, START)
    assert back.kind == "source-back"
    assert not list(alerts.sources_changed(config.sources, {"flaky": ok}, {"flaky": ok}, START))


# -- delivery ---------------------------------------------------------------------------

FEED = "http://127.0.0.1:9/feed.xml"
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试局</title>'
    "<item><title>防汛通知</title><link>{url}/a1.html</link><guid>a1</guid>"
    "<description>正文</description></item></channel></rss>"
)


def project(folder: Path, feed: str, alerting: str) -> Config:
    (folder / "channels.yaml").write_text(
        f"""\
site: {{title: {SITE}, base_url: "http://127.0.0.1:8000/"}}
fetch: {{allow_private: true, timeout: 5s, every: 1h, delay: 0s, robots: false}}
{alerting}
sources:
  - {{id: flaky, name: 测试局, feed: "{feed or FEED}"}}
channels:
  - {{slug: qita, title: 其他, fallback: true}}
""",
        encoding="utf-8",
    )
    return pipeline.load(folder / "channels.yaml")


def hooks(server: ScriptedServer, *formats: str, timeout: str = "5s") -> str:
    listed = ", ".join(f'{{url: "{server.url}/{f}?key=k", format: {f}}}' for f in formats)
    return f"alerts: {{webhooks: [{listed}], timeout: {timeout}}}"


def posted(server: ScriptedServer, path: str) -> list[dict[str, Any]]:
    return [json.loads(body) for where, body in server.posted if where.startswith(path)]


ROBOT_OK = Reply(200, b'{"errcode":0,"errmsg":"ok"}')


def hanging(release: threading.Event) -> Callable[[BaseHTTPRequestHandler], Reply]:
    """A receiver that takes the request and answers only once released."""

    def hang(request: BaseHTTPRequestHandler) -> Reply:
        release.wait(60)
        return ROBOT_OK

    return hang


def test_each_webhook_gets_one_post_per_run_in_its_format(tmp_path: Path) -> None:
    with ScriptedServer() as server:
        for path in ("/wecom", "/dingtalk", "/json"):
            server.routes[path] = ROBOT_OK
        config = project(tmp_path, "", hooks(server, "wecom", "dingtalk", "json"))
        pipeline.alerting.send(config, [FAILING, HELD, STALE], START)
        assert sorted(p.split("?")[0] for p, _ in server.posted) == ["/dingtalk", "/json", "/wecom"]
        (wecom,) = posted(server, "/wecom")
        assert wecom["msgtype"] == "markdown" and wecom["markdown"]["content"].count("\n- **") == 3
        (ding,) = posted(server, "/dingtalk")
        assert ding["markdown"]["title"] == f"{SITE}：抓取失败 1，栏目未更新 1，稿件待审 1"
        (plain,) = posted(server, "/json")
        assert [e["subject"] for e in plain["events"]] == ["yingji", "abc123", "yiyou"]
        # within the quiet period the same alerts send nothing; a new one goes alone
        fresh = Alert("source-failing", "other", "县林业局", START)
        pipeline.alerting.send(config, [FAILING, HELD, STALE, fresh], START + timedelta(hours=1))
        assert len(server.posted) == 6
        assert [e["subject"] for e in posted(server, "/json")[1]["events"]] == ["other"]
        # after it, what is still so is told again
        pipeline.alerting.send(config, [FAILING], START + timedelta(hours=6))
        assert [e["subject"] for e in posted(server, "/json")[2]["events"]] == ["yingji"]


def test_dingtalk_with_a_secret_is_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_TEST_DINGTALK", "SECtest-secret")
    with ScriptedServer() as server:
        server.routes["/robot/send"] = ROBOT_OK
        hook = f'{{url: "{server.url}/robot/send?access_token=T", format: dingtalk, secret_env: HUB_TEST_DINGTALK}}'
        config = project(tmp_path, "", f"alerts: {{webhooks: [{hook}]}}")
        when = datetime.fromtimestamp(1_700_000_000, UTC)
        pipeline.alerting.send(config, [FAILING], when)
        ((path, _),) = server.posted
        query = parse_qs(urlsplit(path).query)
        assert query["timestamp"] == ["1700000000000"] and query["access_token"] == ["T"]
        assert query["sign"] == ["LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g="]


@pytest.fixture
def quiet_hub(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO, logger="hub")
    yield caplog


def test_a_receiver_that_fails_costs_nothing_and_is_tried_again_next_run(
    tmp_path: Path, quiet_hub: pytest.LogCaptureFixture
) -> None:
    with ScriptedServer() as server:
        server.routes["/json"] = Reply(500, b"internal error")
        server.routes["/wecom"] = Reply(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
        config = project(tmp_path, "", hooks(server, "json", "wecom"))
        pipeline.alerting.send(config, [FAILING], START)
        errors = [r.getMessage() for r in quiet_hub.records if r.levelno == logging.ERROR]
        assert any("HTTP 500: internal error" in e for e in errors)
        assert any("the robot refused it" in e and "93000" in e for e in errors)
        assert all("key=k" not in e for e in errors)  # the robot's key stays out of logs
        server.routes["/json"] = server.routes["/wecom"] = ROBOT_OK
        pipeline.alerting.send(config, [], START + timedelta(minutes=1))  # nothing new
        assert len(posted(server, "/json")) == 2 and len(posted(server, "/wecom")) == 2
        assert posted(server, "/json")[1]["events"][0]["subject"] == "yingji"
        pipeline.alerting.send(config, [FAILING], START + timedelta(minutes=2))
        assert len(server.posted) == 4  # delivered now: quiet


def test_a_receiver_that_never_answers_is_given_up_at_the_timeout(
    tmp_path: Path, quiet_hub: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    with ScriptedServer() as server:
        server.routes["/json"] = hanging(release)
        server.routes["/wecom"] = ROBOT_OK
        config = project(tmp_path, "", hooks(server, "json", "wecom", timeout="0.5s"))
        try:
            started = time.monotonic()
            pipeline.alerting.send(config, [FAILING], START)
            assert time.monotonic() - started < 20  # cut at 0.5s; generous for a busy machine
        finally:
            release.set()
        assert any("no answer within 0.5s" in r.getMessage() for r in quiet_hub.records)
        assert len(posted(server, "/wecom")) == 1  # the others are told all the same
        server.routes["/json"] = ROBOT_OK
        pipeline.alerting.send(config, [], START + timedelta(minutes=1))
        assert len(posted(server, "/json")) == 2


def test_an_unreadable_ledger_starts_afresh(tmp_path: Path) -> None:
    with ScriptedServer() as server:
        server.routes["/json"] = ROBOT_OK
        config = project(tmp_path, "", hooks(server, "json"))
        config.alerts_file.parent.mkdir(parents=True)
        config.alerts_file.write_text("{not json", encoding="utf-8")
        pipeline.alerting.send(config, [FAILING], START)
        assert len(server.posted) == 1
        (told,) = json.loads(config.alerts_file.read_text(encoding="utf-8"))["told"].values()
        assert FAILING.key in told


# -- e-mail -----------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_one_email_per_run_carries_every_alert(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mail = (
        f"alerts: {{email: {{host: 127.0.0.1, port: {port}, security: none, "
        "sender: hub@example.gov.cn, to: [a@example.gov.cn, b@example.gov.cn]}}"
    )
    config = project(tmp_path, "", mail)
    pipeline.alerting.send(config, [FAILING, HELD, STALE], START)
    (message,) = inbox.messages
    assert inbox.envelopes == [("hub@example.gov.cn", ["a@example.gov.cn", "b@example.gov.cn"])]
    assert message["Subject"] == f"【{SITE}】3 条提醒：抓取失败 1，栏目未更新 1，稿件待审 1"
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert "[抓取失败] 县应急管理局" in body and "[稿件待审] 《关于做好防汛工作的通知》" in body
    pipeline.alerting.send(config, [FAILING, HELD, STALE], START + timedelta(hours=1))
    assert len(inbox.messages) == 1  # quiet


def test_an_smtp_server_that_is_not_there_is_logged_and_retried(
    tmp_path: Path, quiet_hub: pytest.LogCaptureFixture, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail = "alerts: {{email: {{host: 127.0.0.1, port: {}, security: none, sender: h@x.cn, to: e@x.cn}}}}"
    closed = free_port()
    pipeline.alerting.send(project(tmp_path, "", mail.format(closed)), [FAILING], START)
    assert any(f"SMTP 127.0.0.1:{closed}" in r.getMessage() for r in quiet_hub.records)
    pipeline.alerting.send(project(tmp_path, "", mail.format(port)), [], START)
    assert len(inbox.messages) == 1


# -- from the runs ----------------------------------------------------------------------


def test_a_source_that_fails_and_comes_back_is_told_by_the_scheduler(
    tmp_path: Path, clock: Clock
) -> None:
    with ScriptedServer() as county, ScriptedServer() as receiver:
        receiver.routes["/json"] = ROBOT_OK
        county.routes["/feed.xml"] = Reply(500, b"down")
        config = project(tmp_path, f"{county.url}/feed.xml", hooks(receiver, "json"))
        runner = schedule.Runner(config, clock)
        try:
            runner.tick()
            (first,) = posted(receiver, "/json")
            assert [(e["kind"], e["subject"]) for e in first["events"]] == [
                ("source-failing", "flaky")
            ]
            assert "HTTP 500" in first["events"][0]["detail"]
            county.routes["/feed.xml"] = Reply(200, RSS.format(url=county.url).encode())
            clock.advance(timedelta(hours=3))  # past the backoff, within the quiet period
            runner.tick()
            back = posted(receiver, "/json")[1]["events"]  # (its undated post: a stale section too)
            assert [e["kind"] for e in back if e["kind"] != "section-stale"] == ["source-back"]
            clock.advance(timedelta(hours=3))
            runner.tick()  # nothing new to tell
            assert len(receiver.posted) == 2
        finally:
            runner.close()


def test_the_command_line_tells_at_the_end_of_a_run_and_never_fails_for_it(
    tmp_path: Path,
) -> None:
    release = threading.Event()
    with ScriptedServer() as county, ScriptedServer() as receiver:
        receiver.routes["/json"] = hanging(release)
        county.routes["/feed.xml"] = Reply(500, b"down")
        config = project(
            tmp_path, f"{county.url}/feed.xml", hooks(receiver, "json", timeout="0.5s")
        )
        try:
            result = CliRunner().invoke(main, ["-c", str(config.path), "crawl"])
        finally:
            release.set()
        assert result.exit_code == 1  # every source failed: the crawl's own verdict
        assert "every one of the 1 sources crawled failed" in result.output
        assert len(receiver.posted) == 1  # told (and not delivered: it hung) all the same
        pending = json.loads(config.alerts_file.read_text())["pending"]
        assert [a["kind"] for (a,) in pending.values()] == ["source-failing"]


def test_a_post_held_for_review_is_told_after_the_publish(tmp_path: Path) -> None:
    with ScriptedServer() as county, ScriptedServer() as receiver:
        receiver.routes["/json"] = ROBOT_OK
        county.routes["/feed.xml"] = Reply(200, RSS.format(url=county.url).encode())
        config = project(tmp_path, f"{county.url}/feed.xml", hooks(receiver, "json"))
        text = config.path.read_text(encoding="utf-8").replace(
            "fallback: true", "fallback: true, review: all"
        )
        config.path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["-c", str(config.path), "run"])
        assert result.exit_code == 0, result.output
        ((message,),) = [posted(receiver, "/json")]
        (held,) = message["events"]  # its section shows nothing: blank, not stale
        assert (held["kind"], held["title"], held["department"]) == (
            "post-held",
            "防汛通知",
            "测试局",
        )
        assert held["detail"] == "所在栏目先审后发" and held["link"] == f"{county.url}/a1.html"
        result = CliRunner().invoke(main, ["-c", str(config.path), "publish"])
        assert result.exit_code == 0 and len(receiver.posted) == 1  # held once, told once


def test_a_post_held_for_a_finding_is_told_with_the_finding_in_chinese(tmp_path: Path) -> None:
    with ScriptedServer() as county, ScriptedServer() as receiver:
        receiver.routes["/json"] = ROBOT_OK
        dated = RSS.replace("<title>防汛通知</title>", "<title>防汛锟斤拷通知</title>").replace(
            "<guid>a1</guid>", "<guid>a1</guid><pubDate>Mon, 15 Jun 2026 08:00:00 +0800</pubDate>"
        )
        county.routes["/feed.xml"] = Reply(200, dated.format(url=county.url).encode())
        config = project(tmp_path, f"{county.url}/feed.xml", hooks(receiver, "json"))
        result = CliRunner().invoke(main, ["-c", str(config.path), "run"])
        assert result.exit_code == 0, result.output
        ((message,),) = [posted(receiver, "/json")]
        kinds = {e["kind"]: e for e in message["events"]}
        assert kinds["post-held"]["detail"] == "内容检查：乱码"


def test_a_section_whose_posts_carry_no_date_is_told_stale_once(tmp_path: Path) -> None:
    with ScriptedServer() as county, ScriptedServer() as receiver:
        receiver.routes["/json"] = ROBOT_OK
        county.routes["/feed.xml"] = Reply(200, RSS.format(url=county.url).encode())
        config = project(tmp_path, f"{county.url}/feed.xml", hooks(receiver, "json"))
        result = CliRunner().invoke(main, ["-c", str(config.path), "run"])
        assert result.exit_code == 0, result.output
        ((message,),) = [posted(receiver, "/json")]
        (stale,) = message["events"]  # an item without a date is no update
        assert (stale["kind"], stale["title"]) == ("section-stale", "其他")
        assert stale["detail"] == "没有带日期的稿件（上限 14 天）"
        result = CliRunner().invoke(main, ["-c", str(config.path), "publish"])
        assert result.exit_code == 0 and len(receiver.posted) == 1  # quiet: told once

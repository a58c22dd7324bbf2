"""Alerts sent: a run's alerts (a source failing or back, a post held for review, a
section gone stale) told to the editors once, when the run ends — one message for each
destination (the e-mail, each webhook), with what that destination was not told within
`alerts.quiet` and what failed to reach it before.

A failed alert never fails a run: every failure is logged (logger `hub.alerts`) and
the undelivered alerts are kept in data/alerts.json, to go with the next run's. The
webhooks are the operator's own addresses: they are not held to the private-address
guard of the crawl (an intranet relay is a fine destination)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from hub import alerts as build
from hub.alerts import Alert, Ledger
from hub.checks.names import KINDS
from hub.config import Config, Email, Webhook
from hub.errors import FetchError
from hub.fetch import Transport, post_json, shown_url
from hub.models import SourceState
from hub.pipeline.project import user_agent

if TYPE_CHECKING:
    from hub.pipeline.publishing import PublishResult

log = logging.getLogger("hub.alerts")
Destination = Email | Webhook


def crawled(
    config: Config,
    before: Mapping[str, SourceState],
    after: Mapping[str, SourceState],
    now: datetime,
) -> list[Alert]:
    """The alerts of a crawl: the sources failing now, and those back (`before` and
    `after` are the sources' states around it)."""
    if not config.alerts.enabled:
        return []
    failures = config.alerts.failures
    return list(build.sources_changed(config.sources, before, after, now, failures=failures))


def held(config: Config, outcome: PublishResult, now: datetime) -> list[Alert]:
    """A `post-held` alert for each post a publish has just put on the review queue
    (`PublishResult.held`), with the kinds of its findings; and a `section-stale` alert
    for each section of the portal that is no longer up to date (`PublishResult.stale`,
    told again after the quiet period while it stays so)."""
    if not config.alerts.enabled:
        return []
    posts, found = outcome.held, outcome.findings
    titles = {c.slug: c.title for c in config.channels}
    stale = [
        Alert(
            "section-stale",
            s.slug,
            titles.get(s.slug, s.slug),
            now,
            detail=(
                f"{s.freshness.days_since} 天没有新的带日期稿件（上限 {s.freshness.limit} 天）"
                if s.freshness.days_since is not None
                else f"没有带日期的稿件（上限 {s.freshness.limit} 天）"
            ),
        )
        for s in outcome.stale
    ]
    if not posts:
        return stale
    names = {s.id: s.name for s in config.sources}
    desk = config.desk.public_url.rstrip("/")
    made = []
    for routed in posts:
        post = routed.post.post
        kinds = list(dict.fromkeys(KINDS[f.kind] for f in found.get(post.id, ())))
        made.append(
            Alert(
                "post-held",
                post.id,
                routed.shown_title,
                now,
                detail=f"内容检查：{'、'.join(kinds)}" if kinds else "所在栏目先审后发",
                department=names.get(post.source_id, post.source_id),
                link=f"{desk}/posts/{post.id}" if desk else post.url,
            )
        )
    return stale + made


def send(
    config: Config, alerts: Iterable[Alert], now: datetime, *, transport: Transport | None = None
) -> None:
    """Tell each destination what it is due (`hub.alerts.due`). Never raises: a failed
    alert is logged and sent again with the next run's."""
    settings = config.alerts
    if not settings.enabled:
        return
    try:
        _send(config, [a for a in alerts if a.kind in settings.events], now, transport)
    except Exception:  # an alert must never fail the run that found it
        log.exception("alerts not sent; hub goes on")


def _send(config: Config, alerts: list[Alert], now: datetime, transport: Transport | None) -> None:
    settings, path = config.alerts, config.alerts_file
    places = destinations(config)
    quiet = timedelta(seconds=settings.quiet)
    ledger = _load(path)
    before = build.to_json(ledger)
    batches = {p: b for p in places if (b := build.due(ledger, p, alerts, quiet, now))}
    if batches:
        outcomes = asyncio.run(_deliver(config, places, batches, now, transport))
        for place, ok in outcomes.items():
            if ok:
                ledger = build.delivered(ledger, place, batches[place], now)
            else:
                ledger = build.undelivered(ledger, place, batches[place])
    ledger = build.pruned(ledger, places, quiet, now)
    if build.to_json(ledger) != before:
        _save(path, ledger)


def destinations(config: Config) -> dict[str, Destination]:
    """Each destination by a name that stays while its address does (the ledger's)."""
    places: dict[str, Destination] = {}
    if config.alerts.email is not None:
        places["email"] = config.alerts.email
    for hook in config.alerts.webhooks:
        places[f"webhook:{hashlib.sha256(hook.url.encode()).hexdigest()[:12]}"] = hook
    return places


async def _deliver(
    config: Config,
    places: Mapping[str, Destination],
    batches: Mapping[str, list[Alert]],
    now: datetime,
    transport: Transport | None,
) -> dict[str, bool]:
    """Every batch at once, each within `alerts.timeout`: place -> delivered."""

    async def one(place: str) -> bool:
        where, batch = places[place], batches[place]
        try:
            if isinstance(where, Email):
                await asyncio.to_thread(_mail, config, where, batch)
            else:
                await _post(config, where, batch, now, transport)
        except AlertError as exc:
            log.error("alert to %s not delivered, sent again next run: %s", _name(where), exc)
            return False
        log.info("told %s: %s", _name(where), build.summary(batch))
        return True

    done = await asyncio.gather(*(one(place) for place in batches))
    return dict(zip(batches, done, strict=True))


class AlertError(Exception):
    """One destination could not be told; the message says why, in one line."""


def _name(where: Destination) -> str:
    if isinstance(where, Email):
        return f"e-mail to {', '.join(where.to)}"
    return f"{where.format} webhook {shown_url(where.url)}"


def _secret(name: str, what: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise AlertError(f"the environment variable {name} ({what}) is not set")
    return value


async def _post(
    config: Config, hook: Webhook, batch: list[Alert], now: datetime, transport: Transport | None
) -> None:
    site, zone = config.site.title, config.site.zone
    url = hook.url
    if hook.format == "wecom":
        message = build.wecom(batch, site, zone, hook.mention)
    elif hook.format == "dingtalk":
        message = build.dingtalk(batch, site, zone, hook.mention)
        if hook.secret_env:
            url = build.signed(url, _secret(hook.secret_env, "钉钉 加签 secret"), now)
    else:
        message = build.as_json(batch, site, now)
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    try:
        status, reply = await post_json(
            url,
            body,
            timeout=config.alerts.timeout,
            user_agent=user_agent(config),
            transport=transport,
        )
    except FetchError as exc:
        raise AlertError(str(exc)) from exc
    if not 200 <= status < 300:
        raise AlertError(f"HTTP {status}: {_beginning(reply)}")
    if hook.format != "json":
        _robot_answer(reply)


def _robot_answer(reply: bytes) -> None:
    """企业微信 and 钉钉 answer 200 with an errcode: 0 is delivered, any other is not
    (a wrong key or signature, a message too long, too many in a minute)."""
    try:
        answer = json.loads(reply)
    except ValueError:
        return  # a relay in front of the robot, say: its 2xx is the answer
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise AlertError(f"the robot refused it: {_beginning(reply)}")


def _beginning(reply: bytes) -> str:
    return " ".join(reply[:200].decode("utf-8", "replace").split()) or "(no body)"


def _mail(config: Config, email: Email, batch: list[Alert]) -> None:
    message: EmailMessage = build.email(
        batch, config.site.title, config.site.zone, email.sender, email.to
    )
    password = _secret(email.password_env, "SMTP password") if email.password_env else ""
    timeout = config.alerts.timeout
    try:
        if email.security == "ssl":
            context = ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                email.host, email.server_port, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(email.host, email.server_port, timeout=timeout)
        with smtp:
            if email.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if email.username:
                smtp.login(email.username, password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        why = str(exc) or type(exc).__name__
        raise AlertError(f"SMTP {email.host}:{email.server_port}: {why}") from exc


def _load(path: Path) -> Ledger:
    try:
        return build.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return Ledger()
    except (OSError, ValueError) as exc:
        log.warning("%s unreadable (%s): alerts start with a clean slate", path, exc)
        return Ledger()


def _save(path: Path, ledger: Ledger) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(build.to_json(ledger), ensure_ascii=False), "utf-8")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        log.error("cannot write %s: %s (alerts may be told again)", path, exc)

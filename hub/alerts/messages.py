"""A batch of alerts as one message in each destination's format: a 企业微信 group
robot's markdown, a 钉钉 robot's markdown (and its 加签), plain JSON, an e-mail. No IO.

The robots refuse a message over their size (企业微信: content of 4,096 bytes of UTF-8;
钉钉: about 20,000), and refuse it whole: a batch that does not fit is cut between two
lines, with a last line that says how many more there are. What sources wrote (titles,
errors) is made plain text first: no markup, no mentions, no line breaks of its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote_plus, urlsplit
from zoneinfo import ZoneInfo

from hub.alerts.events import Alert, sort
from hub.alerts.ledger import alert_json
from hub.characters import printable
from hub.config import AlertKind

WECOM_BYTES = 4096  # markdown.content, UTF-8
DINGTALK_BYTES = 20000  # markdown.text, UTF-8
TITLE_CHARS = 80
DETAIL_CHARS = 240
NAMES: dict[AlertKind, str] = {
    "source-failing": "抓取失败",
    "source-back": "已恢复",
    "section-stale": "栏目未更新",
    "post-held": "稿件待审",
}
# markup of the robots' markdown, as its full-width look-alike: < > start 企业微信's
# <@userid> mentions and <font>, [ ] links, * _ ` emphasis and code
_MARKUP = str.maketrans("<>[]*`_", "＜＞［］＊｀＿")
_SPACE = re.compile(r"\s+")


def plain(text: str, limit: int) -> str:
    """One line of text a source wrote, safe in any message, at most `limit` characters."""
    line = _SPACE.sub(" ", printable(text)).strip().translate(_MARKUP)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def summary(alerts: Sequence[Alert]) -> str:
    """抓取失败 2，稿件待审 1"""
    counts = Counter(alert.kind for alert in alerts)
    return "，".join(f"{NAMES[kind]} {counts[kind]}" for kind in NAMES if counts[kind])


def line(alert: Alert, zone: ZoneInfo, *, markdown: bool) -> str:
    """One alert in one line: what, which, why, when (and where to look)."""
    name = plain(alert.title, TITLE_CHARS) or alert.subject
    which = f"《{name}》" if alert.kind == "post-held" else name
    if alert.department:
        which += f"（{plain(alert.department, TITLE_CHARS)}）"
    elif alert.kind != "post-held":
        which += f"（{alert.subject}）"
    detail = f"：{plain(alert.detail, DETAIL_CHARS)}" if alert.detail else ""
    when = alert.at.astimezone(zone).strftime("%m-%d %H:%M")
    label = NAMES[alert.kind]
    if not markdown:
        link = f" {alert.link}" if alert.link else ""
        return f"[{label}] {which}{detail}（{when}）{link}"
    link = f" [查看]({alert.link})" if _linkable(alert.link) else ""
    return f"- **{label}** {which}{detail}（{when}）{link}"


def _linkable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and not re.search(r"[\s()<>]", url)


def more(count: int) -> str:
    return f"……另有 {count} 条未列出（and {count} more）"


def fit(head: str, lines: Sequence[str], tail: str, limit: int) -> str:
    """`head`, as many of `lines` as fit in `limit` bytes of UTF-8 with `tail`, and a
    line saying how many did not."""

    def size(text: str) -> int:
        return len(text.encode("utf-8")) + 1  # and its line break

    used = size(head) + (size(tail) if tail else 0)
    taken: list[str] = []
    for i, text in enumerate(lines):
        rest = len(lines) - i - 1
        if used + size(text) + (size(more(rest)) if rest else 0) > limit:
            break
        taken.append(text)
        used += size(text)
    if len(taken) < len(lines):
        taken.append(more(len(lines) - len(taken)))
    return "\n".join([head, *taken, *([tail] if tail else [])])


def heading(site: str, alerts: Sequence[Alert]) -> str:
    return f"【{plain(site, TITLE_CHARS)}】{len(alerts)} 条提醒：{summary(alerts)}"


def wecom(
    alerts: Sequence[Alert], site: str, zone: ZoneInfo, mention: Sequence[str] = ()
) -> dict[str, Any]:
    """A 企业微信 group robot's markdown message; `mention`: user ids (<@userid>)."""
    ordered = sort(alerts)
    tail = " ".join(f"<@{who}>" for who in mention)
    head = f"### {heading(site, ordered)}"
    body = [line(a, zone, markdown=True) for a in ordered]
    return {"msgtype": "markdown", "markdown": {"content": fit(head, body, tail, WECOM_BYTES)}}


def dingtalk(
    alerts: Sequence[Alert], site: str, zone: ZoneInfo, mention: Sequence[str] = ()
) -> dict[str, Any]:
    """A 钉钉 robot's markdown message; `mention`: phone numbers (@ them in the text)."""
    ordered = sort(alerts)
    everyone = "all" in mention or "@all" in mention
    phones = [who for who in mention if who not in ("all", "@all")]
    tail = " ".join(f"@{phone}" for phone in phones)
    head = f"#### {heading(site, ordered)}"
    body = [line(a, zone, markdown=True) for a in ordered]
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": f"{plain(site, TITLE_CHARS)}：{summary(ordered)}",
            "text": fit(head, body, tail, DINGTALK_BYTES),
        },
        "at": {"atMobiles": phones, "isAtAll": everyone},
    }


def as_json(alerts: Sequence[Alert], site: str, now: datetime) -> dict[str, Any]:
    """Plain JSON: the site, when, and every alert (none cut)."""
    return {
        "site": site,
        "sent_at": now.isoformat(),
        "events": [alert_json(alert) for alert in sort(alerts)],
    }


def email(
    alerts: Sequence[Alert], site: str, zone: ZoneInfo, sender: str, to: Sequence[str]
) -> EmailMessage:
    """A plain-text e-mail with every alert, its subject in Chinese."""
    ordered = sort(alerts)
    message = EmailMessage()
    message["Subject"] = heading(site, ordered)
    message["From"] = sender
    message["To"] = ", ".join(to)
    body = [heading(site, ordered), ""]
    body += [line(alert, zone, markdown=False) for alert in ordered]
    body += ["", "—— hub 自动发送；同一提醒在 alerts.quiet 之内不重复。"]
    message.set_content("\n".join(body) + "\n", charset="utf-8")
    return message


def signed(url: str, secret: str, now: datetime) -> str:
    """钉钉's 加签: the webhook's address with `timestamp` (milliseconds) and `sign`, the
    base64 of HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, URL-encoded."""
    stamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode("ascii"))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={stamp}&sign={sign}"

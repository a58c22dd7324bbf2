"""Alerts for the editors, without IO: what happened (`events`), what each destination
is told and when (`ledger`, the quiet period), and the messages (`messages`: 企业微信
and 钉钉 group robots, JSON, e-mail). The pipeline sends them (`hub.pipeline.alerting`)."""

from __future__ import annotations

from hub.alerts.events import Alert, sort, sources_changed
from hub.alerts.ledger import Ledger, delivered, due, from_json, pruned, to_json, undelivered
from hub.alerts.messages import as_json, dingtalk, email, signed, summary, wecom

__all__ = [
    "Alert",
    "Ledger",
    "as_json",
    "delivered",
    "dingtalk",
    "due",
    "email",
    "from_json",
    "pruned",
    "signed",
    "sort",
    "sources_changed",
    "summary",
    "to_json",
    "undelivered",
    "wecom",
]

"""What each destination was told, and when: the quiet period, and the alerts whose
delivery failed, sent again with the next run's. No IO: the pipeline keeps it in
data/alerts.json (`to_json`, `from_json`).

A `source-back` is news only where the source's failure was told: it clears that
failure, so the next one is told again at once; a failure not yet delivered when its
source is back is dropped with it (the editors never heard of either)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from hub.alerts.events import Alert, sort
from hub.config import ALERT_KINDS

MAX_PENDING = 500  # undelivered alerts kept per destination; the oldest go first
FORGET = timedelta(days=30)  # what was told is forgotten after this (or after `quiet`)


@dataclass(frozen=True)
class Ledger:
    told: Mapping[str, Mapping[str, datetime]] = field(default_factory=dict)  # place: key: when
    pending: Mapping[str, tuple[Alert, ...]] = field(default_factory=dict)  # place: undelivered


def _failing(alert: Alert) -> str:
    return f"source-failing:{alert.subject}"


def due(
    ledger: Ledger, place: str, alerts: Iterable[Alert], quiet: timedelta, now: datetime
) -> list[Alert]:
    """What `place` is to be told now: its undelivered alerts, and the new ones it was
    not told within `quiet`."""
    told = ledger.told.get(place, {})
    chosen = {alert.key: alert for alert in ledger.pending.get(place, ())}
    for alert in alerts:
        last = told.get(alert.key)
        if alert.kind == "source-back" or last is None or now - last >= quiet:
            chosen[alert.key] = alert  # (the newer of two with one key)
    for alert in [a for a in chosen.values() if a.kind == "source-back"]:
        if _failing(alert) in chosen:  # its failure was never delivered: neither is news
            del chosen[_failing(alert)], chosen[alert.key]
        elif _failing(alert) not in told:
            del chosen[alert.key]
    return sort(chosen.values())


def delivered(ledger: Ledger, place: str, alerts: Iterable[Alert], now: datetime) -> Ledger:
    told = dict(ledger.told.get(place, {}))
    for alert in alerts:
        told[alert.key] = now
        if alert.kind == "source-back":
            told.pop(_failing(alert), None)
    pending = {p: a for p, a in ledger.pending.items() if p != place}
    return replace(ledger, told={**ledger.told, place: told}, pending=pending)


def undelivered(ledger: Ledger, place: str, alerts: Iterable[Alert]) -> Ledger:
    kept = tuple(alerts)[-MAX_PENDING:]
    return replace(ledger, pending={**ledger.pending, place: kept})


def pruned(ledger: Ledger, places: Collection[str], quiet: timedelta, now: datetime) -> Ledger:
    """Without the places no longer configured, nor what was told long ago."""
    keep = max(FORGET, 2 * quiet)
    told = {
        place: {key: when for key, when in keys.items() if now - when < keep}
        for place, keys in ledger.told.items()
        if place in places
    }
    pending = {p: a for p, a in ledger.pending.items() if p in places and a}
    return Ledger({p: keys for p, keys in told.items() if keys}, pending)


def alert_json(alert: Alert) -> dict[str, str]:
    return {
        "kind": alert.kind,
        "subject": alert.subject,
        "title": alert.title,
        "at": alert.at.isoformat(),
        "detail": alert.detail,
        "department": alert.department,
        "link": alert.link,
    }


def to_json(ledger: Ledger) -> dict[str, Any]:
    return {
        "told": {
            place: {key: when.isoformat() for key, when in keys.items()}
            for place, keys in ledger.told.items()
        },
        "pending": {
            place: [alert_json(a) for a in alerts] for place, alerts in ledger.pending.items()
        },
    }


def from_json(data: Any) -> Ledger:
    """The ledger as `to_json` wrote it; ValueError for anything else."""
    try:
        told = {
            str(place): {str(key): _when(when) for key, when in keys.items()}
            for place, keys in data["told"].items()
        }
        pending = {
            str(place): tuple(_alert(item) for item in items)
            for place, items in data["pending"].items()
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an alerts ledger: {exc!r}") from exc
    return Ledger(told, pending)


def _when(value: Any) -> datetime:
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"a time without its zone: {value!r}")
    return when


def _alert(item: Any) -> Alert:
    kind = item["kind"]
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    text = {name: str(item.get(name, "")) for name in ("detail", "department", "link")}
    return Alert(kind, str(item["subject"]), str(item["title"]), _when(item["at"]), **text)

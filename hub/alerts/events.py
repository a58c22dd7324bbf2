"""What hub tells the editors, as values: an `Alert` of one kind about one subject, and
the alerts a crawl gives (a source that fails, one that came back). No IO."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from hub.config import AlertKind, Source
from hub.models import SourceState

# the order a message lists them in: what needs doing first
ORDER: tuple[AlertKind, ...] = ("source-failing", "post-held", "section-stale", "source-back")


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing the editors should know. `kind` and `subject` make its key: the same key
    is not told twice to one place within `alerts.quiet`."""

    kind: AlertKind
    subject: str  # what it is about: a source id, a section's slug, a post id
    title: str  # its name for people: the department, the section, the post's title
    at: datetime  # when hub found it (aware)
    detail: str = ""  # one line: the error, how long a section is quiet, the findings
    department: str = ""  # the source a post comes from
    link: str = ""  # where to look: the post on the desk, the source's address

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


def sort(alerts: Iterable[Alert]) -> list[Alert]:
    """By kind (failures first), then in the order they came."""
    return sorted(alerts, key=lambda alert: ORDER.index(alert.kind))


def sources_changed(
    sources: Iterable[Source],
    before: Mapping[str, SourceState],
    after: Mapping[str, SourceState],
    now: datetime,
    *,
    failures: int = 1,
) -> Iterator[Alert]:
    """A `source-failing` alert for each source failing now (`failures` crawls in a row
    or more: a level, told again after the quiet period), and a `source-back` for each
    that failed before this run and is fetched again (a change, told once)."""
    for source in sources:
        state = after.get(source.id)
        if state is None:
            continue
        earlier = before.get(source.id, SourceState(source.id))
        if state.health in ("failing", "gone") and state.failures >= failures:
            kind = "gone (410)" if state.health == "gone" else state.error_kind
            yield Alert(
                "source-failing",
                source.id,
                source.name,
                now,
                detail=f"连续 {state.failures} 次失败（{kind}）：{state.last_error}",
                link=source.url,
            )
        elif state.health == "ok" and earlier.health in ("failing", "gone"):
            yield Alert(
                "source-back",
                source.id,
                source.name,
                now,
                detail=f"此前连续 {earlier.failures} 次失败",
                link=source.url,
            )

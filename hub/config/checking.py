"""The `checks:` section of channels.yaml: which word lists and protected terms the
content checks use, what holds a post for review, and how dates and links are checked."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from hub.config.types import Model, Names, Seconds, as_tuple
from hub.models import FindingKind, Severity

ListKind = Literal["typo", "formulation", "sensitive"]

# what a finding of each kind weighs unless `checks.severity` says otherwise
DEFAULT_SEVERITY: dict[FindingKind, Severity] = {
    "no-title": "serious",
    "unreadable": "serious",
    "garbled": "serious",
    "typo": "warning",
    "formulation": "serious",
    "sensitive": "serious",
    "protected": "serious",
    "dead-link": "warning",
    "moved-link": "serious",
    "future-date": "warning",
    "backdated": "warning",
    "date-changed": "warning",
}


class WordList(Model):
    """One file of the county's lists, relative to channels.yaml's folder."""

    file: str = Field(min_length=1)
    kind: ListKind = "typo"  # typo, formulation: `wrong -> right` lines; sensitive: words
    severity: Severity | None = None  # every entry's, unless its line says; else the kind's


class DateChecks(Model):
    future: Seconds = 2 * 86400.0  # dated later than hub first saw it by more than this
    backdated: Seconds = 7 * 86400.0  # dated earlier than first seen by more than this ...
    timely: Seconds = 2 * 86400.0  # ... on a source whose usual delay is under this
    changed: bool = True  # a date that changed between crawls


class LinkChecks(Model):
    enabled: bool = True
    per_run: int = Field(default=100, ge=0, le=10_000)  # links checked at most per crawl
    every: Seconds = 7 * 86400.0  # a link is checked again after this
    dead_after: int = Field(default=2, ge=1, le=20)  # failed checks in a row: a dead link
    retry: Seconds = 86400.0  # a failing link is checked again after this, not `every`
    skip_hosts: Names = ()  # hosts never checked (intranets, sites that refuse robots)


class Checks(Model):
    builtin: bool = True  # hub's own list of common 错别字 in official writing
    lists: Annotated[tuple[WordList, ...], BeforeValidator(as_tuple)] = ()
    protected: str = ""  # file of protected names, titles and formulations
    hold: Severity = "serious"  # findings of this severity or above hold a post (flagged)
    severity: dict[FindingKind, Severity] = Field(default_factory=dict)
    dates: DateChecks = DateChecks()
    links: LinkChecks = LinkChecks()

    def weight(self, kind: FindingKind) -> Severity:
        return self.severity.get(kind, DEFAULT_SEVERITY[kind])

"""The exceptions hub raises, one tree; each knows its exit status.

HubError                 base; message names the thing, the cause is chained
├── ConfigError          channels.yaml invalid: fatal, exit 2, nothing written
├── SourceError          one source failed: recorded, the run goes on
│   ├── FetchError       network, timeout, HTTP >= 400, too large, refused address
│   └── ParseError       not a feed, selectors found nothing, undecodable
├── StoreError           database unusable: fatal
├── SearchError          index unusable: publish fails, serve answers 503
├── QueryError           a search asked wrongly (bad date, page, sort): exit 2, HTTP 400
├── BuildError           template or write failure: the previous site stays
├── WorkError            a worker process ran over its time limit, or died
└── BusyError            another writer holds the lock
"""

from __future__ import annotations

from typing import Literal, get_args

# Why a source failed: stable words editors filter on, stored with the source's state.
# Each is explained in the README; `internal` is a bug in hub, logged with its trace.
ErrorKind = Literal[
    "network",
    "timeout",
    "http",
    "gone",
    "too-large",
    "refused-address",
    "robots",
    "parse",
    "empty",
    "layout-changed",
    "internal",
]
ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)


class HubError(Exception):
    """Base of every error hub raises on purpose."""

    exit_code = 1


class ConfigError(HubError):
    """channels.yaml is invalid; the message reads `FILE:LINE: key.path: what is wrong`."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int = 0,
        path: str = "",
        more: tuple[ConfigError, ...] = (),
    ) -> None:
        self.file, self.line, self.path, self.reason = file, line, path, message
        self.more = more  # further problems found in the same pass, one line each
        where = ":".join(part for part in (file, str(line) if line else "") if part)
        first = ": ".join(p for p in (where, path, message) if p)
        super().__init__("\n".join([first, *(str(e) for e in more)]))

    @classmethod
    def combine(cls, errors: list[ConfigError]) -> ConfigError:
        """One error carrying several, in line order."""
        ordered = sorted(errors, key=lambda e: e.line)
        first = ordered[0]
        return cls(
            first.reason, file=first.file, line=first.line, path=first.path, more=tuple(ordered[1:])
        )


class SourceError(HubError):
    """One source failed; `kind` is a short stable word editors can filter on."""

    kind: ErrorKind = "internal"

    def __init__(self, message: str, *, kind: ErrorKind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class FetchError(SourceError):
    """The source could not be fetched (kind: network, timeout, http, gone, too-large,
    refused-address, robots); `retry_after` is the wait in seconds a server asked for;
    `status` the HTTP status of an error answer."""

    kind: ErrorKind = "network"

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, kind=kind)
        self.retry_after = retry_after
        self.status = status


class ParseError(SourceError):
    """The source was fetched but its content could not be read (kind: parse, empty, ...)."""

    kind: ErrorKind = "parse"


class StoreError(HubError):
    """The database cannot be opened or written."""


class SearchError(HubError):
    """The search index cannot be opened, written or queried."""


class QueryError(HubError):
    """A search request that cannot be answered as asked: the message says how to ask."""

    exit_code = 2


class BuildError(HubError):
    """The portal could not be built; the previously published site is untouched."""


class WorkError(HubError):
    """A call in a worker process did not finish: over its time limit, or the process
    died (it is replaced; the caller decides what the call's loss costs)."""

    def __init__(self, message: str, *, over_time: bool = False) -> None:
        super().__init__(message)
        self.over_time = over_time


class BusyError(HubError):
    """Another hub process is writing to the same data folder."""

    exit_code = 3

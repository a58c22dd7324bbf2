"""The regular expressions editors write in rules (`regex:` and `url: re:...`), run by
RE2, which takes time linear in the text whatever the pattern; owns google-re2. Python's
engine backtracks: `(a+)+$` on a 28-character post once held the writer lock for 19 s,
doubling with each character. RE2 has no backreferences and no lookaround; a pattern
that needs them is refused by `hub check` with RE2's reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import re2

from hub.config import Channel
from hub.text import fold_width

MAX_PATTERN = 1000  # characters: a rule is a few words, not a program

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason is ours to report, not RE2's to print


class Found(Protocol):
    def group(self, index: int = 0, /) -> str: ...

    def start(self, index: int = 0, /) -> int: ...


class Pattern(Protocol):
    def search(self, text: str, /) -> Found | None: ...


def searched(regex: str) -> str:
    """What a rule's `regex:` is run as: the text is folded (width and case), so the
    pattern is folded for width only (its escapes, such as \\D, keep their meaning) and
    matches either case."""
    return "(?i)" + fold_width(regex)


def problem(pattern: str) -> str:
    """Why RE2 cannot run `pattern`, or '' when it can."""
    if len(pattern) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN:,} characters"
    try:
        re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        return f"{text} (rules use RE2: no backreferences, no lookahead or lookbehind)"
    return ""


def compile_pattern(pattern: str) -> Pattern:
    """`pattern` compiled by RE2; call `problem` first: this raises on what it reports."""
    compiled: Pattern = re2.compile(pattern, options=_OPTIONS)
    return compiled


def problems(channels: Sequence[Channel]) -> list[tuple[tuple[str | int, ...], str]]:
    """(key path in channels.yaml, what is wrong) for each rule pattern RE2 cannot run."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for c, channel in enumerate(channels):
        for side in ("include", "exclude"):
            for r, rule in enumerate(getattr(channel, side)):
                patterns = (
                    ("regex", rule.regex, searched(rule.regex)),
                    ("url", *([rule.url[3:]] * 2 if rule.url.startswith("re:") else ["", ""])),
                )
                for key, pattern, run in patterns:
                    if pattern and (why := problem(run)):
                        found.append(
                            (
                                ("channels", c, side, r, key),
                                f"invalid regular expression {pattern!r}: {why}",
                            )
                        )
    return found

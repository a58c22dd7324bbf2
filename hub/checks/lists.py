"""The county's word lists and protected terms, read from their text (the pipeline reads
the files). Pure. Every mistake names its line; a list hub cannot use is refused whole,
before anything is written.

A word list has one entry per line; `#` starts a comment:

    户藉 -> 户籍                  a typo or formulation: wrong -> right (or →, or a tab)
    必需 -> 必须 | 必需品 生活必需  ... unless one of these contains it where it stands
    截止目前 -> 截至目前 !serious   a line's own severity (notice, warning, serious),
                                  before any `|`; a form listed twice is a mistake
    某某词                        a sensitive word (a list of kind `sensitive`)

A protected list has one term per line, in its one right form: a fixed formulation, a
title, or a name followed by the titles the county gives that person:

    乡村振兴战略
    张明远 县委书记
    李华 县委副书记, 县长
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.models import SEVERITIES, FindingKind, Severity

BUILTIN_LIST = "builtin.txt"  # hub's own list of 错别字, in this package
_ARROW = re.compile(r"\s*(?:->|→|=>|\t)\s*")
_SEVERITY = re.compile(r"\s+!(\w+)\s*$")
_TITLES = re.compile(r"[,，、;；\s]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class ListError(ValueError):
    """A line hub cannot use: `line` is its number (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a word list."""

    wrong: str
    right: str  # "" for a sensitive word
    kind: FindingKind
    severity: Severity
    unless: tuple[str, ...] = ()  # longer strings in which `wrong` is right
    source: str = ""  # the list it came from, for the reviewer


@dataclass(frozen=True, slots=True)
class Protected:
    """A term in its one right form; a name comes with its titles."""

    term: str
    titles: tuple[str, ...] = ()


def read_words(
    text: str, kind: FindingKind, severity: Severity, source: str = ""
) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    seen: dict[str, int] = {}  # a wrong form -> the line that gave it
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        line, _, unless_text = line.partition("|")
        own, line = _severity(number, line.strip(), severity)
        unless = tuple(unless_text.split())
        if kind == "sensitive":
            wrong, right = line, ""
            if not wrong or len(wrong.split()) > 1:
                raise ListError(number, "expected one word per line")
        else:
            parts = _ARROW.split(line, maxsplit=1)
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise ListError(number, "expected `wrong -> right`")
            wrong, right = parts
            if wrong == right:
                raise ListError(number, f"{wrong!r} is given as its own correction")
        if "!" in wrong or "!" in right:
            raise ListError(number, "a severity goes at the end, after a space: ` !serious`")
        if len(wrong) < 2 and _HAN.match(wrong):
            raise ListError(
                number, f"{wrong!r} is one character: it cannot be checked without context"
            )
        if wrong in seen:
            raise ListError(number, f"{wrong!r} is listed already, at line {seen[wrong]}")
        seen[wrong] = number
        for longer in unless:
            if wrong not in longer or longer == wrong:
                raise ListError(
                    number, f"the exception {longer!r} must be longer and contain {wrong!r}"
                )
        entries.append(Entry(wrong, right, kind, own, unless, source))
    return tuple(entries)


def _severity(number: int, line: str, default: Severity) -> tuple[Severity, str]:
    """A line's own severity (` !serious` at its end, before any `|`), and the rest."""
    found = _SEVERITY.search(line)
    if found is None:
        return default, line
    for known in SEVERITIES:
        if found[1] == known:
            return known, line[: found.start()].strip()
    raise ListError(number, f"unknown severity !{found[1]} (use {', '.join(SEVERITIES)})")


def read_protected(text: str) -> tuple[Protected, ...]:
    terms: list[Protected] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        term, *rest = line.split(maxsplit=1)
        titles = tuple(t for t in _TITLES.split(rest[0]) if t) if rest else ()
        if len(term) < 2:
            raise ListError(number, f"{term!r} is too short to protect")
        terms.append(Protected(term, titles))
    return tuple(terms)

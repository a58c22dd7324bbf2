"""The query language residents type, parsed (pure): words, "phrases", -exclusions and
OR. Words are ANDed: 防汛 白沙镇 wants both; "防汛应急" wants those characters in that
order; -演练 drops posts that say 演练; 防汛 OR 抗旱 takes either."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.errors import QueryError
from hub.models import SORTS, Sort
from hub.text import fold_simplified

MAX_QUERY_CHARS = 200  # longer queries are cut, not refused
MAX_CLAUSES = 12
MAX_PAGE = 10_000  # ten thousand pages of results: further is not reading, it is a crawl
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # what a date filter may say: no post is older
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # nor newer
_DAY = timedelta(days=1)

# a token: an optional minus, then a quoted phrase (straight or Chinese quotes) or a word
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|(\S+))')
_OR = frozenset({"or", "|", "或"})


@dataclass(frozen=True)
class Clause:
    """One thing to look for: a word (segmented further by the index) or a phrase."""

    text: str  # folded
    phrase: bool = False
    # other names of the body it names (卫健局: 卫生健康局, …), any of which it matches
    # (`hub.search.synonyms`); never a phrase's
    alternatives: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        """What it finds: as typed, then its alternatives."""
        return (self.text, *self.alternatives)


@dataclass(frozen=True)
class Parsed:
    required: tuple[tuple[Clause, ...], ...] = ()  # each: any of these (OR), all ANDed
    excluded: tuple[Clause, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.required

    def clauses(self) -> list[Clause]:
        return [c for group in self.required for c in group]


@dataclass(frozen=True)
class Request:
    """A search as the portal, the API and the CLI ask it."""

    text: str
    section: str = ""
    source: str = ""
    group: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 10

    def exact(self) -> list[tuple[str, str]]:
        """The filters asked that match one term of the index: (field, value)."""
        asked = (("sections", self.section), ("source", self.source), ("group", self.group))
        return [(field, value) for field, value in asked if value]

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.per_page <= 100:
            raise QueryError(
                f"page must be between 1 and {MAX_PAGE:,} and per_page between 1 and 100"
            )
        for name, moment in (("since", self.since), ("until", self.until)):
            # a day of slack either side: midnight in the site's zone is the day before
            # in UTC, or after
            if moment is not None and not EARLIEST - _DAY <= moment <= LATEST + _DAY:
                raise QueryError(
                    f"{name} must be a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
                )
        if self.since and self.until and self.since >= self.until:
            raise QueryError("the date range is empty: since must be before until")


def parse(text: str) -> Parsed:
    """Parse a query. Punctuation-only words are dropped; an exclusion alone finds
    nothing (there is nothing to exclude from)."""
    required: list[list[Clause]] = []
    excluded: list[Clause] = []
    join_next = False
    for match in _TOKEN.finditer(text[:MAX_QUERY_CHARS]):
        minus, *quoted, word = match.groups()
        phrase_text = next((q for q in quoted if q is not None), None)
        raw = phrase_text if phrase_text is not None else word
        if phrase_text is None and raw.casefold() in _OR:
            join_next = bool(required)
            continue
        clause = _clause(raw, phrase=phrase_text is not None)
        if clause is None:
            continue
        if minus:
            excluded.append(clause)
        elif join_next:
            required[-1].append(clause)
        else:
            required.append([clause])
        join_next = False
    groups = tuple(tuple(dict.fromkeys(g)) for g in required[:MAX_CLAUSES])
    return Parsed(groups, tuple(dict.fromkeys(excluded))[:MAX_CLAUSES])


def _clause(raw: str, phrase: bool) -> Clause | None:
    folded = " ".join(fold_simplified(raw).split())
    if not any(c.isalnum() for c in folded):
        return None
    return Clause(folded, phrase and len(folded) > 1)

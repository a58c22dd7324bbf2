"""Dates as Chinese government sites and feeds print them -> aware UTC datetimes.

Pure: the crawl time is an argument, used to infer missing years and to reject dates
no department could mean (a year off, a typo'd century). Impossible dates, and dates
outside what a datetime holds (0001-01-01, 9999-12-31 at UTC-14), are None, never an
error and never invented. A date a little in the future is kept as printed: the clock
that reads it may be the one that is wrong (`StoredPost.date` never shows a post as
published after hub first saw it).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

EARLIEST_YEAR = 1990
FUTURE_LIMIT = timedelta(days=366)  # later than this after the crawl: a typo, not a date

_TIME = r"(?:[T\s]*(?P<H>\d{1,2})(?:[:时](?P<M>\d{1,2})(?:[:分](?P<S>\d{1,2})(?:\.\d+)?秒?)?)?)?"
_ZONE = r"\s*(?P<Z>Z|[+-]\d{2}:?\d{2})?"
_FULL = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?" + _TIME + _ZONE
)
_YEARLESS = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?" + _TIME)
# the day printed apart from the year and month, as list pages lay it out: "30 2026-11"
_SPLIT = re.compile(
    r"^(?:(?P<d>\d{1,2})(?:\s+|\s*[/|]\s*)(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?"
    r"|(?P<y2>\d{4})\s*[-/.年]\s*(?P<m2>\d{1,2})\s*月?(?:\s+|\s*[/|]\s*)(?P<d2>\d{1,2})\s*日?)$"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")


def parse_date(raw: str | None, zone: tzinfo, now: datetime) -> datetime | None:
    """Read a printed date; naive times are in `zone`; returns UTC or None if implausible."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()[:200]
    if not text:
        return None
    try:
        found = _rfc822(text) or _iso(text) or _chinese(text, zone, now)
        if found is None:
            return None
        found = found.replace(tzinfo=zone) if found.tzinfo is None else found
        found = found.astimezone(UTC)
    except (OverflowError, ValueError):  # beyond what a datetime holds, in some zone
        return None
    if found.year < EARLIEST_YEAR or found > now + FUTURE_LIMIT:
        return None
    return found


def _rfc822(text: str) -> datetime | None:
    match = re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+(\d{2,4})\b", text)
    if not match or (len(match[1]) == 4 and int(match[1]) < 1000):
        return None  # (the email module reads the year 0001 as 2001, as if it were "01")
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _chinese(text: str, zone: tzinfo, now: datetime) -> datetime | None:
    if match := _FULL.search(text):
        return _build(int(match["y"]), match)
    if match := _COMPACT.search(text):
        return _build(int(match["y"]), match)
    if match := _SPLIT.match(text):
        year, month, day = (
            (match["y"], match["m"], match["d"])
            if match["y"]
            else (match["y2"], match["m2"], match["d2"])
        )
        try:
            return datetime(int(year), int(month), int(day))
        except ValueError:
            return None
    if match := _YEARLESS.search(text):
        local_now = now.astimezone(zone)
        guess = _build(local_now.year, match)
        if guess is not None and guess.replace(tzinfo=zone) > local_now + timedelta(days=2):
            guess = _build(local_now.year - 1, match)  # "[12-30]" read in January
        return guess
    return None


def _build(year: int, match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    try:
        parsed = datetime(
            year,
            int(groups["m"]),
            int(groups["d"]),
            int(groups.get("H") or 0),
            int(groups.get("M") or 0),
            int(groups.get("S") or 0),
        )
    except ValueError:
        return None  # 0000-00-00, 2024-02-30, 25:00 ...
    offset = groups.get("Z")
    if not offset:
        return parsed
    if offset == "Z":
        return parsed.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return parsed.replace(tzinfo=timezone(sign * delta))

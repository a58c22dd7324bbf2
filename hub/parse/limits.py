"""How much of a post hub keeps: every stored field has a cap, so that one hostile item
cannot become a 30 MB page, a 10 MB home page and feed. What is cut is said in a note
(`Parsed.notes`), never silently. Pure."""

from __future__ import annotations

from collections.abc import Callable

from hub.characters import printable
from hub.parse.html import one_line

MAX_TITLE = 300  # characters; government titles run to 100 at the most
MAX_AUTHOR = 100
MAX_CATEGORY = 50  # characters of one category (tag)
MAX_CATEGORIES = 20
MAX_ATTACHMENTS = 100
MAX_ATTACHMENT_NAME = 200
MAX_BODY = 1_000_000  # characters of sanitized HTML (a long report is 100,000)
MAX_URL = 2048
MAX_NESTING = 1000  # elements open inside each other; real pages stay under 50
RAW_FACTOR = 10  # raw text beyond ten times its cap is cut before it is even cleaned


def label(title: str, key: str) -> str:
    """How a note names an item: the start of its title, else its id or link."""
    shown = one_line(raw(title, 30))[:30] or printable(key[:60]) or "an untitled item"
    return f"item «{shown}»"


def cut(value: str, limit: int, what: str, item: str, notes: list[str]) -> str:
    """`value`, cut to `limit` characters (with an ellipsis) and noted when longer."""
    if len(value) <= limit:
        return value
    notes.append(f"{item}: {what} cut to {limit:,} characters (of {len(value):,})")
    return value[: limit - 1] + "…"


def cut_markup(html: str, clean: Callable[[str, str], str]) -> str:
    """Sanitized HTML cut to MAX_BODY: cut, then cleaned again so no tag is left half
    open (closing the tags left open adds a little, so cut a little shorter if need be)."""
    size = MAX_BODY
    while True:
        cleaned = clean(html[:size], "")
        if len(cleaned) <= MAX_BODY:
            return cleaned
        size -= len(cleaned) - MAX_BODY + 100


def raw(value: str, limit: int) -> str:
    """Raw markup longer than any cleaned text could need, cut before cleaning it."""
    return value[: limit * RAW_FACTOR]

"""Content checks: what a reviewer should look at before a post goes out, found in its
text, dates and links. Pure: lists and posts in, `Finding`s out; the pipeline reads the
list files and the store.

- `basic`: what any post can fail: no title, unreadable characters, garbled encodings;
- `lists`: the county's word lists and protected terms read from their text, and hub's
  own list of common 错别字 (`builtin.txt`);
- `words`: the word lists matched in one pass, at word boundaries;
- `protected`: near misses of protected names, titles and formulations;
- `dates`: dates in the future, backdated, or changed between crawls;
- `checker`: all of them compiled for many posts;
- `names`: findings in the editors' words.

A face (`hub.lazy`): reading the lists (`hub check`) loads no matcher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy import face

if TYPE_CHECKING:  # what the names below are, for type checkers
    from hub.checks.checker import Checker as Checker
    from hub.checks.checker import builtin_entries as builtin_entries
    from hub.checks.dates import Timing as Timing
    from hub.checks.dates import timings as timings
    from hub.checks.lists import Entry as Entry
    from hub.checks.lists import ListError as ListError
    from hub.checks.lists import Protected as Protected
    from hub.checks.lists import read_protected as read_protected
    from hub.checks.lists import read_words as read_words

__all__ = [
    "Checker",
    "Entry",
    "ListError",
    "Protected",
    "Timing",
    "builtin_entries",
    "read_protected",
    "read_words",
    "timings",
]
__getattr__ = face(
    __name__,
    {
        "Checker": "hub.checks.checker",
        "builtin_entries": "hub.checks.checker",
        "Timing": "hub.checks.dates",
        "timings": "hub.checks.dates",
        "Entry": "hub.checks.lists",
        "ListError": "hub.checks.lists",
        "Protected": "hub.checks.lists",
        "read_protected": "hub.checks.lists",
        "read_words": "hub.checks.lists",
        "basic": "hub.checks.basic",
    },
)

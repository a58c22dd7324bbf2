"""Content findings: what a reviewer should look at before a post goes out, one line
each. Pure. A channel under `review: flagged` holds back the posts that have any.

These are the checks every post can fail whatever the county: text that did not
decode (U+FFFD, mojibake) and a missing title. Word lists (错敏词) come with the
content checks of a later issue, in this same place.
"""

from __future__ import annotations

from hub.models import Post

REPLACEMENT = "\ufffd"
MOJIBAKE = ("锟斤拷", "烫烫烫", "屯屯屯", "â€")  # UTF-8/GBK read the wrong way


def findings(post: Post) -> tuple[str, ...]:
    found: list[str] = []
    if not post.title.strip():
        found.append("no title")
    text = f"{post.title}\n{post.text}"
    broken = text.count(REPLACEMENT)
    if broken:
        found.append(f"{broken} unreadable character{'s' if broken > 1 else ''} (U+FFFD)")
    garbled = [m for m in MOJIBAKE if m in text]
    if garbled:
        found.append(f"garbled text ({', '.join(garbled)}): an encoding read the wrong way")
    return tuple(found)

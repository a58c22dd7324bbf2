"""What any post can fail, whatever the county: no title, unreadable characters (U+FFFD)
and garbled encodings (锟斤拷). Pure."""

from __future__ import annotations

from collections.abc import Callable

from hub.models import Finding, FindingKind, Post, Severity

REPLACEMENT = "\ufffd"
MOJIBAKE = ("锟斤拷", "烫烫烫", "屯屯屯", "â€")  # UTF-8/GBK read the wrong way

Weight = Callable[[FindingKind], Severity]


def findings(post: Post, weight: Weight = lambda kind: "serious") -> tuple[Finding, ...]:
    found: list[Finding] = []
    if not post.title.strip():
        found.append(Finding("no-title", "", weight("no-title"), "give it a title", "title"))
    for name, text in (("title", post.title), ("text", post.text)):
        broken = text.count(REPLACEMENT)
        if broken:
            found.append(
                Finding(
                    "unreadable",
                    REPLACEMENT,
                    weight("unreadable"),
                    "check the original and fix the characters",
                    "title" if name == "title" else "text",
                    text.index(REPLACEMENT),
                    f"{broken} unreadable character{'s' if broken > 1 else ''} (U+FFFD)",
                )
            )
        for garbled in MOJIBAKE:
            if garbled in text:
                found.append(
                    Finding(
                        "garbled",
                        garbled,
                        weight("garbled"),
                        "an encoding read the wrong way: check the original",
                        "title" if name == "title" else "text",
                        text.index(garbled),
                    )
                )
    return tuple(found)

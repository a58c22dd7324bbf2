"""The CSS selectors a list-page source is configured with: `selector@attr` split, and
each checked for syntax; owns soupsieve. Light on purpose: `hub check` checks every
selector without loading the parsers."""

from __future__ import annotations

import re

import soupsieve

from hub.config import Source

_ATTR = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_:][-\w:.]*)$")


def split_selector(selector: str) -> tuple[str, str]:
    """'a@title' -> ('a', 'title'); 'a' -> ('a', '')."""
    match = _ATTR.match(selector.strip())
    return (match["css"], match["attr"]) if match else (selector.strip(), "")


def check_selector(selector: str) -> str:
    """An error message for an invalid selector, or '' when it is valid."""
    css, _ = split_selector(selector)
    css = css.removeprefix("+").strip()  # `+ dd`: the element right after the item
    if not css:
        return ""
    try:
        soupsieve.compile(css)
    except (soupsieve.SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        return f"invalid CSS selector {selector!r}: {str(exc).splitlines()[0]}"
    return ""


def check_source(source: Source) -> list[tuple[str, str]]:
    """(key, message) for each invalid selector of a list-page source."""
    if source.page is None:
        return []
    page = source.page
    fields = {
        "item": page.item,
        "title": page.title,
        "link": page.link,
        "date": page.date,
        "article": page.article,
        "department": page.department,
        "topic": page.topic,
    }
    return [
        (key, message)
        for key, value in fields.items()
        if value and (message := check_selector(value))
    ]

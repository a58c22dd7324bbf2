"""A source's entry written into channels.yaml as an editor would write it: the keys
that differ from their defaults, in the order docs/channels.md lists them, appended to
the `sources:` list without touching the rest of the file (its comments, its layout)."""

from __future__ import annotations

import re

from hub.config.schema import Page, Source
from hub.config.yamlfile import scalar

_PAGE_KEYS = ("url", "item", "title", "link", "date", "article", "more", "backfill")
_ALWAYS = {"url", "item", "title", "link"}
_TOP = re.compile(r"^sources\s*:\s*(?:#.*)?$")
_EMPTY = re.compile(r"^sources\s*:\s*\[\s*\]\s*(?:#.*)?$")


def source_entry(source: Source, comment: str = "") -> list[str]:
    """The lines of `- id: ...` for `source`, unindented."""
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    lines.append(f"- id: {scalar(source.id)}")
    lines.append(f"  name: {scalar(source.name)}")
    if source.group:
        lines.append(f"  group: {scalar(source.group)}")
    if source.kind != "posts":
        lines.append(f"  kind: {scalar(source.kind)}")
    if source.feed:
        lines.append(f"  feed: {scalar(source.feed)}")
    elif source.page is not None:
        lines.append("  page:")
        defaults = Page(url=source.page.url, item="x")
        for key in _PAGE_KEYS:
            value = getattr(source.page, key)
            if key in _ALWAYS or value != getattr(defaults, key):
                lines.append(f"    {key}: {scalar(value)}")
    if source.encoding:
        lines.append(f"  encoding: {scalar(source.encoding)}")
    return lines


def add_source(text: str, entry: list[str]) -> str:
    """channels.yaml's text with `entry` as the last item of its `sources:` list,
    indented as the items before it; the rest of the file unchanged."""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if _TOP.match(line)), None)
    if start is None:
        empty = next((n for n, line in enumerate(lines) if _EMPTY.match(line)), None)
        if empty is not None:
            lines[empty] = "sources:"
            lines[empty + 1 : empty + 1] = ["  " + line for line in entry]
            return "\n".join(lines)
        tail = "" if text.endswith("\n") or not text else "\n"
        return text + tail + "\nsources:\n" + "".join(f"  {line}\n" for line in entry)
    indent = "  "
    last = start
    for n in range(start + 1, len(lines)):
        line = lines[n]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace():
            break  # the next top-level key
        if stripped.startswith("- ") and last == start:
            indent = line[: len(line) - len(line.lstrip())]
        last = n
    lines[last + 1 : last + 1] = [indent + line for line in entry]
    return "\n".join(lines)

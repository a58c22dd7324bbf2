"""A source's entry written into channels.yaml as an editor would write it: the keys
that differ from their defaults, in the order docs/channels.md lists them, appended to
the `sources:` list without touching the rest of the file (its comments, its layout)."""

from __future__ import annotations

import re

from hub.config.schema import Page, Source
from hub.config.yamlfile import scalar

_PAGE_KEYS = (
    "url",
    "item",
    "title",
    "link",
    "date",
    "article",
    "more",
    "department",
    "topic",
    "backfill",
)
_MORE_KEYS = ("encoding", "tags", "every", "keep_removed", "unit", "platform", "column")
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
        plain = Page(url=source.page.url, item="x")
        for key in _PAGE_KEYS:
            value = getattr(source.page, key)
            if key in _ALWAYS or value != getattr(plain, key):
                lines.append(f"    {key}: {scalar(value)}")
    defaults = Source(id=source.id, name=source.name, feed="http://x.invalid/")
    for key in _MORE_KEYS:
        value = getattr(source, key)
        if value == getattr(defaults, key):
            continue
        if isinstance(value, tuple):
            lines.append(f"  {key}: [{', '.join(scalar(v) for v in value)}]")
        elif isinstance(value, float):  # a duration, in whole seconds (1036800s, not 1e6)
            lines.append(f"  {key}: {scalar(f'{round(value)}s')}")
        else:
            lines.append(f"  {key}: {scalar(value)}")
    return lines


def replace_source(text: str, source_id: str, entry: list[str]) -> str:
    """channels.yaml's text with the `sources:` item whose id is `source_id` replaced
    by `entry` (at its indentation); the comments above it and the rest of the file
    unchanged. A ValueError when no item of that id is found."""
    lines = text.split("\n")
    pattern = re.compile(
        rf"^(?P<indent>\s*)-\s+(?:\{{\s*)?id:\s*(?P<q>['\"]?){re.escape(source_id)}(?P=q)\s*(?:[,}}#]|$)"
    )
    start = next((n for n, line in enumerate(lines) if pattern.match(line)), None)
    if start is None:
        raise ValueError(f"no `- id: {source_id}` item under sources:")
    indent = len(pattern.match(lines[start])["indent"])  # type: ignore[index]
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#") and depth <= indent:
            break
        end += 1
    while end - 1 > start and (
        not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")
    ):
        end -= 1  # blank lines and comments after it belong to what follows
    lines[start:end] = [" " * indent + line for line in entry]
    return "\n".join(lines)


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
        if any(re.match(r"^sources\s*:", line) for line in lines):
            raise ValueError(
                "sources: is written as one [...] list; write it as a list of `- id:` "
                "items, or add the entry by hand"
            )
        tail = "" if text.endswith("\n") or not text else "\n"
        return text + tail + "\nsources:\n" + "".join(f"  {line}\n" for line in entry)
    indent = "  "
    last = start
    for n in range(start + 1, len(lines)):
        line = lines[n]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("- "):
            break  # the next top-level key (items may start at the margin: `- id:`)
        if stripped.startswith("- ") and last == start:
            indent = line[: len(line) - len(line.lstrip())]
        last = n
    lines[last + 1 : last + 1] = [indent + line for line in entry]
    return "\n".join(lines)

"""CSS selectors written for elements found on a page: short, made of the ids and
classes a CMS's template gives its blocks (which survive a new article or a new day),
and checked against the page they were made on."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bs4 import BeautifulSoup, Tag

from hub.parse.page.soup import classes

_NAME = re.compile(r"^-?[A-Za-z_][\w-]*$")
# classes that mark a state or a position rather than what a block is
_PASSING = re.compile(
    r"^(?:on|active|cur|current|selected|hover|first|last|odd|even|clearfix|clear|fl|fr|"
    r"left|right|hide|show|new|hot|top|zd|bg\d*|(?:item|row|line|li)?[-_]?\d+)$",
    re.I,
)
MAX_CLIMB = 6  # ancestors a list's selector may name


def _name_ok(name: str) -> bool:
    return bool(_NAME.match(name)) and not re.search(r"\d{4,}", name)


def kind_of(node: Tag) -> list[str]:
    """The classes that say what a node is."""
    return [c for c in classes(node) if _name_ok(c) and not _PASSING.match(c)]


def step(node: Tag, *, ids: bool = True) -> str:
    """`tag#id`, else `tag.class.class`, else the tag."""
    ident = str(node.get("id") or "")
    if ids and ident and _name_ok(ident):
        return f"#{ident}"
    return node.name + "".join(f".{c}" for c in kind_of(node)[:2])


def _chain(node: Tag, top: int) -> list[Tag]:
    """node and up to `top` of its ancestors below <body>, nearest first."""
    chain = [node]
    for parent in node.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
            break
        chain.append(parent)
        if len(chain) > top:
            break
    return chain


def items_selector(
    soup: BeautifulSoup, items: Sequence[Tag], extra_ok: Callable[[Tag], bool]
) -> str | None:
    """The shortest selector that finds every item and nothing else that `extra_ok`
    refuses (a header row with no link is harmless; another list's items are not)."""
    wanted = {id(item) for item in items}
    shared = set(kind_of(items[0]))
    for item in items[1:]:
        shared &= set(kind_of(item))
    tails = [items[0].name]
    if shared:
        tails.append(items[0].name + "".join(f".{c}" for c in sorted(shared)[:2]))
    ancestors = _chain(items[0], MAX_CLIMB)[1:]
    for tail in tails:
        steps: list[str] = []
        for ancestor in ancestors:
            steps.insert(0, step(ancestor))
            for joiner in (" > ", " "):
                selector = joiner.join(steps) + " > " + tail
                if _fits(soup, selector, wanted, extra_ok):
                    return selector
            if steps[0].startswith("#"):
                break  # an id is unique: nothing above it narrows the choice
    return None


def _fits(
    soup: BeautifulSoup, selector: str, wanted: set[int], extra_ok: Callable[[Tag], bool]
) -> bool:
    try:
        found = soup.select(selector)
    except Exception:
        return False
    got = {id(node) for node in found}
    if not wanted <= got:
        return False
    return all(extra_ok(node) for node in found if id(node) not in wanted)


def relative(item: Tag, node: Tag) -> str:
    """A selector for `node` inside `item` (`item.select_one` finds it): the path of
    tags down from the item, with a class where the tag has one and a position where
    siblings look alike."""
    if node is item:
        return ":scope"
    path: list[Tag] = []
    current: Tag | None = node
    while current is not None and current is not item:
        path.append(current)
        parent = current.parent
        current = parent if isinstance(parent, Tag) else None
    if current is None:
        raise ValueError("node is not inside item")
    steps: list[str] = []
    for element in reversed(path):
        wanted = kind_of(element)[:2]
        text = element.name + "".join(f".{c}" for c in wanted)
        parent = element.parent
        if isinstance(parent, Tag):
            same_tag = parent.find_all(element.name, recursive=False)
            alike = [c for c in same_tag if set(wanted) <= set(classes(c))]
            if len(alike) > 1:  # the step alone would find another first
                text += f":nth-of-type({same_tag.index(element) + 1})"
        steps.append(text)
    return " > ".join(steps)


def unique_selector(soup: BeautifulSoup, node: Tag) -> str | None:
    """A selector that finds `node` first on its page: its id, else classes up a few
    ancestors."""
    steps: list[str] = []
    for element in _chain(node, MAX_CLIMB):
        steps.insert(0, step(element))
        selector = " ".join(steps)
        try:
            if soup.select_one(selector) is node:
                return selector
        except Exception:  # noqa: S112 (not compiled: try a longer one)
            continue
    return None

"""How a list page leads to its older pages, as a source's `more:` template.

TRS sites write their pager with a script, `createPageHTML(count, current, "index",
"html")` (newer templates put a target element's id first and the record count last):
the second page is `index_1.html`. Other CMSs print links: "下一页" or the page
numbers, to `list_2.html`, `?page=2`, `&pageNum=2`; the number that differs between
this page's address and the next one's is the page number. Hanweb's jpage lists load
their other pages by a script from a data proxy: only the first page can be read."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from hub.parse.html import join_url
from hub.parse.page.soup import base_of, text_of

_TRS = re.compile(r"createPageHTML\s*\(([^)]{0,300})\)")
_ARG = re.compile(r"""'([^']*)'|"([^"]*)"|(-?\d+)|([A-Za-z_$][\w$.]*)""")
_EXTENSION = re.compile(r"^(?:s?html?|jsp|php|aspx?)$", re.I)
_NEXT = re.compile(r"^(?:下一页|下页|后页)$")
_ARROW = re.compile(r"^(?:>|>>|›|»|next)$", re.I)  # a pager's only where page numbers are
_COUNT = re.compile(r"共\s*(\d{1,5})\s*页")
_TOKENS = re.compile(r"\d+|\D+")


@dataclass(frozen=True, slots=True)
class Paging:
    """What a list page says of its other pages."""

    more: str  # the template of `page.more`, "" when no other page can be addressed
    pages: int  # how many pages the list says it has; 0 when it does not say
    how: str  # "script" (TRS), "link", "jpage" (Hanweb), "" (none found)
    note: str  # one line for an editor


def guess_paging(text: str, soup: BeautifulSoup, url: str) -> Paging:
    count = int(found[1]) if (found := _COUNT.search(soup.get_text(" "))) else 0
    if (script := _trs(text)) is not None:
        more, pages = script
        base = base_of(soup, url)
        if base != url:  # the pager's links resolve against <base href>
            more = _relative(url, urljoin(base, more))
        return Paging(more, pages or count, "script", f"TRS pager script: {more}")
    if "<datastore" in text.lower():
        return Paging(
            "",
            count,
            "jpage",
            "Hanweb jpage: its other pages come from a script's data proxy; "
            "only the first page is read",
        )
    link = _next_link(soup, url)
    if link is None:
        return Paging("", count, "", "no paging found: only the first page is read")
    template = _template(url, link)
    if template is None:
        return Paging("", count, "", f"the next page ({link}) has no page number in its address")
    return Paging(template, count or _highest(soup), "link", f"pager links: {template}")


def _trs(text: str) -> tuple[str, int] | None:
    """(more, pages) from TRS's pager script."""
    for call in _TRS.finditer(text):
        args = list(_ARG.finditer(call[1]))
        strings = [(n, m[1] if m[1] is not None else m[2]) for n, m in enumerate(args)]
        strings = [(n, s) for n, s in strings if s is not None]
        for (n, prefix), (k, extension) in pairwise(strings):
            if k == n + 1 and _EXTENSION.match(extension) and re.match(r"^[\w-]+$", prefix):
                numbers = [int(m[3]) for m in args[:n] if m[3] is not None]
                names = [m[4] for m in args[:n] if m[4] is not None]
                pages = numbers[0] if numbers else _variable(text, names[0] if names else "")
                return f"{prefix}_{{index}}.{extension}", pages
    return None


def _variable(text: str, name: str) -> int:
    if not name:
        return 0
    found = re.search(rf"\b{re.escape(name.rsplit('.', maxsplit=1)[-1])}\s*=\s*(\d+)", text)
    return int(found[1]) if found else 0


def _next_link(soup: BeautifulSoup, url: str) -> str | None:
    """The address of the second page: a "下一页" link, else a link whose text is 2."""
    by_number = None
    base = base_of(soup, url)
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        label = text_of(anchor) or str(anchor.get("title") or "")
        target = join_url(base, href)
        if not target or target == url:
            continue
        if _NEXT.match(label) or (_ARROW.match(label) and _among_numbers(anchor)):
            return target
        if label == "2" and by_number is None:
            by_number = target
    return by_number


def _among_numbers(anchor: Tag) -> bool:
    """Whether a link sits in a pager: a block near it links page numbers."""
    for block in [anchor.parent, *anchor.parents][:3]:
        if isinstance(block, Tag) and any(
            text_of(a).isdigit() for a in block.find_all("a") if a is not anchor
        ):
            return True
    return False


def _highest(soup: BeautifulSoup) -> int:
    numbers = [int(t) for a in soup.find_all("a") if (t := text_of(a)).isdigit() and len(t) < 5]
    return max(numbers, default=0)


def _template(url: str, second: str) -> str | None:
    """`more:` for the second page's address: its page number as {page} (it is 2) or
    {index} (it is 1: the first page had none), written relative to this page."""
    here, there = _TOKENS.findall(url), _TOKENS.findall(second)
    slots = [
        (tag, j1, j2)
        for tag, _, _, j1, j2 in difflib.SequenceMatcher(
            a=here, b=there, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    ]
    if len(slots) != 1:
        return None
    _, j1, j2 = slots[0]
    # the page number: the last 2 of the change (list_5_2.html, ?uid=4471&pageNum=2,
    # index_2.html?v=1), else its last 1 (index_1.html)
    twos = [n for n in range(j1, j2) if there[n].isdigit() and int(there[n]) == 2]
    ones = [n for n in range(j1, j2) if there[n].isdigit() and int(there[n]) == 1]
    if not twos and not ones:
        return None
    slot = (twos or ones)[-1]
    there[slot] = "{page}" if int(there[slot]) == 2 else "{index}"
    return _relative(url, "".join(there))


def _relative(base: str, target: str) -> str:
    """`target` as short as urljoin(base, it) gives it back."""
    b, t = urlsplit(base), urlsplit(target)
    if (b.scheme, b.netloc) != (t.scheme, t.netloc):
        return target
    directory = b.path.rsplit("/", 1)[0] + "/"
    tail = t.path + (f"?{t.query}" if t.query else "")
    if t.path.startswith(directory) and "/" not in t.path[len(directory) :]:
        relative = t.path[len(directory) :] + (f"?{t.query}" if t.query else "")
        return relative or tail
    return tail

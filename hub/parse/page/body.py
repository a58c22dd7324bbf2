"""Where an article page keeps its text and its date.

The body: the content block a government CMS names in its template (TRS's
`.TRS_Editor`, Hanweb's `#zoom`, ...) where it holds the page's text, else the block
that holds most of the page's running text: each paragraph (a `<p>`, or text set
straight in a `<div>` or `<td>` between `<br>`s) counts for the block holding it and
half for the one above, less the text of links (menus, related posts). The date: the
CMS's meta tags first, else the one printed after a label such as 发布时间."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from hub.parse.page.css import unique_selector
from hub.parse.page.lists import inside
from hub.parse.page.soup import classes, text_of

# the content blocks of the CMSs county sites run on, most telling first
KNOWN_BODIES = (
    ".TRS_Editor",
    ".TRS_UEDITOR",
    ".Custom_UnionStyle",
    "#zoom",
    "#Zoom",
    "#UCAP-CONTENT",
    "#fontzoom",
    ".pages_content",
    ".article-content",
    ".article_content",
    "#article_content",
    ".wzzw",
    "#zw",
)
_BLOCKS = ("div", "td", "section", "article", "main")
_SKIP = ("script", "style", "noscript", "textarea", "select", "option", "head", "title")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")  # a title's text is no body's
_PRINTED = (
    r"\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
# the labels of a publishing date, the most telling first: 发布日期 over 成文日期 (the day
# a document was signed), which a bare 日期 would also find
_LABELED = tuple(
    re.compile(f"{label}{_PRINTED}")
    for label in ("发布时间", "发布日期", "发文时间", "(?<!成文)(?<!印发)(?:时间|日期)")
)
# a page's line of facts about the article: 发布时间：… 来源：… 浏览次数：…, no sentence
_META_LINE = re.compile(r"^\s*(?:发布)?(?:时间|日期)\s*[:：]")
_LABELS = re.compile(r"(?:时间|日期|来源|浏览|点击|阅读|字号|作者|编辑)\S{0,2}\s*[:：]")
MIN_RUN = 10  # characters: shorter runs are labels and menus


def densest_block(soup: BeautifulSoup, boilerplate: frozenset[str] = frozenset()) -> Tag | None:
    """The block holding the article's running text: of the blocks holding at least
    half as much text as the densest (less its links' text), the first after the page's
    <h1> — the body follows its title; a footer, comments, related posts come later —
    that holds no better block (on a page of short lines only, the block of its
    paragraphs however short). Blocks whose text is in `boilerplate` (the same on every
    article page of a site) are passed over."""
    return _densest(soup, MIN_RUN, boilerplate) or _densest(soup, 1, boilerplate)


def _densest(soup: BeautifulSoup, shortest: int, boilerplate: frozenset[str]) -> Tag | None:
    nodes: dict[int, Tag] = {}
    scores: dict[int, float] = {}

    def credit(node: object, amount: float) -> None:
        if isinstance(node, Tag) and node.name not in ("body", "html", "[document]"):
            nodes[id(node)] = node
            scores[id(node)] = scores.get(id(node), 0.0) + amount

    for paragraph in soup.find_all("p"):
        size = len(text_of(paragraph)) - _link_chars(paragraph)
        if size >= shortest and paragraph.find_parent("p") is None:
            credit(paragraph.parent, size)
            credit(paragraph.parent.parent if paragraph.parent else None, size / 2)
    for run in soup.find_all(string=True):
        if not isinstance(run, NavigableString) or len(run.strip()) < max(shortest, MIN_RUN):
            continue
        parent = run.parent
        if not isinstance(parent, Tag) or parent.name in _SKIP or parent.name == "a":
            continue
        if parent.name in ("p", *_HEADINGS):
            continue
        if parent.find_parent(["p", "a", *_SKIP, *_HEADINGS]) is not None:
            continue
        block = parent if parent.name in _BLOCKS else parent.find_parent(_BLOCKS)
        if block is not None:
            credit(block, len(run.strip()))
            credit(block.parent, len(run.strip()) / 2)
    weighted: dict[int, float] = {}
    for key, score in scores.items():
        text = text_of(nodes[key])
        if text in boilerplate:
            continue
        weighted[key] = score * (1 - min(_link_chars(nodes[key]) / (len(text) or 1), 1.0))
        if len(text) < 120 and _META_LINE.match(text) and len(_LABELS.findall(text)) >= 2:
            weighted[key] /= 10
        if _frame(nodes[key]):  # a footer, a copyright line
            weighted[key] /= 5
    return _first_good(soup, nodes, weighted) if weighted else None


def _first_good(soup: BeautifulSoup, nodes: dict[int, Tag], weighted: dict[int, float]) -> Tag:
    """Of the blocks with at least half the best weight, the first after the <h1> that
    holds no better block; else the best."""
    best = max(weighted.values())
    order = {id(tag): n for n, tag in enumerate(soup.find_all(True))}
    heading = soup.find("h1")
    if not isinstance(heading, Tag):  # no title to follow: the best block
        return nodes[max(weighted, key=weighted.__getitem__)]
    start = order.get(id(heading), -1)
    good = sorted((k for k, w in weighted.items() if w >= best / 2), key=order.__getitem__)
    for key in good:
        node = nodes[key]
        if order[key] < start and inside(heading, node):
            continue  # a frame around the title and the body alike
        if any(inside(nodes[k], node) and weighted[k] > weighted[key] for k in good):
            continue  # a wrapper of a better block
        if order[key] > start:
            return node
    bare = [k for k in weighted if not inside(heading, nodes[k])]  # not a frame of the title
    return nodes[max(bare or weighted, key=weighted.__getitem__)]


_FRAME = re.compile(r"foot|copyright|bottom|banquan|\bbq\b|\bfoot", re.I)


def _frame(node: Tag) -> bool:
    """Whether a block is the page's frame by its name: footer, copyright."""
    return any(
        isinstance(n, Tag)
        and (n.name == "footer" or _FRAME.search(" ".join([*classes(n), str(n.get("id") or "")])))
        for n in [node, *node.parents][:3]
    )


def _link_chars(node: Tag) -> int:
    return sum(len(text_of(a)) for a in node.find_all("a"))


def known_body(soup: BeautifulSoup, dense: Tag | None) -> str:
    """The first CMS content block that holds the page's text, or ""."""
    wanted = len(text_of(dense)) if dense is not None else 0
    for selector in KNOWN_BODIES:
        node = soup.select_one(selector)
        if node is None:
            continue
        size = len(text_of(node))  # a short notice is short: any text is the body
        if size >= MIN_RUN and size <= 1.5 * wanted + 200:
            return selector
    return ""


def body_selector(soups: Sequence[BeautifulSoup]) -> tuple[str, str]:
    """(selector, how) for the body of these article pages of one source: a known
    content block found on all of them, else the densest block's selector where it is
    the same on all of them, else "" (each page's densest block is read)."""
    dense = [densest_block(soup) for soup in soups]
    texts = [text_of(block) for block in dense if block is not None]
    if len(texts) > 1 and len(set(texts)) == 1:  # the same on every page: a footer
        dense = [densest_block(soup, frozenset(texts)) for soup in soups]
    known = {known_body(soup, block) for soup, block in zip(soups, dense, strict=True)}
    if len(known) == 1 and (block := known.pop()):
        return block, f"the CMS's content block ({block})"
    written = {
        unique_selector(soup, block) if block is not None else None
        for soup, block in zip(soups, dense, strict=True)
    }
    if len(written) == 1 and (selector := written.pop()):
        return selector, f"the block with the most text ({selector}), the same on each page read"
    return "", "the block with the most text on each page"


def printed_date(soup: BeautifulSoup) -> str:
    """The date printed after a label (发布时间：2026-11-30 09:30), or ""."""
    text = (soup.body or soup).get_text(" ")[:20000]
    for label in _LABELED:
        if found := label.search(text):
            return found[1]
    return ""

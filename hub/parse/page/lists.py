"""Finding a column's list on a page nobody wrote selectors for: the repeated block of
items that each carry a link and a date.

Links are grouped by the path of tags above them; each link's item is the highest
element above it that holds no other link of its group (an `li`, a `tr`, a card), and
items are grouped again by the block that holds them, so that two lists of one shape
(the column and a sidebar's 热点) stay apart. Each group is scored by its items that
look like a column's entries (a title of some length, a date beside it, a link on the
site), and the best is written down as selectors: the items', the title's and the
date's within an item, each checked on every item of the page."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from hub.parse.dates import parse_date
from hub.parse.html import join_url
from hub.parse.page.css import items_selector, kind_of, relative, step
from hub.parse.page.soup import base_of, classes, text_of

MIN_ITEMS = 3
MIN_TITLE = 6  # characters: shorter link texts are menus, tags, page numbers
_SKIP_HREF = re.compile(r"^\s*(?:#|javascript:|mailto:|tel:)", re.I)
_TITLE_CLASS = re.compile(r"tit|bt|name|subject|headline", re.I)
# names of the blocks beside a column: a class or id token that begins so, or the element
_ASIDE = re.compile(r"^(?:side|aside|rank|paihang|phb|yqlj|friend|footer)|sidebar$|rank$", re.I)
_DAY = r"(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
# a date at either end of a title: [2026-11-30] 标题, 标题 (11-30)
EDGE_DATE = re.compile(
    rf"^\s*[\[【(（]?\s*{_DAY}\s*[\]】)）]?\s*|\s*[\[【(（]?\s*{_DAY}\s*[\]】)）]?\s*$"
)
_DATEISH = re.compile(r"[\d年月日/.:\-\s\[\]]")  # what a printed date is made of
_NAV = re.compile(r"^(?:首页|上一页|下一页|尾页|末页|更多|more|返回|打印|关闭)", re.I)


@dataclass(frozen=True, slots=True)
class ListGuess:
    """A list found on a page, as a source's `page:` selectors, and how sure."""

    item: str
    title: str
    link: str
    date: str
    count: int  # items found
    dated: int  # of them with a date
    score: float


def guess_lists(
    soup: BeautifulSoup, url: str, zone: tzinfo, now: datetime, limit: int = 3
) -> list[ListGuess]:
    """The likeliest lists on the page, best first."""
    guesses: list[ListGuess] = []
    for group in _groups(soup):
        guess = _describe(soup, group, url, zone, now)
        if guess is not None:
            guesses.append(guess)
    guesses.sort(key=lambda g: -g.score)
    return guesses[:limit]


def _beside(block: Tag) -> bool:
    """Whether a block is named as one beside the column: a sidebar, a ranking, friends'
    links, the footer (<aside>, class="side-list", id="paihang")."""
    if block.name in ("aside", "footer"):
        return True
    tokens = [*classes(block), *str(block.get("id") or "").split()]
    return any(_ASIDE.search(token) for token in tokens)


def _title_of(anchor: Tag) -> str:
    return " ".join(str(anchor.get("title") or "").split()) or text_of(anchor)


def _anchors(soup: BeautifulSoup) -> list[Tag]:
    return [
        a
        for a in soup.find_all("a", href=True)
        if not _SKIP_HREF.match(str(a["href"])) and _title_of(a) and not _NAV.match(text_of(a))
    ]


def _shape(anchor: Tag, places: dict[int, int]) -> tuple[str, ...]:
    """The tags above a link, and its place among its parent's links."""
    path = [p.name for p in anchor.parents if isinstance(p, Tag)]
    return (*reversed(path), f"a{places.get(id(anchor), 0)}")


def _places(soup: BeautifulSoup) -> dict[int, int]:
    """Each link's place among its parent's links, counted once for the page."""
    seen: Counter[int] = Counter()
    places: dict[int, int] = {}
    for anchor in soup.find_all("a"):
        places[id(anchor)] = seen[id(anchor.parent)]
        seen[id(anchor.parent)] += 1
    return places


def _groups(soup: BeautifulSoup) -> list[list[tuple[Tag, Tag]]]:
    """(item, anchor) groups: links of one shape, split by the block holding them."""
    by_shape: dict[tuple[str, ...], list[Tag]] = defaultdict(list)
    places = _places(soup)
    for anchor in _anchors(soup):
        by_shape[_shape(anchor, places)].append(anchor)
    groups: list[list[tuple[Tag, Tag]]] = []
    for anchors in by_shape.values():
        if len(anchors) < MIN_ITEMS:
            continue
        counts: Counter[int] = Counter()
        for anchor in anchors:
            for parent in anchor.parents:
                counts[id(parent)] += 1
        by_block: dict[tuple[str, ...], list[tuple[Tag, Tag]]] = defaultdict(list)
        for anchor in anchors:
            item = anchor
            while isinstance(item.parent, Tag) and counts[id(item.parent)] == 1:
                item = item.parent
            holder = item.parent
            key = tuple(step(p) for p in ([holder] if isinstance(holder, Tag) else []))
            key += tuple(step(p, ids=False) for p in item.parents if isinstance(p, Tag))[1:]
            by_block[(*key, item.name)].append((item, anchor))
        groups += [group for group in by_block.values() if len(group) >= MIN_ITEMS]
    return groups


def _describe(
    soup: BeautifulSoup, group: list[tuple[Tag, Tag]], url: str, zone: tzinfo, now: datetime
) -> ListGuess | None:
    base = base_of(soup, url)
    items = [item for item, _ in group]
    titles = [_title_node(item, anchor) for item, anchor in group]
    dates = [_date_node(item, title, zone, now) for item, title in zip(items, titles, strict=True)]
    after = ""  # the date's selector when it is the element after each item (<dt>, <dd>)
    if sum(d is not None for d in dates) < len(items) / 2:
        beside = [_sibling_date(item, zone, now) for item in items]
        kinds = {step(d, ids=False) for d in beside if d is not None}
        if len(kinds) == 1 and sum(d is not None for d in beside) >= 0.9 * len(items):
            dates, after = beside, "+ " + kinds.pop()
    host = urlsplit(url).hostname or ""
    score = 0.0
    links = [join_url(base, str(anchor["href"])) for _, anchor in group]
    for link, title, date in zip(links, titles, dates, strict=True):
        name = _title_of(title) if title.name == "a" else text_of(title)
        # a column's titles are sentences; a sidebar cuts them short (…)
        weight = min(len(name), 24) / 24 if len(name) >= MIN_TITLE else 0.05
        weight *= 0.7 if name.endswith(("…", "...", "..")) else 1.0
        weight *= 1.0 if (urlsplit(link).hostname or "") == host else 0.3
        weight *= 1.0 if date is not None else 0.2
        score += weight
    score *= len(set(links)) / len(links)  # a column's items each lead somewhere else
    # a block named as a sidebar, a ranking, a link list or the page's frame
    if any(_beside(block) for block in [p for p in items[0].parents if isinstance(p, Tag)][:3]):
        score *= 0.3
    wanted = {id(item) for item in items}

    def harmless(node: Tag) -> bool:  # a header row, a separator: nothing a crawl reads
        return id(node) in wanted or not any(
            _title_of(a) and not _SKIP_HREF.match(str(a["href"]))
            for a in node.find_all("a", href=True)
        )

    selector = items_selector(soup, items, harmless)
    title_css = _agreed(items, titles)
    link_css = _agreed(items, [anchor for _, anchor in group])
    if selector is None or title_css is None or link_css is None:
        return None
    with_dates = [(i, d) for i, d in zip(items, dates, strict=True) if d is not None]
    date_css = after or _agreed([i for i, _ in with_dates], [d for _, d in with_dates]) or ""
    dated = len(with_dates) if date_css else 0
    return ListGuess(selector, title_css, link_css, date_css, len(items), dated, score)


def _agreed(items: list[Tag], nodes: list[Tag]) -> str | None:
    """The relative selector that finds, in most items, the node found in each."""
    if not items:
        return None
    tally: Counter[str] = Counter(
        relative(item, node) for item, node in zip(items, nodes, strict=True)
    )
    for selector, _ in tally.most_common(3):
        hits = 0
        for item, node in zip(items, nodes, strict=True):
            try:
                hits += (item if selector == ":scope" else item.select_one(selector)) is node
            except Exception:
                break
        if hits >= 0.9 * len(items):
            return selector
    return None


def _title_node(item: Tag, anchor: Tag) -> Tag:
    """The link, or where a link holds several parts (a card's title, summary and
    date), the part that is the title: a heading, a part classed as one, else the first
    part with some text."""
    if anchor.get("title"):
        return anchor
    parts = [c for c in anchor.find_all(True) if c.find(True) is None and text_of(c)]
    if len(parts) <= 1:
        return anchor
    for part in parts:
        if part.name in ("h1", "h2", "h3", "h4", "h5", "h6") or any(
            _TITLE_CLASS.search(c) for c in kind_of(part)
        ):
            return part
    long = [p for p in parts if len(text_of(p)) >= MIN_TITLE]
    return long[0] if long else anchor


def inside(node: Tag, ancestor: Tag) -> bool:
    """Whether `node` is within `ancestor` (by identity: bs4's `in` compares markup)."""
    return any(parent is ancestor for parent in node.parents)


def _date_node(item: Tag, title: Tag, zone: tzinfo, now: datetime) -> Tag | None:
    """The smallest part of the item whose text, less the title's, is mostly a date (a
    part of the title may be one: <a><span>2026-11-30</span>标题</a>); else the title
    itself when its text begins or ends with a date ([2026-11-30] 标题)."""
    best: Tag | None = None
    best_size = 10**6
    for node in [item, *item.find_all(True)]:
        if node is title:
            continue
        own = _own_text(node, title)
        if not _is_date(own, zone, now):
            continue
        if len(own) < best_size or (len(own) == best_size and node is not item):
            best, best_size = node, len(own)
    if best is None and EDGE_DATE.search(text_of(title)):
        return title
    return best


def _sibling_date(item: Tag, zone: tzinfo, now: datetime) -> Tag | None:
    """The element right after the item when it is a date and no more (<dd>2026-11-30)."""
    after = item.find_next_sibling(True)
    if not isinstance(after, Tag) or after.find("a", href=True) is not None:
        return None
    return after if _is_date(text_of(after), zone, now) else None


def _is_date(text: str, zone: tzinfo, now: datetime) -> bool:
    """Whether a text is a printed date and little more (日期：2026-11-30, [11-30])."""
    if not text or len(text) > 40 or len(_DATEISH.findall(text)) < 0.4 * len(text):
        return False
    return parse_date(text, zone, now) is not None


def _own_text(node: Tag, title: Tag) -> str:
    """The node's text without the title's."""
    if inside(title, node):
        parts = [str(s) for s in node.find_all(string=True) if not inside(s, title)]  # type: ignore[arg-type]
        return " ".join(" ".join(parts).split())
    return text_of(node)

"""A page as a tree: parsed with lxml (html.parser when lxml is missing), with the
records a Hanweb list keeps in a `<script type="text/xml">` datastore put in the tree
where the script was, so that selectors see them like any other element."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import FeatureNotFound

RECORDS = "hub-records"  # the class of the element that holds a datastore's records
MAX_RECORDS = 1000  # a list's first page holds a few dozen


def soup_of(text: str) -> BeautifulSoup:
    try:
        soup = BeautifulSoup(text, "lxml")
    except FeatureNotFound:  # lxml missing: the slower parser still works
        soup = BeautifulSoup(text, "html.parser")
    if "<datastore" in text.lower():
        _expand_records(soup)
    return soup


def _expand_records(soup: BeautifulSoup) -> None:
    """Hanweb's jpage lists ship their first page as CDATA records in a script; each
    record is an item's HTML."""
    for script in soup.find_all("script"):
        if str(script.get("type") or "").lower() != "text/xml":
            continue
        records = _records(script.string or "")
        if not records:
            continue
        holder = soup.new_tag("div", attrs={"class": RECORDS})
        for record in records:
            part = BeautifulSoup(record, "html.parser")
            for child in list(part.contents):
                holder.append(child.extract())
        script.replace_with(holder)


def base_of(soup: BeautifulSoup, url: str) -> str:
    """What the page's relative links resolve against: its <base href>, else its URL."""
    base = soup.find("base", href=True)
    href = str(base["href"]).strip() if isinstance(base, Tag) else ""
    return urljoin(url, href) if href.lower().startswith(("http://", "https://", "/")) else url


def _records(text: str) -> list[str]:
    """The CDATA of each <record> of a datastore, found in one pass (a regular
    expression over an unterminated record backtracks for minutes)."""
    found: list[str] = []
    at = 0
    lowered = text.lower()
    while len(found) < MAX_RECORDS:
        start = lowered.find("<record>", at)
        if start < 0:
            break
        opened = text.find("<![CDATA[", start)
        closed = text.find("]]>", opened) if opened >= 0 else -1
        if closed < 0:
            break
        found.append(text[opened + 9 : closed])
        at = closed + 3
    return found


def text_of(node: Tag) -> str:
    return node.get_text(" ", strip=True)


def classes(node: Tag) -> list[str]:
    raw = node.get("class")
    if isinstance(raw, str):
        return raw.split()
    return [str(c) for c in raw or ()]

"""A page as a tree: parsed with lxml (html.parser when lxml is missing), with the
records a Hanweb list keeps in a `<script type="text/xml">` datastore put in the tree
where the script was, so that selectors see them like any other element."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import FeatureNotFound

RECORDS = "hub-records"  # the class of the element that holds a datastore's records
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)


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
        records = _RECORD.findall(script.string or "")
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


def text_of(node: Tag) -> str:
    return node.get_text(" ", strip=True)


def classes(node: Tag) -> list[str]:
    raw = node.get("class")
    if isinstance(raw, str):
        return raw.split()
    return [str(c) for c in raw or ()]

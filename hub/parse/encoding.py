"""Bytes of an HTML page -> text: override, HTTP charset, BOM, <meta charset>, detection;
owns charset_normalizer. GB2312/GBK labels are widened to GB18030, their superset.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes

_WIDER = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def normalize_label(label: str) -> str | None:
    """A codec name Python knows, widened where the declared one is a subset; or None."""
    name = label.strip().strip("\"'").lower()
    name = _WIDER.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def http_charset(headers: Mapping[str, str]) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", headers.get("content-type", ""), re.I)
    return normalize_label(match.group(1)) if match else None


def declared_in_document(content: bytes) -> str | None:
    head = content[:4096]
    match = _XML.search(head) or _META.search(head)
    return normalize_label(match.group(1).decode("ascii")) if match else None


def decode(content: bytes, headers: Mapping[str, str], override: str | None = None) -> str:
    """Decode a page: a source's `encoding:` override wins; otherwise the first witness
    (BOM, HTTP charset, in-document declaration) that decodes it cleanly, else detection."""
    forced = normalize_label(override) if override else None
    if forced:
        return content.decode(forced, errors="replace")
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace")
    for witness in (http_charset(headers), declared_in_document(content)):
        if witness:
            try:
                return content.decode(witness)
            except UnicodeDecodeError:
                continue  # the page lies about its charset: try the next witness
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(content[:65536]).best()
    detected = normalize_label(best.encoding) if best else None
    return content.decode(detected or "gb18030", errors="replace")

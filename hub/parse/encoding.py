"""Bytes of a page or feed -> text: override, BOM, HTTP charset, in-document declaration,
then detection, with mojibake caught; owns charset_normalizer. GB2312/GBK labels are
widened to GB18030, their superset.

A declared charset is a witness, not the truth: government sites send `charset=utf-8`
headers in front of GBK pages and the reverse. Every witness whose codec decodes the
bytes cleanly is a candidate, and a later witness wins only when its text is clearly
more plausible (a page of Chinese rather than Latin-1 debris).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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
    "latin1": "cp1252",
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
MOJIBAKE_MARGIN = 0.2  # how much more plausible a later witness must be to win
SAMPLE = 65536  # bytes looked at by detection and plausibility


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


def plausibility(text: str) -> float:
    """Among the non-ASCII characters, the share a Chinese government page is made of:
    common Han, CJK and full-width punctuation, general punctuation, spaces. Markup is
    ASCII and says nothing, so it is not counted. Mojibake scores low."""
    wide = [char for char in text if ord(char) >= 0x80]
    if not wide:
        return 1.0
    good = 0
    for char in wide:
        point = ord(char)
        if (
            0x4E00 <= point <= 0x9FFF
            or 0x3000 <= point <= 0x303F
            or 0xFF00 <= point <= 0xFFEF
            or 0x2000 <= point <= 0x206F
        ) or unicodedata.category(char).startswith("Z"):
            good += 1
    return good / len(wide)


def choose(content: bytes, headers: Mapping[str, str], override: str | None = None) -> str:
    """The codec to read these bytes with."""
    forced = normalize_label(override) if override else None
    if forced:
        return forced
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    witnesses = [http_charset(headers), declared_in_document(content), "utf-8"]
    sample = content[:SAMPLE]
    clean: list[tuple[str, float]] = []
    for name in dict.fromkeys(w for w in witnesses if w):
        try:
            # incremental, not final: a sample (or a truncated document) may end inside
            # a multi-byte character, which is not a lie of the witness
            text = codecs.getincrementaldecoder(name)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue  # this witness lies: the bytes are not in its charset
        clean.append((name, plausibility(text)))
    if clean:
        first, first_score = clean[0]
        best, best_score = max(clean, key=lambda c: c[1])
        return best if best_score > first_score + MOJIBAKE_MARGIN else first
    guess = from_bytes(sample).best()
    return (normalize_label(guess.encoding) if guess else None) or "gb18030"


def decode(content: bytes, headers: Mapping[str, str], override: str | None = None) -> str:
    """Decode a page by the codec `choose` picks; undecodable bytes become U+FFFD."""
    return content.decode(choose(content, headers, override), errors="replace")


_XML_DECLARED = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def as_utf8(
    content: bytes, headers: Mapping[str, str], override: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """The document re-encoded as UTF-8, with headers and XML declaration saying so, for
    a parser (feedparser) that would otherwise guess on its own: with whatever detector
    happens to be installed, or with Latin-1 when a truncated file ends mid-character."""
    text = decode(content, headers, override).lstrip("\ufeff")
    text = _XML_DECLARED.sub(r"\1\2utf-8\2", text, count=1)
    kind = headers.get("content-type", "").split(";")[0].strip() or "application/xml"
    return text.encode("utf-8"), {**headers, "content-type": f"{kind}; charset=utf-8"}

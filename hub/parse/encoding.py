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
from dataclasses import dataclass

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
TOLERATED_ERRORS = 4  # bytes a Chinese charset may fail to read and still be believed,
TOLERATED_SHARE = 0.01  # or this share of the characters beyond ASCII, if more
DETECTED = 5  # of the detector's guesses, how many are weighed
_CHINESE = ("gb18030", "utf-8", "big5hkscs")
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
    readings = [_read(name, sample) for name in dict.fromkeys(w for w in witnesses if w)]
    clean = [r for r in readings if r.errors == 0]
    if clean:
        first, best = clean[0], max(clean, key=lambda r: r.plausible)
        return best.name if best.plausible > first.plausible + MOJIBAKE_MARGIN else first.name
    # A Chinese charset that reads all but a few bytes (a title a CMS cut in the middle
    # of a character, a stray byte) is believed, the few bytes becoming U+FFFD.
    # Every Chinese charset is asked, declared or not: a GBK page with no declaration
    # may read as UTF-8 but for a few bytes, and as nonsense.
    declared = {r.name for r in readings}
    readings += [_read(name, sample) for name in _CHINESE if name not in declared]
    nearly = [r for r in readings if r.name in _CHINESE and r.errors <= _tolerated(r)]
    if nearly:
        return max(nearly, key=lambda r: (r.plausible, r.name in declared)).name
    return _detect(sample)


@dataclass(frozen=True)
class _Reading:
    name: str
    plausible: float  # `plausibility` of the text
    errors: int  # bytes the codec could not read
    wide: int  # characters beyond ASCII


def _read(name: str, sample: bytes) -> _Reading:
    # incremental, not final: a sample (or a truncated document) may end inside a
    # multi-byte character, which is not a lie of the witness
    text = codecs.getincrementaldecoder(name)(errors="replace").decode(sample, final=False)
    wide = sum(1 for char in text if ord(char) >= 0x80)
    return _Reading(name, plausibility(text), text.count("\ufffd"), wide)


def _tolerated(reading: _Reading) -> int:
    return max(TOLERATED_ERRORS, int(reading.wide * TOLERATED_SHARE))


def _detect(sample: bytes) -> str:
    """No witness reads the bytes: the detector's guesses and the Chinese charsets, the
    one whose text is most plausibly a Chinese page winning. A detector that reads a GBK
    page with a cut character as Thai or Cyrillic is outvoted by what the text says."""
    guesses = [match.encoding for match in from_bytes(sample)][:DETECTED]
    names = [n for n in dict.fromkeys([*guesses, *_CHINESE]) if normalize_label(n)]
    readings = [_read(normalize_label(n) or n, sample) for n in names]
    best = max(readings, key=lambda r: r.plausible - r.errors / max(1, r.wide), default=None)
    return best.name if best is not None else "gb18030"


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

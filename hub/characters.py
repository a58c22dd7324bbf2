"""Characters no text of hub's may hold: what XML 1.0 forbids (a feed or sitemap with one
is not XML at all), the controls no text means (escape sequences in a terminal), and
what reorders or hides what a title says. Stdlib only: the command line uses it."""

from __future__ import annotations

import re

# Never text, and what XML 1.0 forbids: C0 controls other than tab and line breaks, DEL
# and C1 controls, lone surrogates, and the noncharacters (U+FFFE, U+FFFF, U+FDD0..FDEF
# and the last two of every plane). A feed or sitemap carrying one is not XML at all.
_BMP = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
FORBIDDEN = re.compile(
    f"[{_BMP}" + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17)) + "]"
)
# The same, in two steps that are ten times faster on a page: a class of the first 65,536
# characters only, and the whole one where a character beyond them occurs at all.
_FORBIDDEN_BMP = re.compile(f"[{_BMP}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# Not shown, but they reorder or hide what is: bidirectional controls and zero-width
# characters in a title can make it read as something else (visual spoofing).
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]")


def printable(text: str) -> str:
    """`text` as a terminal or a log may show it: no control characters (no escape
    sequences), nothing invisible that reorders what is shown."""
    return INVISIBLE.sub("", FORBIDDEN.sub(" ", text))


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (nor the controls no text means):
    every page, feed and sitemap hub writes goes through it."""
    text = _FORBIDDEN_BMP.sub("", text)
    return FORBIDDEN.sub("", text) if _ASTRAL.search(text) else text

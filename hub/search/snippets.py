"""Which part of a post to show under a search hit, and where the query's words are in
it (pure). Matching is on folded text (`hub.text.fold_simplified`, one character for
one), so 旅遊 marks 旅游 and ＡＢＣ marks abc, and the marks fall on the original text."""

from __future__ import annotations

import html
from collections.abc import Iterable

from hub.models import Marked
from hub.text import fold_simplified

SNIPPET_CHARS = 120


def spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Where the needles occur in the text: sorted, not overlapping, longest first."""
    folded = fold_simplified(text)
    taken = [False] * len(text)
    found: list[tuple[int, int]] = []
    for needle in sorted({n for n in needles if n.strip()}, key=len, reverse=True):
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(taken[start:end]):
                found.append((start, end))
                taken[start:end] = [True] * (end - start)
            start = folded.find(needle, end)
    return sorted(found)


def mark(text: str, needles: Iterable[str]) -> Marked:
    """The whole text in pieces, each marked when it matches."""
    return _pieces(text, spans(text, needles), 0, len(text))


def snippet(text: str, needles: Iterable[str], size: int = SNIPPET_CHARS) -> Marked:
    """About `size` characters around the densest cluster of matches (most different
    needles, then most matches), else the opening; "…" where the text is cut."""
    flat = " ".join(text.split())
    found = spans(flat, needles)
    start = 0
    if found:
        folded = fold_simplified(flat)
        best = max(
            range(len(found)),
            key=lambda i: (
                len({folded[s:e] for s, e in found[i:] if e <= found[i][0] + size}),
                sum(1 for _, e in found[i:] if e <= found[i][0] + size),
                -i,
            ),
        )
        start = max(0, min(found[best][0] - size // 5, len(flat) - size))
    end = min(len(flat), start + size)
    pieces = list(_pieces(flat, found, start, end))
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(flat):
        pieces.append(("…", False))
    return tuple(pieces)


def _pieces(text: str, found: list[tuple[int, int]], start: int, end: int) -> Marked:
    pieces: list[tuple[str, bool]] = []
    at = start
    for found_start, found_end in found:
        s, e = max(found_start, start), min(found_end, end)
        if s >= e:
            continue
        if s > at:
            pieces.append((text[at:s], False))
        pieces.append((text[s:e], True))
        at = e
    if at < end:
        pieces.append((text[at:end], False))
    return tuple(pieces)


def marks(marked: Marked) -> bool:
    """Whether anything in it is marked."""
    return any(hit for _, hit in marked)


def plain(marked: Marked) -> str:
    return "".join(piece for piece, _ in marked)


def to_html(marked: Marked) -> str:
    """Escaped text with <mark> around the matches: safe to put in a page as it is."""
    return "".join(
        f"<mark>{html.escape(piece)}</mark>" if hit else html.escape(piece) for piece, hit in marked
    )

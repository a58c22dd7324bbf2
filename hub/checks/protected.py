"""Near misses of the county's protected terms. Pure.

- A term of three characters or more (a formulation, a title, an organ's name) written
  with characters that sound the same (乡村震兴 for 乡村振兴: same toneless pinyin), or,
  from four characters and for all but titles, with one character off (乡村振新). The
  near miss must stand as words do (`words.stands_alone`): 社会主义核心价值体系 holds
  社会主义核心价值体 one character off 社会主义核心价值观, but cut through 体系. And
  a character that differs must stand outside the dictionary's words (`_unworded`):
  农业生产 is two words, not a miss of 工业生产. A title one character off is another
  title (党委书记, 县委书记).
- A name, only where it stands next to a title (县长李名): written with characters
  that sound the same as a listed name, or with a title the list does not give that
  person (县委书记李华 where 李华 is 县长). A name one character off is usually another
  person, and a name alone in a text is too often an ordinary word (黎明 for 李明):
  neither is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import ne
from typing import Literal

from hub.checks.lists import Protected
from hub.checks.words import stands_alone
from hub.models import Finding, Severity
from hub.text import fold_simplified
from hub.text.keywords import Automaton
from hub.text.sounds import sound_alike
from hub.text.words import cut

Where = Literal["title", "text"]
# written before a title, they make it another one: 副县长 is not 县长, 原县长 is no longer
MODIFIERS = ("常务副", "常务", "副", "原", "前", "代理", "代")
MIN_SOUND = 3  # a shorter term by sound alone collides with ordinary words
MIN_ONE_OFF = 4  # a shorter term one character off is another word


class ProtectedMatcher:
    def __init__(self, terms: Sequence[Protected], severity: Severity) -> None:
        self.severity = severity
        self._exact = {fold_simplified(t.term) for t in terms}
        self._titles_of = {fold_simplified(t.term): t.titles for t in terms if t.titles}
        titles = {fold_simplified(x) for t in terms for x in t.titles}
        self._exact |= titles
        plain = sorted({fold_simplified(t.term) for t in terms if not t.titles} | titles)
        self._long = [t for t in plain if len(t) >= MIN_SOUND]
        self._sounds = Automaton([sound_alike(t) for t in self._long])
        # one character off: with one character changed, one half of the term is found
        # as it is; each half's hit is checked against the other half
        self._pieces: list[tuple[str, int, int, int, str]] = []  # term, at, other half
        pieces: list[str] = []
        for term in (t for t in self._long if len(t) >= MIN_ONE_OFF and t not in titles):
            half = len(term) // 2
            pieces += [term[:half], term[half:]]
            self._pieces.append((term, 0, half, len(term), term[half:]))
            self._pieces.append((term, half, 0, half, term[:half]))
        self._halves = Automaton(pieces)
        self._titles = sorted(titles)
        self._title_machine = Automaton(self._titles)
        self._names = sorted(self._titles_of)
        self._name_sounds: dict[str, list[str]] = {}
        for name in self._names:
            self._name_sounds.setdefault(sound_alike(name), []).append(name)
        self._name_lengths = sorted({len(n) for n in self._names})

    def find(self, text: str, folded: str, where: Where) -> Iterator[Finding]:
        """`folded`: `text` as `hub.text.fold_simplified` gives it."""
        seen: set[str] = set()  # one finding for each text found: the first
        for found in (*self._terms(text, folded, where), *self._people(text, folded, where)):
            if found.text not in seen:
                seen.add(found.text)
                yield found

    def _near(self, text: str, start: int, term: str, where: Where, why: str) -> Finding:
        return Finding(
            "protected", text[start : start + len(term)], self.severity, term, where, start, why
        )

    def _terms(self, text: str, folded: str, where: Where) -> Iterator[Finding]:
        sounds = sound_alike(folded)
        for index, start, end in self._sounds.find(sounds):
            term = self._long[index]
            window = folded[start:end]
            if (
                window != term
                and window not in self._exact
                and stands_alone(folded, start, end)
                and _unworded(window, term)
            ):
                yield self._near(text, start, term, where, "same sound, other characters")
        for index, start, _ in self._halves.find(folded):
            term, at, other_start, other_end, other = self._pieces[index]
            begin = start - at
            found = folded[begin + other_start : begin + other_end]
            # the other half one character off (a C loop: most hits differ in more)
            if begin < 0 or len(found) != len(other) or sum(map(ne, found, other)) != 1:
                continue
            window = folded[begin : begin + len(term)]
            if (
                window not in self._exact
                and _han(window)
                and stands_alone(folded, begin, begin + len(term))
                and _unworded(window, term)
            ):
                yield self._near(text, begin, term, where, "one character off")

    def _people(self, text: str, folded: str, where: Where) -> Iterator[Finding]:
        ends: dict[int, str] = {}  # the longest title ending at each offset
        starts: dict[int, str] = {}  # and starting at each
        for index, start, end in self._title_machine.find(folded):
            title = self._titles[index]
            if len(title) > len(ends.get(end, "")):
                ends[end] = title
            if len(title) > len(starts.get(start, "")):
                starts[start] = title
        for at, listed in ends.items():  # 县长李华, 副县长李华
            begins = at - len(listed)
            written = next(
                (m + listed for m in MODIFIERS if folded[max(0, begins - len(m)) : begins] == m),
                listed,
            )
            for size in self._name_lengths:
                yield from self._person(text, folded, (at, at + size), written, where)
        for at, title in starts.items():  # 李华县长
            for size in self._name_lengths:
                if at - size >= 0:
                    yield from self._person(text, folded, (at - size, at), title, where)

    def _person(
        self, text: str, folded: str, span: tuple[int, int], title: str, where: Where
    ) -> Iterator[Finding]:
        start, end = span
        window = folded[start:end]
        if len(window) != end - start or not _han(window):
            return
        if window in self._titles_of:
            titles = self._titles_of[window]
            if title not in titles:
                yield Finding(
                    "protected",
                    text[start:end],
                    self.severity,
                    f"{'、'.join(titles)}{window}",
                    where,
                    start,
                    f"listed as {'、'.join(titles)}, written next to {title}",
                )
            return
        for name in self._name_sounds.get(sound_alike(window), ()):
            yield self._near(text, start, name, where, f"next to {title}: same sound as a name")


def _han(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _unworded(window: str, term: str) -> bool:
    """Whether a character where `window` differs from `term` stands outside any word
    of the dictionary: 乡村振新 (乡村|振|新) is a miss of 乡村振兴, 农业生产 (农业|生产)
    is other words, not a miss of 工业生产."""
    at = 0
    for word in cut(window, guess=False):
        if len(word) == 1 and window[at] != term[at]:
            return True
        at += len(word)
    return False

"""What to suggest when a query finds nothing.

Most Chinese typing errors are homophones picked from the input method's list (防训 for
防汛: both fang xun), and some residents type the pinyin itself (fangxun). So each
generation of the index keeps its title words and department names by their toneless
pinyin (`suggest.json`), and a word the index does not know is offered the commonest
word that sounds the same; department names are also matched by resemblance."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hub.errors import SearchError
from hub.search.analysis import is_han
from hub.search.synonyms import BUILTIN, Synonyms
from hub.text.sounds import pinyin

FILE = "suggest.json"
MIN_RESEMBLANCE = 0.75  # difflib's ratio between two names' cores of 4 characters or more
_LETTERS = re.compile(r"^[a-z]+$")


@dataclass
class Vocabulary:
    """Words worth suggesting, and how to find them by sound."""

    words: dict[str, tuple[str, int]] = field(default_factory=dict)  # word: (pinyin, docs)
    departments: list[str] = field(default_factory=list)
    _by_sound: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for word, (sound, _) in self.words.items():
            self._by_sound.setdefault(sound, []).append(word)
        for words in self._by_sound.values():
            words.sort(key=lambda w: -self.words[w][1])

    @classmethod
    def build(
        cls, words: Iterable[tuple[str, int]], departments: Iterable[str], known: Vocabulary
    ) -> Vocabulary:
        """From the index's title words (with their document counts); sounds already
        worked out in `known` are reused."""
        table: dict[str, tuple[str, int]] = {}
        for word, docs in words:
            if len(word) < 2 or not is_han(word):
                continue
            sound = known.words[word][0] if word in known.words else pinyin(word)
            table[word] = (sound, docs)
        names = sorted(set(departments))
        for name in names:
            if name not in table:
                table[name] = (pinyin(name), 1)
        return cls(table, names)

    def alternatives(self, word: str) -> list[str]:
        """Known words that sound like `word` (or are spelt by it, if it is pinyin)."""
        if word in self.words:
            return []
        sound = word if _LETTERS.match(word) else pinyin(word)
        return list(self._by_sound.get(sound, []))

    def departments_like(self, text: str, names: Synonyms = BUILTIN) -> list[str]:
        """Department names close to `text`, the closest first. Names are compared
        without their place and body word, which every name shares (县教育局 and 县审计局
        were 0.6 alike as wholes, in writing and in sound): the same body by another of
        its names (县卫健局: 县卫生健康委员会), the pinyin of a name typed, the same sound,
        one character off in three or more, or four or more mostly alike (人力资源社保局)."""
        typed = names.core(text)
        letters = bool(_LETTERS.match(text))
        scored = []
        for name in self.departments:
            theirs = names.core(name)
            if name == text:
                continue
            if typed.stems & theirs.stems:
                closeness = 4.0
            elif letters:
                spelt = {self.words[name][0], *(_sound(s) for s in theirs.names)}
                closeness = 3.0 if text in spelt else 0.0
            else:
                # against what the name says and its own short forms (卫建: 卫健), not
                # every stem of its kind (税务 sounds like 水务, another name of 水利)
                closeness = max(_alike(typed.written, n) for n in theirs.names)
            if closeness:
                scored.append((closeness, name))
        return [name for _, name in sorted(scored, reverse=True)]

    def save(self, folder: Path) -> None:
        """Written beside, then renamed over the old: readers get one or the other."""
        payload = {"words": self.words, "departments": self.departments}
        temporary = folder / f".{FILE}.{os.getpid()}"
        temporary.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        temporary.replace(folder / FILE)


def _alike(typed: str, theirs: str) -> float:
    """How close two names' cores are: the same sound, one character off (in three
    characters or more: 税务 and 商务 are two bodies), or mostly alike in four or more;
    0.0 for none of these."""
    if _sound(typed) == _sound(theirs):
        return 3.0
    if min(len(typed), len(theirs)) >= 3 and one_edit(typed, theirs):
        return 2.0
    if min(len(typed), len(theirs)) >= 4:
        ratio = difflib.SequenceMatcher(None, typed, theirs).ratio()
        return ratio if ratio >= MIN_RESEMBLANCE else 0.0
    return 0.0


@lru_cache(maxsize=4096)
def _sound(word: str) -> str:
    return pinyin(word)


def one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one insertion, deletion, substitution or swap
    of neighbours (Damerau-Levenshtein distance 1, whoosh's corrector's measure)."""
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return a[start:] == b[start + 1 :]
    rest = start + 1
    if a[rest:] == b[rest:]:
        return True
    swapped = a[start : start + 2] == b[start : start + 2][::-1]
    return swapped and a[start + 2 :] == b[start + 2 :]


def load(folder: Path | None) -> Vocabulary:
    """The vocabulary kept with a generation of the index (empty if it has none)."""
    if folder is None or not (folder / FILE).exists():
        return Vocabulary()
    stat = (folder / FILE).stat()
    return _load(folder / FILE, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, size: int) -> Vocabulary:  # the stamp keys the cache
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        words = {w: (str(s), int(n)) for w, (s, n) in payload["words"].items()}
        return Vocabulary(words, [str(d) for d in payload["departments"]])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchError(f"the suggestions in {path} are unreadable: {exc}") from exc

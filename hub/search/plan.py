"""What a parsed query asks of the index, for either engine (pure): which posts match
and what lifts them, as a small tree each engine translates to its own queries node by
node, so both match the same posts and rank them by the same parts.

What matches is decided in one field, `grams` (every character pair of the title,
department, text and attachments), by intersecting posting lists. What ranks — the
clause in the title, the department's words, the pairs between the typed words — is
asked only of the posts that match (`Maybe`), and not at all when only whether anything
matches counts (`scored` False)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hub.search import analysis
from hub.search.query import Clause, Parsed

# Boosts apply at query time: at index time whoosh multiplies term frequencies, which
# BM25 then saturates.
TITLE_BOOST = 3.0  # the clause in the title
DEPARTMENT_BOOST = 2.0  # the clause's words in the department's name


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Pairs:
    """Posts whose field has all these character pairs (in this order, when `ordered`:
    a substring). A lone Han character: one standing alone, or the first of a pair."""

    field: str
    grams: tuple[str, ...]
    ordered: bool = False
    boost: float = 1.0

    @property
    def lone(self) -> str:
        """The lone Han character asked for, or ''."""
        one = len(self.grams) == 1 and len(self.grams[0]) == 1
        return self.grams[0] if one and analysis.is_han(self.grams[0]) else ""


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Maybe:
    """What `required` matches, lifted by what `optional` also matches."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Without:
    required: Node
    excluded: Node


Node = Term | Pairs | AllOf | AnyOf | Maybe | Without


def plan(parsed: Parsed, *, scored: bool = True) -> Node:
    clause = _clause if scored else _match
    required = AllOf(tuple(AnyOf(tuple(clause(c) for c in group)) for group in parsed.required))
    if parsed.excluded:
        return Without(required, AnyOf(tuple(_match(c) for c in parsed.excluded)))
    return required


def _clause(clause: Clause) -> Node:
    bonus = (node for text in clause.texts for node in _bonus(replace(clause, text=text)))
    return Maybe(_match(clause), AnyOf(tuple(dict.fromkeys(bonus))))


def _match(clause: Clause) -> Node:
    """A clause with other names (a body's, `hub.search.synonyms`) matches any of them;
    each lifts what it matches as the name typed would."""
    if not clause.alternatives:
        return _one(clause)
    return AnyOf(tuple(_one(Clause(text, clause.phrase)) for text in clause.texts))


def _one(clause: Clause) -> Node:
    """A phrase: its characters in that order. A word: the character pairs of each of
    its words (生态环境保护 finds 保护生态环境). Order is checked for phrases only:
    whoosh checks it post by post in Python (it doubled query time), and a Chinese
    text that has every pair of a word but not the word is rare."""
    if clause.phrase:
        return Pairs("grams", _grams(clause.text), ordered=True)
    return Pairs("grams", tuple(g for word in _words(clause) for g in _grams(word)))


def _bonus(clause: Clause) -> tuple[Node, ...]:
    """What lifts a match: the clause in the title, its words among the department's
    name's words, and all its pairs (the words as typed, side by side)."""
    grams = _grams(clause.text)
    found: list[Node] = [Pairs("title_grams", grams, ordered=clause.phrase, boost=TITLE_BOOST)]
    if clause.phrase:
        return tuple(found)
    words = _words(clause)
    found += [Term("department", word, boost=DEPARTMENT_BOOST) for word in words]
    between = set(grams) - {g for w in words for g in _grams(w)}
    if between:
        found.append(AllOf(tuple(Term("grams", g) for g in sorted(between))))
    return tuple(found)


def _words(clause: Clause) -> list[str]:
    """The typed words, without lone characters (县 of 县纪委监委) when longer words
    carry them: as a prefix of every pair it begins, a lone character is the costliest
    query there is, and it adds nothing the longer words do not."""
    words = list(dict.fromkeys(analysis.query_words(clause.text)))
    return [w for w in words if len(w) > 1] or [clause.text]


def _grams(text: str) -> tuple[str, ...]:
    return tuple(g for g, _, _ in analysis.grams(text))

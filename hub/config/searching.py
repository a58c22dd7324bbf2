"""The `search:` section of channels.yaml and the names residents search by: the engine,
the county's synonym groups and the type of a source's `aliases:` (docs/search.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from hub.config.types import Model, as_tuple, one_or_many
from hub.models import DEFAULT_ENGINE, SearchEngine

MAX_WORD = 40  # characters of a name: a department's full name is rarely half that


def check_word(value: str) -> str:
    """A name as residents type it: one word of two characters or more (a lone character
    would stand for a body inside every word that has it; a space makes two clauses)."""
    word = value.strip()
    if len(word) < 2 or len(word) > MAX_WORD:
        raise ValueError(f"a name is 2 to {MAX_WORD} characters, not {value!r}")
    if len(word.split()) > 1:
        raise ValueError(f"a name is one word, without spaces: {value!r}")
    return word


Word = Annotated[str, AfterValidator(check_word)]
Words = Annotated[tuple[Word, ...], BeforeValidator(one_or_many)]


def check_group(value: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(value)) < 2:
        raise ValueError(f"a group needs two different words, not {list(value)}")
    return value


Group = Annotated[
    tuple[Word, ...], BeforeValidator(as_tuple), Field(min_length=2), AfterValidator(check_group)
]


class Search(Model):
    """The search index (docs/search.md: which engine for what size) and the county's own
    synonyms, added to hub's table of short names at query time."""

    engine: SearchEngine = DEFAULT_ENGINE  # a change rebuilds the index at the next publish
    # words that name one body alike ([卫健, 卫生健康]), each alone or before 局, 委…
    synonyms: Annotated[tuple[Group, ...], BeforeValidator(as_tuple)] = ()

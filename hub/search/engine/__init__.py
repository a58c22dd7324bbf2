"""The search index: its files on disk (`index`, watched over by `files`) and the
queries over it (`queries`); whoosh is imported here and nowhere else in hub."""

from hub.search.engine.files import is_damage
from hub.search.engine.index import (
    SCHEMA_VERSION,
    open_index,
    rebuild,
    schema,
    title_terms,
    update,
)
from hub.search.engine.queries import Row, Searcher, compile_query

__all__ = [
    "SCHEMA_VERSION",
    "Row",
    "Searcher",
    "compile_query",
    "is_damage",
    "open_index",
    "rebuild",
    "schema",
    "title_terms",
    "update",
]

"""The whoosh search index: its files on disk (`index`, watched over by
`hub.search.files`) and the queries over it (`queries`); whoosh is imported here and
nowhere else in hub."""

from hub.search.document import Row
from hub.search.engine.index import (
    SCHEMA_VERSION,
    count,
    open_index,
    rebuild,
    schema,
    title_terms,
    update,
)
from hub.search.engine.queries import Searcher, compile_query
from hub.search.files import is_damage

__all__ = [
    "SCHEMA_VERSION",
    "Row",
    "Searcher",
    "compile_query",
    "count",
    "is_damage",
    "open_index",
    "rebuild",
    "schema",
    "title_terms",
    "update",
]

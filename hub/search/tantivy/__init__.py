"""The tantivy search index, beside whoosh's (`hub.search.engine`) with the same
interface: its files on disk (`index`) and the queries over it (`queries`); tantivy is
imported here and nowhere else in hub, and only when an index of this engine is
written or read."""

from hub.search.tantivy.index import (
    SCHEMA_VERSION,
    count,
    open_index,
    rebuild,
    schema,
    title_terms,
    update,
)
from hub.search.tantivy.queries import Searcher, compile_query


def is_damage(exc: Exception) -> bool:
    """Never: this engine turns what tantivy raises reading its files into a SearchError
    where it calls it."""
    return False


__all__ = [
    "SCHEMA_VERSION",
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

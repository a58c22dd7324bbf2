"""The two engines behind one interface, and which one a generation of the index was
written by (no engine imported until one is asked for: tantivy loads only for a tantivy
index, so `hub check` and the like load neither).

Each generation writes its engine's schema version last (`hub-schema`): whoosh's a
number, tantivy's `tantivy-N`. Readers follow the live generation's engine, so a server
started before `search.engine` changed keeps answering, before the swap and after it;
writers use the configured engine, and a live generation of the other is rebuilt."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

from hub import generations
from hub.models import SEARCH_ENGINES, SearchEngine
from hub.search.document import Document, Row, UpdateResult
from hub.search.query import Parsed, Request

MODULES: dict[SearchEngine, str] = {"whoosh": "hub.search.engine", "tantivy": "hub.search.tantivy"}
After = Callable[[Path, Any], None]  # (the generation, the engine's index): its vocabulary


class Finder(Protocol):
    """One consistent view of an index for the length of a query."""

    generation: Path | None

    def __enter__(self) -> Finder: ...
    def __exit__(self, *_: object) -> None: ...
    def search(self, parsed: Parsed, request: Request) -> tuple[int, list[Row]]: ...
    def finds(self, parsed: Parsed, request: Request) -> bool: ...
    def similar_title_words(self, word: str, limit: int = 3) -> list[str]: ...


class Engine(Protocol):
    """What `hub.search.engine` (whoosh) and `hub.search.tantivy` both offer."""

    @property
    def SCHEMA_VERSION(self) -> str: ...  # noqa: N802 (the modules' constant)
    @property
    def Searcher(self) -> Callable[[Path], Finder]: ...  # noqa: N802 (the modules' class)

    def update(self, folder: Path, documents: Iterable[Document], after: After) -> UpdateResult: ...
    def rebuild(
        self, folder: Path, documents: Iterable[Document], after: After
    ) -> UpdateResult: ...
    def count(self, folder: Path) -> int: ...
    def title_terms(self, index: Any) -> Iterator[tuple[str, int]]: ...
    def is_damage(self, exc: Exception) -> bool: ...


def pick(name: SearchEngine) -> Engine:
    if name not in SEARCH_ENGINES:
        raise ValueError(f"no search engine {name!r}")
    return cast(Engine, importlib.import_module(MODULES[name]))


def recorded(folder: Path) -> SearchEngine | None:
    """The engine that wrote the live generation (None before the first)."""
    current = generations.current(folder / "current")
    if current is None:
        return None
    try:
        version = (current / "hub-schema").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return "tantivy" if version.startswith("tantivy-") else "whoosh"

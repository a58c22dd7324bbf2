"""A site's project: its validated channels.yaml, its database, its writer lock, the
identity its crawls announce, and the health of its sources."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hub import __version__, parse
from hub import config as config_module
from hub.config import Config, Source
from hub.errors import ConfigError, StoreError
from hub.models import SourceState
from hub.pipeline import checking, runs
from hub.route import pattern_problems

if TYPE_CHECKING:
    from hub.store import Store


def load(path: Path) -> Config:
    """channels.yaml, validated down to the CSS selectors of every source and the
    regular expressions of every rule."""
    return checked(config_module.load(path))


def loads(text: str, path: Path) -> Config:
    """channels.yaml text, as `load` would find it at `path` (the desk's preview)."""
    return checked(config_module.loads(text, path))


def checked(loaded: Config) -> Config:
    errors = [
        loaded.error(("sources", i, "page", key), message)
        for i, source in enumerate(loaded.sources)
        for key, message in parse.check_source(source)
    ]
    errors += [loaded.error(where, message) for where, message in pattern_problems(loaded.channels)]
    errors += checking.list_problems(loaded)
    if errors:
        raise ConfigError.combine(errors)
    return loaded


@contextmanager
def writer_lock(config: Config, wait: float = 0.0, *, shared: bool = False) -> Iterator[None]:
    """One writer per site (`runs.writer_lock`)."""
    with runs.writer_lock(config, wait, shared=shared):
        yield


@contextmanager
def crawl_lock(config: Config, wait: float = 0.0) -> Iterator[None]:
    """The writer lock, unless crawlers share the database (`runs.crawl_lock`)."""
    with runs.crawl_lock(config, wait):
        yield


def open_store(config: Config) -> Store:
    """The site's database: the SQLite file in data/, or the one `store.url` or
    HUB_STORE_URL names."""
    from hub.store import Store  # noqa: PLC0415 (SQLAlchemy only for commands with a database)

    url = runs.store_url(config)
    if _default(config, url):
        return Store.sqlite(config.database)
    try:  # the other files of a site's data (routing, reprints, keys) live there still
        config.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {config.data_dir}: {exc}") from exc
    return Store(url)


def existing_store(config: Config) -> Store | None:
    """The site's database if it has one: commands that only read never create it (the
    SQLite file, or a server's tables)."""
    url = runs.store_url(config)
    if _default(config, url):  # known without SQLAlchemy (`hub check` stays light)
        return open_store(config) if config.database.exists() else None
    from hub.store import Store  # noqa: PLC0415

    return open_store(config) if Store.exists(url) else None


def _default(config: Config, url: str) -> bool:
    return url == f"sqlite:///{config.database}"


def user_agent(config: Config) -> str:
    return config.fetch.user_agent or f"hub/{__version__} (+{config.site.base_url})"


def status(config: Config, store: Store) -> list[tuple[Source, SourceState]]:
    """Every configured source with what hub knows of its health, in config order."""
    states = store.states()
    return [(s, states.get(s.id, SourceState(s.id))) for s in config.sources]


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is edited, or replaced by an editor's rename: how the
    scheduler and the desk notice an edited channels.yaml."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)

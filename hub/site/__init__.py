"""Routed posts -> the static portal (pages, feeds, sitemap), published atomically."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from hub.config import Config
from hub.models import Results
from hub.site.files import BuildFiles
from hub.site.pages import Edition, Plan
from hub.site.publish import current_build
from hub.site.publish import staged as publish_staged
from hub.site.render import Renderer, theme_dir
from hub.site.report import report_page
from hub.site.services import service_path
from hub.site.views import copy_path, post_path, search_context

__all__ = [
    "BuildResult",
    "Edition",
    "SearchPage",
    "build",
    "current_build",
    "post_path",
    "report_page",
    "service_path",
    "staged",
    "theme_dir",
]


MANIFEST = ".manifest.json"  # in each build: file -> the key it was made from


@dataclass(frozen=True)
class BuildResult:
    folder: Path  # the build the site now points to
    pages: int  # files in the build, static assets included
    written: int  # files rendered and written by this publish; the rest were kept
    shown: frozenset[str] = frozenset()  # the sections its navigation lists


def build(edition: Edition, *, full: bool = False) -> BuildResult:
    """Render the portal into a new folder and switch the site to it (`staged`, with
    nothing to do in between)."""
    with staged(edition, full=full) as result:
        pass
    return result


@contextmanager
def staged(edition: Edition, *, full: bool = False) -> Iterator[BuildResult]:
    """Render the edition into a new folder, run the body — what must succeed before
    readers see the new build, such as the search index — then switch the site to it.
    If anything fails first (a full disk), the new build is removed and readers keep
    the previous one. A page whose key (what it is made from, with the templates and
    settings) is the one the live build recorded is linked from there instead of
    rendered again, unless `full`."""
    config, now = edition.config, edition.now
    plan = Plan(edition)
    renderer = Renderer(config, plan.shown)
    counts = {"pages": 0, "written": 0}

    def write(folder: Path, previous: Path | None) -> None:
        old = {} if full or previous is None else _manifest(previous)
        if not next(iter(old.values()), "").startswith(f"{renderer.digest}:"):
            old = {}  # other templates or settings: every page is made anew
        keys: dict[str, str] = {}
        with BuildFiles(folder, previous, old) as files:
            for file, own_key, produce in _outputs(plan, renderer, edition.extra, now):
                keys[file] = key = f"{renderer.digest}:{own_key}"
                if old.get(file) == key:
                    files.keep(file, produce)
                else:
                    files.write(file, produce())
            for file, (source, digest) in _linked(edition).items():
                keys[file] = key = f"{renderer.digest}:{digest}"
                if old.get(file) == key:
                    files.keep_link(file, source)
                else:
                    files.link(file, source)
            files.finish([file for file in old if file not in keys])
            counts["written"] = files.written
            for relative, source in renderer.static_files():
                files.copy(relative, source)
                counts["pages"] += 1
            files.write(MANIFEST, json.dumps(keys, ensure_ascii=False))
        counts["pages"] += len(keys)
        _MANIFESTS.clear()
        _MANIFESTS[folder] = keys

    with publish_staged(config.site_dir, config.data_dir / "builds", now, write) as folder:
        yield BuildResult(folder, counts["pages"], counts["written"], frozenset(plan.shown))


def _outputs(
    plan: Plan, renderer: Renderer, extra: Mapping[str, str], now: datetime
) -> Iterator[tuple[str, str, Callable[[], str]]]:
    """(file, key, how to make it) for every page and extra file of the portal."""
    for page in plan.pages():
        yield page.file, page.key, partial(renderer.render, page.template, page.context, now)
    for file, text in extra.items():
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        yield file, key, partial(str, text)


def _linked(edition: Edition) -> dict[str, tuple[Path, str]]:
    """The copies of the shown posts' attachments the build links: its file (under f/)
    -> (the copy kept in data/files, its digest)."""
    return {copy_path(source): (source, digest) for source, digest in edition.copies.values()}


def _manifest(build: Path) -> dict[str, str]:
    """The keys a build's files were made from (remembered from the build this process
    wrote last, which is most often the live one)."""
    known = _MANIFESTS.get(build)
    if known is not None:
        return known
    try:
        loaded = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # an older or damaged build: render everything
    return loaded if isinstance(loaded, dict) else {}


_MANIFESTS: dict[Path, dict[str, str]] = {}  # the last build this process wrote


class SearchPage:
    """Renders search results with the portal's templates (for `hub serve`)."""

    def __init__(self, config: Config, shown: Collection[str] | None = None) -> None:
        """`shown`: the sections the live portal lists (`Plan.shown`)."""
        self._config = config
        self._renderer = Renderer(config, shown)  # compiled templates, reused across requests

    def render(
        self, form: Mapping[str, str], results: Results | None, now: datetime, error: str = ""
    ) -> str:
        """`form`: the request as typed; `results` None before anything is asked."""
        context = search_context(self._config, form, results, error)
        return self._renderer.render("search.html", context, now)

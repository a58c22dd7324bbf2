"""Routed posts -> the static portal (pages, feeds, sitemap), published atomically."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub.config import Config
from hub.errors import BuildError
from hub.models import Hit, Routed, SourceState
from hub.site.pages import Plan, post_path
from hub.site.publish import current_build, publish
from hub.site.render import Renderer, theme_dir

__all__ = ["BuildResult", "SearchPage", "build", "current_build", "post_path", "theme_dir"]


@dataclass(frozen=True)
class BuildResult:
    folder: Path  # the build the site now points to
    pages: int  # files written, static assets included


def build(
    config: Config,
    routed: Sequence[Routed],
    states: Mapping[str, SourceState],
    now: datetime,
    canonical_of: Mapping[str, str] | None = None,
) -> BuildResult:
    """Render every page into a new folder and switch the site to it. `canonical_of`
    maps reprints to their original, shown once in lists with "also published by"."""
    renderer = Renderer(config)
    plan = Plan(config, routed, states, now, canonical_of)
    written = 0

    def write(folder: Path) -> None:
        nonlocal written
        made: set[Path] = set()
        for page in plan.pages():
            target = folder / page.file
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            _write(target, renderer.render(page.template, page.context, now))
            written += 1
        for relative, source in renderer.static_files():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written += 1

    folder = publish(config.site_dir, config.data_dir / "builds", now, write)
    return BuildResult(folder, written)


class SearchPage:
    """Renders search results with the portal's templates (for `hub serve`)."""

    def __init__(self, config: Config) -> None:
        self._renderer = Renderer(config)  # compiled templates are reused across requests

    def render(
        self, query: str, hits: Sequence[Hit] | None, total: int, now: datetime, error: str = ""
    ) -> str:
        return self._renderer.render(
            "search.html", {"query": query, "hits": hits, "total": total, "error": error}, now
        )


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot write {path}: {exc}") from exc

"""Atomic publishing: build into a fresh folder, then swap the `site` symlink to it in one
rename, so readers see the old site or the new one, never a half-written mix.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from hub.errors import BuildError


def publish(
    site: Path, builds: Path, now: datetime, write: Callable[[Path, Path | None], None]
) -> Path:
    """Call `write(folder, previous)` on a new build folder, then make `site` point to it.
    `previous` is the build readers see now (None before the first publish); it is kept,
    with the new one, for readers still in the middle of it."""
    previous = current_build(site)
    try:
        builds.mkdir(parents=True, exist_ok=True)
        folder = builds / f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        folder.mkdir()
    except OSError as exc:
        raise BuildError(f"cannot create a build folder in {builds}: {exc}") from exc
    try:
        write(folder, previous)
        _swap(site, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(builds, keep={folder, previous})
    return folder


def _swap(site: Path, folder: Path) -> None:
    try:
        if site.exists() and not site.is_symlink():
            # A real folder from elsewhere: keep it as an old build, then link.
            site.rename(folder.parent / f"adopted-{folder.name}")
        temporary = site.with_name(f".{site.name}.{secrets.token_hex(4)}")
        temporary.symlink_to(os.path.relpath(folder, site.parent), target_is_directory=True)
        temporary.replace(site)  # rename(2) replaces the old link atomically
    except OSError as exc:
        raise BuildError(f"cannot switch {site} to the new build: {exc}") from exc


def _prune(builds: Path, keep: set[Path | None]) -> None:
    """Remove every build but the live one and the one before it, including folders a
    publish killed half-way left behind."""
    for path in builds.iterdir():
        if path.is_dir() and path not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_build(site: Path) -> Path | None:
    """The folder the site points to, or None before the first publish."""
    return site.resolve() if site.exists() else None

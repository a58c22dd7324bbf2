"""Atomic publishing of the portal: each build goes into data/builds/<id>, then the `site`
symlink swaps to it in one rename (`hub.generations`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from hub import generations
from hub.errors import BuildError


def publish(
    site: Path, builds: Path, now: datetime, write: Callable[[Path, Path | None], None]
) -> Path:
    """Call `write(folder, previous)` on a new build folder, then make `site` point to it;
    the build readers saw until now is kept for those still in the middle of it."""
    return generations.publish(site, builds, f"{now:%Y%m%dT%H%M%S}", write, BuildError)


@contextmanager
def staged(
    site: Path, builds: Path, now: datetime, write: Callable[[Path, Path | None], None]
) -> Iterator[Path]:
    """A new build written, then the body, then the switch (`generations.staged`)."""
    with generations.staged(site, builds, f"{now:%Y%m%dT%H%M%S}", write, BuildError) as folder:
        yield folder


def current_build(site: Path) -> Path | None:
    """The folder the site points to, or None before the first publish."""
    return generations.current(site)

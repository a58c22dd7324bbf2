"""A candidate channels.yaml, tried before it is saved: what it would move (the route
diff) and the portal it would publish, built into a folder of its own, never the live
site. Nothing here writes to the database, the live site, the index or the trace."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hub import site
from hub.config import Config
from hub.errors import ConfigError
from hub.models import Routed
from hub.pipeline import editorial
from hub.pipeline.project import loads
from hub.pipeline.publishing import find_reprints
from hub.pipeline.routing import services, settle

if TYPE_CHECKING:
    from hub.store import Store


@dataclass(frozen=True)
class Preview:
    candidate: Config
    diff: editorial.RouteDiff
    site_dir: Path | None  # the portal it would publish, when built


def try_rules(
    live: Config, text: str, store: Store, now: datetime, build: tuple[Path, str] | None = None
) -> Preview:
    """Validate `text` as the live channels.yaml would be (a ConfigError names the line
    of each mistake), list what it would move, and with `build` = (folder, the address
    the folder is served at) build the portal it would publish into that folder."""
    candidate = loads(text, live.path)
    decisions = store.desk.decisions()

    def routed() -> list[Routed]:
        return settle(candidate, store, now, decisions=decisions).shown

    diff = editorial.route_diff(candidate, store, routed, now)
    if build is None:
        return Preview(candidate, diff, None)
    folder, address = build
    shown = routed()
    settings = candidate.site.model_copy(update={"base_url": address})
    staged = Config(
        candidate.document.model_copy(update={"site": settings}), folder / live.path.name
    )
    own = live.templates_dir
    if own.is_dir() and not staged.templates_dir.exists():
        staged.templates_dir.symlink_to(own)  # the site's own templates, as published
    edition = site.Edition(
        staged,
        shown,
        store.states(),
        now,
        canonical_of=find_reprints(candidate, shown, decisions),
        lead=store.desk.setting("lead"),
        services=services(candidate, store, now, decisions),
    )
    site.build(edition, full=True)
    return Preview(candidate, diff, staged.site_dir)


def _keep(path: Path, text: str, now: datetime) -> Path:
    """The previous file, under a name no earlier save took (two saves in one second)."""
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        kept = path.with_name(f"{path.name}.{now:%Y%m%d-%H%M%S}{suffix}.bak")
        try:
            with kept.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        return kept
    raise OSError(f"no free name to keep {path.name} under")


def restore_rules(live: Config, kept: str) -> None:
    """Put the kept file back (a save whose record could not be written)."""
    (live.path.parent / kept).replace(live.path)


def save_rules(live: Config, text: str, now: datetime) -> tuple[str, str]:
    """Replace channels.yaml with `text` (valid: `try_rules` first), keeping the previous
    file beside it; (the kept file's name, a unified diff of the change)."""
    path = live.path
    loads(text, path)  # refuses a file with a mistake, whatever the caller checked
    try:
        before = path.read_text(encoding="utf-8")
        kept = _keep(path, before, now)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise ConfigError(f"cannot save {path}: {exc}") from exc
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=kept.name,
            tofile=path.name,
        )
    )
    return kept.name, diff

"""The routing of the last publish, kept beside the database so `hub explain` answers for
the site as published and `hub route --diff` compares an edited channels.yaml with it."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.errors import BuildError
from hub.models import Condition, Placement, Routed

FILE = "routing.json"

log = logging.getLogger("hub.pipeline")


@dataclass(frozen=True)
class Trace:
    """Where each published post went, and why."""

    published_at: datetime | None
    placements: dict[str, dict[str, Placement]]  # post id -> slug -> placement
    pinned: dict[str, tuple[str, ...]]  # post id -> slugs where it is pinned
    shown: frozenset[str] | None = None  # the sections the portal lists (None: unknown)

    def channels(self, post_id: str) -> tuple[str, ...]:
        return tuple(self.placements.get(post_id, {}))


def _placement(data: dict[str, Any], slug: str) -> Placement:
    matched = tuple(Condition(*condition) for condition in data.get("matched", []))
    return Placement(slug, data["how"], int(data.get("rule", 0)), matched)


def _json(placement: Placement) -> dict[str, Any]:
    data: dict[str, Any] = {"how": placement.how}
    if placement.rule:
        data["rule"] = placement.rule
    if placement.matched:
        data["matched"] = [[c.field, c.value, c.where] for c in placement.matched]
    return data


def save(
    folder: Path, routed: Sequence[Routed], now: datetime, shown: Collection[str] = ()
) -> None:
    """Write the trace of a publish, atomically (a reader sees the old one or the new).
    `shown`: the sections its portal lists (a blank one is not)."""
    head = json.dumps({"published_at": now.isoformat(), "shown": sorted(shown)})
    entries = ",".join(f"{json.dumps(r.post.post.id)}:{_entry(r)}" for r in routed)
    document = f'{head[:-1]},"posts":{{{entries}}}}}'
    path, temporary = folder / FILE, folder / f".{FILE}.{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_text(document, encoding="utf-8")
        temporary.replace(path)
        stamp = _stamp(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BuildError(f"cannot write the routing trace in {folder}: {exc}") from exc
    placements = {r.post.post.id: dict(r.placements) for r in routed}
    pinned = {r.post.post.id: r.pinned for r in routed}
    _LAST.clear()
    _LAST[path] = (stamp, Trace(now, placements, pinned, frozenset(shown)))


def _entry(routed: Routed) -> str:
    """A post's entry in the trace, as JSON: made once per routing of it in a
    long-running hub (routing is kept per version of a post)."""
    known = _ENTRIES.get(routed.post.post.id)
    if known is not None and known[0] is routed:
        return known[1]
    entry = {
        "placements": {slug: _json(p) for slug, p in routed.placements.items()},
        **({"pinned": list(routed.pinned)} if routed.pinned else {}),
    }
    made = json.dumps(entry, ensure_ascii=False)
    if len(_ENTRIES) >= ENTRIES_KEPT:
        _ENTRIES.clear()
    _ENTRIES[routed.post.post.id] = (routed, made)
    return made


_ENTRIES: dict[str, tuple[Routed, str]] = {}
ENTRIES_KEPT = 2_000_000
# the trace this process wrote or read last, with its file's stamp when it did
_LAST: dict[Path, tuple[tuple[int, int, int], Trace]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def load(folder: Path) -> Trace:
    """The last publish's trace; empty before the first publish. (Read from the file
    only when it changed since this process wrote or read it.)"""
    path = folder / FILE
    try:
        stamp = _stamp(path)
        known = _LAST.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        document = json.loads(path.read_text(encoding="utf-8"))
        posts = document.get("posts", {})
        loaded = Trace(
            datetime.fromisoformat(document["published_at"]),
            {
                pid: {slug: _placement(p, slug) for slug, p in entry["placements"].items()}
                for pid, entry in posts.items()
            },
            {pid: tuple(entry.get("pinned", ())) for pid, entry in posts.items()},
            frozenset(document["shown"]) if "shown" in document else None,
        )
    except FileNotFoundError:
        return Trace(None, {}, {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("the last publish's trace %s cannot be read (%s); as if none", FILE, exc)
        return Trace(None, {}, {})
    _LAST.clear()
    _LAST[path] = (stamp, loaded)
    return loaded

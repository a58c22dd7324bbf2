"""The files of an index generation as hub keeps watch over them, for either engine (no
engine imported here): each commit's list of files and their sizes, what is missing or
cut short since, and the generations a killed rebuild left behind."""

from __future__ import annotations

import json
import os
import shutil
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hub import generations
from hub.errors import SearchError

FILES = "hub-files.json"  # each file of a generation and its size, at the last commit


def is_damage(exc: Exception) -> bool:
    """Whether whoosh raised `exc` reading the index's files: a file removed or cut short
    gives file and decoding errors, and for a cut postings file a bare Exception ("Block
    tag error"). Raised in hub's own code, it is a bug, and is not called damage."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and f"{os.sep}whoosh{os.sep}" in frames[-1].filename


def toc(generation: Path) -> str:
    """The name of the newest table of contents: the commit readers see."""
    tocs = sorted(generation.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    return tocs[-1].name if tocs else ""


def whoosh_files(generation: Path) -> Iterable[Path]:
    for path in generation.iterdir():
        if (
            path.is_file()
            and path.name.startswith(("MAIN_", "_MAIN_"))
            and not path.name.endswith("WRITELOCK")
        ):
            yield path


@dataclass(frozen=True)
class Layout:
    """How an engine's commits lie on disk."""

    commit: Callable[[Path], str]  # names the commit readers see now ('' for none)
    files: Callable[[Path], Iterable[Path]]  # the files that commit is made of


WHOOSH = Layout(toc, whoosh_files)


def record_files(generation: Path, layout: Layout = WHOOSH) -> None:
    """Write down each file of the index and its size, after a commit: a file removed
    or cut short later (a full disk, a careless hand) is found by `_damage` before the
    next update trusts the index, however little of it that update reads."""
    sizes = {path.name: path.stat().st_size for path in layout.files(generation)}
    temporary = generation / f".{FILES}.tmp"
    payload = {"toc": layout.commit(generation), "files": sizes}
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(generation / FILES)


def damage(generation: Path, layout: Layout = WHOOSH) -> str:
    """'' when every file written down at the last commit is there at its size; else
    what is not. A list written for another commit than the one readers see (a writer
    killed between its commit and the list) says nothing, and is not held against it;
    nor is an index from before hub kept a list."""
    try:
        recorded = json.loads((generation / FILES).read_text(encoding="utf-8"))
        committed, sizes = recorded["toc"], recorded["files"]
    except FileNotFoundError:
        return ""
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its list of files cannot be read: {exc}"
    if committed != layout.commit(generation):
        return ""
    for name, size in sizes.items():
        try:
            found = (generation / name).stat().st_size
        except FileNotFoundError:
            problem = f"{name} is missing"
        else:
            if found == size:
                continue
            problem = f"{name} has {found:,} bytes of {size:,}"
        # a writer that committed meanwhile removes the files it merged: not damage
        return problem if layout.commit(generation) == committed else ""
    return ""


def remove_unfinished(folder: Path) -> None:
    """Generations a rebuild killed half-way left behind: a finished one has its schema
    version written last. (Writers hold the data folder's lock: none is being built.)"""
    live_one = generations.current(folder / "current")
    for path in (folder / "generations").glob("*"):
        if path.is_dir() and path != live_one and not (path / "hub-schema").exists():
            shutil.rmtree(path, ignore_errors=True)


def remove_legacy(folder: Path) -> None:
    """hub 0.1 kept whoosh's files in index/ itself."""
    for path in folder.iterdir():
        if path.is_file() and path.name.startswith(("_MAIN_", "MAIN_")):
            path.unlink(missing_ok=True)


def publish_generation(folder: Path, write: Callable[[Path, Path | None], None]) -> None:
    """A new generation of the index in `folder`, written by `write`, made the live one
    (`hub.generations`); what fails on the way is a SearchError."""
    try:
        generations.publish(folder / "current", folder / "generations", "gen", write, SearchError)
    except SearchError:
        raise
    except Exception as exc:
        raise SearchError(f"cannot build the search index in {folder}: {exc}") from exc
    remove_legacy(folder)

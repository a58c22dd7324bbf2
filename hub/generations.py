"""Whole-folder generations behind a symlink: write a new folder, then swap the link to it
in one rename(2), so readers see the old generation or the new one, never a half-written
mix. The portal's builds (`site` -> data/builds/<id>) and the search index's rebuilds
(`index/current` -> index/generations/<id>) both work this way."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.errors import HubError


def publish(
    link: Path,
    folders: Path,
    name: str,
    write: Callable[[Path, Path | None], None],
    error: type[HubError],
) -> Path:
    """Call `write(folder, previous)` on a new folder named after `name`, then make `link`
    point to it (`staged`, with nothing to do in between)."""
    with staged(link, folders, name, write, error) as folder:
        pass
    return folder


@contextmanager
def staged(
    link: Path,
    folders: Path,
    name: str,
    write: Callable[[Path, Path | None], None],
    error: type[HubError],
) -> Iterator[Path]:
    """Call `write(folder, previous)` on a new folder named after `name`, run the body,
    then make `link` point to the folder. `previous` is the generation readers see now
    (None before the first); it is kept, with the new one, for readers still in the
    middle of it. If `write`, the body or the switch fails — a full disk, say — the new
    folder is removed and `link` is untouched; failures to write raise `error`."""
    previous = current(link)
    _sweep(folders)  # what an earlier process moved aside and did not finish deleting
    try:
        folders.mkdir(parents=True, exist_ok=True)
        folder = folders / f"{name}-{secrets.token_hex(3)}"
        folder.mkdir()
    except OSError as exc:
        raise error(f"cannot create a folder in {folders}: {exc}") from exc
    try:
        try:
            write(folder, previous)
        except OSError as exc:
            raise error(f"cannot write {folder}: {exc}") from exc
        yield folder
        _swap(link, folder, error)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(folders, keep={folder, previous})


def _swap(link: Path, folder: Path, error: type[HubError]) -> None:
    try:
        if link.exists() and not link.is_symlink():
            # A real folder from elsewhere: keep it as an old generation, then link.
            link.rename(folder.parent / f"adopted-{folder.name}")
        temporary = link.with_name(f".{link.name}.{secrets.token_hex(4)}")
        temporary.symlink_to(os.path.relpath(folder, link.parent), target_is_directory=True)
        temporary.replace(link)  # rename(2) replaces the old link atomically
    except OSError as exc:
        raise error(f"cannot switch {link} to {folder}: {exc}") from exc


def _prune(folders: Path, keep: set[Path | None]) -> None:
    """Remove every generation but the live one and the one before it, including folders
    a process killed half-way left behind. They are moved aside at once (a rename each)
    and deleted by a thread: a portal's build holds a file per page, and deleting a
    hundred thousand of them (a million: two minutes) is not something a publish, or
    the end of `hub publish`, should wait for. A process may exit before the thread is
    done; the next one that publishes goes on from where it stopped (`_sweep`)."""
    trash = _trash(folders)
    # compared as resolved paths: `previous` is where the link leads, and `folders` may
    # lie behind a symlink of its own (a data folder on another disk)
    kept = {p.resolve() for p in keep if p is not None}
    with _EMPTYING:
        for path in folders.iterdir():
            if path.is_dir() and path.resolve() not in kept:
                try:
                    trash.mkdir(exist_ok=True)
                    path.rename(trash / path.name)
                except OSError:
                    shutil.rmtree(path, ignore_errors=True)
    _sweep(folders)


def _trash(folders: Path) -> Path:
    return folders.parent / f".{folders.name}-trash"


def _sweep(folders: Path) -> None:
    """Start deleting what was moved aside from `folders`, unless nothing was or a
    thread of this process is at it. (A daemon thread: the process's end does not wait
    for it.)"""
    trash = _trash(folders)
    with _EMPTYING:
        if trash.is_dir() and trash not in _BEING_EMPTIED:
            _BEING_EMPTIED.add(trash)
            threading.Thread(target=_empty, args=(trash,), name="hub-prune", daemon=True).start()


_EMPTYING = threading.Lock()
_BEING_EMPTIED: set[Path] = set()


def _empty(trash: Path) -> None:
    """Delete what is in `trash` until nothing is (another prune may add to it meanwhile),
    or until a pass deletes nothing (what cannot be deleted waits for the next prune)."""
    before: set[Path] = set()
    while True:
        with _EMPTYING:
            try:
                left = set(trash.iterdir())
            except OSError:
                left = set()
            if not left or left == before:
                _BEING_EMPTIED.discard(trash)
                if not left:
                    with contextlib.suppress(OSError):
                        trash.rmdir()
                return
        for path in left:
            shutil.rmtree(path, ignore_errors=True)
        before = left


def settle() -> None:
    """Wait until old generations moved aside are deleted (tests, and commands that
    must leave nothing behind)."""
    for thread in threading.enumerate():
        if thread.name == "hub-prune":
            thread.join()


def current(link: Path) -> Path | None:
    """The folder the link points to, or None before the first generation."""
    return link.resolve() if link.exists() else None

"""The files of a new build of the portal: pages whose key is unchanged come from the live
build as hard links (no copy: readers of either build keep reading whole files), the
others are written.

Linking a hundred thousand files is system calls, not Python: where GNU cp is found, the
live build is linked whole by `cp -al` in a process of its own, while this one plans and
renders; the files written anew then replace their links. Elsewhere, each file is linked
here, one by one.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Collection
from pathlib import Path
from types import TracebackType

from hub.errors import BuildError

log = logging.getLogger("hub.site")
PENDING_BYTES = 64 * 2**20  # pages rendered before the live build is linked: kept in memory


class BuildFiles:
    """The files of the build in `folder`; `live` is the build readers see now, `kept`
    the files it has that the new build keeps as they are (their keys did not change).
    Use as a context manager: leaving it waits for everything, or undoes nothing but
    stops the linking when the block failed (the caller removes the folder)."""

    def __init__(self, folder: Path, live: Path | None, kept: Collection[str]) -> None:
        self.folder = folder
        self.live = live
        self.written = 0  # files rendered and written, those that could not be linked too
        self._linking = _clone(live, folder) if live is not None and kept else None
        self._cloned = self._linking is not None  # the live build is linked whole
        self._pending: list[tuple[str, str]] = []
        self._bytes = 0
        self._kept: list[tuple[str, Callable[[], None]]] = []  # file, how to make it

    def __enter__(self) -> BuildFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._linking is not None:  # the block failed: stop linking
            self._linking.kill()
            self._linking.communicate()
            self._linking = None

    def keep(self, file: str, produce: Callable[[], str]) -> None:
        """The live build's `file`, unchanged (`produce` makes it if it is not there)."""
        if self._cloned:
            self._kept.append((file, lambda: self.write(file, produce())))
        elif self.live is None or not _link(f"{self.live}/{file}", f"{self.folder}/{file}"):
            self.write(file, produce())

    def keep_link(self, file: str, source: Path) -> None:
        """The live build's `file`, unchanged: a link to `source` (`link`)."""
        if self._cloned:
            self._kept.append((file, lambda: self.link(file, source)))
        elif self.live is None or not _link(f"{self.live}/{file}", f"{self.folder}/{file}"):
            self.link(file, source)

    def link(self, file: str, source: Path) -> None:
        """`file` as a hard link to `source` (an attachment's copy in data/files: never
        copied, however large), else a copy of it on another file system."""
        self._settle()
        target = self.folder / file
        target.unlink(missing_ok=True)  # the live build's: never written through
        if _link(str(source), str(target)):
            return
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:  # removed since the publish began: a link less
            log.warning("the attachment copy %s is gone; the build goes without it", source)
        except OSError as exc:
            raise BuildError(f"cannot link or copy {source} to {target}: {exc}") from exc

    def write(self, file: str, text: str) -> None:
        """`file` made anew with `text`."""
        self.written += 1
        if self._linking is None:
            _write_made(self.folder / file, text, replace=self._cloned)
            return
        self._pending.append((file, text))
        self._bytes += len(text)
        if self._bytes > PENDING_BYTES:
            self._settle()

    def copy(self, file: str, source: Path) -> None:
        """`file` copied from `source` (a static asset)."""
        self._settle()
        target = self.folder / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # a link to the live build's: never written through
        shutil.copyfile(source, target)

    def finish(self, gone: Collection[str]) -> None:
        """After the last page: the live build's files in `gone` (not in this one) are
        removed, and what it should have had but did not is made."""
        self._settle()
        if not self._cloned:
            return
        for file in gone:  # and their folders, once empty (a 404, not a 403)
            (self.folder / file).unlink(missing_ok=True)
            for parent in (self.folder / file).parents:
                if parent == self.folder:
                    break
                try:
                    parent.rmdir()
                except OSError:
                    break
        for file, make in self._kept:  # linked, unless the live build had lost it
            if not os.path.exists(f"{self.folder}/{file}"):  # noqa: PTH110 (a hundred thousand)
                make()
        self._kept = []

    def _settle(self) -> None:
        """Wait for the linking of the live build, then write what is pending."""
        if self._linking is not None:
            _, said = self._linking.communicate()
            code, self._linking = self._linking.returncode, None
            if code != 0:  # what it could not link is made in `finish`, as when missing
                why = said.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {code}"]
                log.warning("cp -al left files of %s unlinked: %s", self.live, why[0])
        for file, text in self._pending:
            _write_made(self.folder / file, text, replace=True)
        self._pending, self._bytes = [], 0


def _clone(live: Path, folder: Path) -> subprocess.Popen[bytes] | None:
    """`cp -al live/. folder/` started, or None where GNU cp is not found."""
    cp = shutil.which("cp")
    if cp is None:
        return None
    try:
        return subprocess.Popen(  # noqa: S603 (a fixed command on paths hub made)
            [cp, "-al", "--", f"{live}/.", f"{folder}/"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except OSError:
        return None


def _link(old: str, new: str) -> bool:
    """The old build's file in the new build, making its folder when missing. False
    when that cannot be done."""
    try:
        os.link(old, new)
    except FileNotFoundError:
        try:
            Path(new).parent.mkdir(parents=True, exist_ok=True)
            os.link(old, new)
        except OSError:
            return False
    except OSError:
        return False
    return True


def _write_made(path: Path, text: str, *, replace: bool) -> None:
    """`text` into `path`, making its folder when missing; `replace`: the file may be a
    link to the live build's, which is removed first, never written through."""
    try:
        if replace:
            path.unlink(missing_ok=True)
        try:
            path.write_text(text, encoding="utf-8")
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot write {path}: {exc}") from exc

"""Child processes for CPU-bound work, so that it never holds up the event loop that
fetches: each call runs in a child within a time limit, and a call over its limit (or one
that kills its child) costs only that child, which is replaced. Owns multiprocessing."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar, cast

from hub.errors import WorkError

T = TypeVar("T")
_STOP_WAIT = 2.0  # seconds a child is given to leave on its own before it is killed


def _serve(connection: Connection) -> None:
    """A child's life: run each call it is sent, answer (True, value) or (False, error),
    until the parent says None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone (even a kill -9): so are we
        if job is None:
            return
        function, args = job
        try:
            reply: tuple[bool, object] = (True, function(*args))
        except Exception as exc:  # handed back to the caller, who decides
            reply = (False, exc)
        try:
            connection.send(reply)
        except Exception as exc:  # the value or the error would not pickle
            connection.send((False, WorkError(f"{type(exc).__name__}: {exc}")))


class _Child:
    """One child process and the pipe to it; used by one thread at a time."""

    def __init__(self, context: Any) -> None:
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self._process.start()
        theirs.close()

    def call(self, function: Callable[..., object], args: tuple[object, ...], limit: float) -> Any:
        try:
            self._pipe.send((function, args))
            if not self._pipe.poll(limit):
                raise WorkError(f"took more than {limit:g}s", over_time=True)
            ok, value = self._pipe.recv()
        except (EOFError, OSError) as exc:
            raise WorkError(f"the worker process died ({self._process.exitcode})") from exc
        if not ok:
            raise cast(BaseException, value)
        return value

    def kill(self) -> None:
        self._process.kill()
        self._process.join()
        self._pipe.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self._pipe.send(None)
        self._process.join(_STOP_WAIT)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._pipe.close()


class Workers:
    """Up to `size` child processes; `await workers.run(f, *args, limit=s)` runs `f` in
    one of them. `f` and its arguments are pickled: a module-level function and values.
    Usable from one event loop after another (a scheduler's ticks)."""

    def __init__(self, size: int | None = None, preload: Sequence[str] = ()) -> None:
        self.size = size or max(1, min(4, os.cpu_count() or 1))
        methods = multiprocessing.get_all_start_methods()
        # forkserver: children fork from a small server that imported `preload` once,
        # not from this process and its threads (fork), nor from scratch (spawn).
        self._context = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        if preload and "forkserver" in methods:
            self._context.set_forkserver_preload(list(preload))
        self._idle: queue.SimpleQueue[_Child] = queue.SimpleQueue()
        self._all: list[_Child] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="hub-worker")
        self._closed = False

    def start(self) -> None:
        """Start every child now rather than at its first call."""
        with self._lock:
            while len(self._all) < self.size:
                child = _Child(self._context)
                self._all.append(child)
                self._idle.put(child)

    async def run(self, function: Callable[..., T], *args: object, limit: float) -> T:
        """`function(*args)` in a child: its value, or its exception raised here; a
        WorkError when it took more than `limit` seconds or its child died."""
        loop = asyncio.get_running_loop()
        return cast(T, await loop.run_in_executor(self._threads, self._call, function, args, limit))

    def _call(self, function: Callable[..., object], args: tuple[object, ...], limit: float) -> Any:
        child = self._take()
        try:
            value = child.call(function, args, limit)
        except WorkError:
            self._replace(child)  # over time, or dead: either way, not to be reused
            raise
        except BaseException:
            self._idle.put(child)
            raise
        self._idle.put(child)
        return value

    def _take(self) -> _Child:
        # As many threads as children: a thread here finds an idle child, or room for one.
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise WorkError("the workers are closed")
            if len(self._all) < self.size:
                child = _Child(self._context)
                self._all.append(child)
                return child
        return self._idle.get()

    def _replace(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            self._all.remove(child)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children, self._all = self._all, []
        self._threads.shutdown(wait=True)
        for child in children:
            child.stop()

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""Child processes for CPU-bound work, so that it never holds up the event loop that
fetches: each call runs in a child within a time limit, and a call over its limit (or one
that kills its child) costs only that child, which is replaced.

A child is a fresh interpreter (`python -m hub.workers MODULE...`) that imports the
modules it is told to, then answers calls over a pipe: nothing of the parent's `__main__`
is run again in it, as multiprocessing's spawn and forkserver would. Calls and answers
are pickled: module-level functions and plain values. A child may be given a memory cap
(RLIMIT_DATA, set before it imports anything): a call over it raises MemoryError, or, in
native code that cannot raise, kills its child, which is then a WorkError like any death."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import pickle
import queue
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import IO, Any, TypeVar, cast

from hub.errors import WorkError

T = TypeVar("T")
_HEADER = struct.Struct("!Q")  # each message: its length, then its pickle
_STOP_WAIT = 2.0  # seconds a child is given to leave on its own before it is killed
_START_WAIT = 120.0  # seconds a child may take to start (a busy machine), not a call's
_MEMORY = "--memory"  # the child's argument that caps its data (RLIMIT_DATA), in bytes


def _send(pipe: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_HEADER.pack(len(data)) + data)
    pipe.flush()


def _receive(pipe: IO[bytes]) -> Any:
    header = pipe.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other end is gone")
    (size,) = _HEADER.unpack(header)
    data = pipe.read(size)
    if len(data) < size:
        raise EOFError("the other end is gone")
    return pickle.loads(data)  # noqa: S301 (our own child, over our own pipe)


def serve(calls: IO[bytes], answers: IO[bytes]) -> None:
    """A child's life: run each call it is sent, answer (True, value) or (False, error),
    until the parent says None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _send(answers, "ready")
    while True:
        try:
            job = _receive(calls)
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
            _send(answers, reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            _send(answers, (False, WorkError(f"the answer would not pickle: {exc}")))


class _Child:
    """One child process and the pipes to it; used by one thread at a time."""

    def __init__(self, preload: Sequence[str], memory: int | None = None) -> None:
        # The child imports what this process imports, from where it does: its path is
        # passed on, and -P keeps the working folder off it (a site folder's nh3.py must
        # not stand in for the library).
        path = os.pathsep.join(entry for entry in sys.path if entry)
        cap = [_MEMORY, str(memory)] if memory else []
        self._process = subprocess.Popen(  # noqa: S603 (this interpreter, our module)
            [sys.executable, "-P", "-m", "hub.workers", *cap, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
            env={**os.environ, "PYTHONPATH": path},
        )
        self._calls = cast(IO[bytes], self._process.stdin)
        self._answers = cast(IO[bytes], self._process.stdout)
        self._started = False

    def _wait_started(self) -> None:
        """A call's time limit starts when the child can take it, not while it starts."""
        if self._started:
            return
        ready, _, _ = select.select([self._answers], [], [], _START_WAIT)
        if not ready or _receive(self._answers) != "ready":
            raise WorkError(f"a worker process did not start within {_START_WAIT:g}s")
        self._started = True

    def call(self, message: bytes, limit: float) -> tuple[bool, Any]:
        """Send a pickled call; (True, value) or (False, error) as the child answered.
        A WorkError when the child takes longer than `limit` or dies: it is then of no
        further use."""
        try:
            self._wait_started()
            self._calls.write(_HEADER.pack(len(message)) + message)
            self._calls.flush()
            ready, _, _ = select.select([self._answers], [], [], limit)
            if not ready:
                raise WorkError(f"took more than {limit:g}s", over_time=True)
            answer: tuple[bool, Any] = _receive(self._answers)
        except WorkError:
            raise
        except (EOFError, OSError) as exc:
            raise WorkError(f"the worker process died ({self._death()})") from exc
        except Exception as exc:  # an answer that does not unpickle here
            raise WorkError(f"the answer could not be read: {exc}") from exc
        return answer

    def _death(self) -> str:
        """How the child ended: a signal (SIGSEGV, SIGABRT, the OOM killer's SIGKILL)
        or an exit status, for the caller's log."""
        try:
            status = self._process.wait(_STOP_WAIT)
        except subprocess.TimeoutExpired:
            return "still running"
        if status < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-status).name}"
        return f"exit status {status}"

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        self._process.wait()
        self._close_pipes()

    def stop(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(OSError, ValueError):  # gone, or its pipe closed
                _send(self._calls, None)
        try:
            self._process.wait(_STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self._calls, self._answers):
            with contextlib.suppress(OSError):  # a broken pipe to a dead child
                pipe.close()

    @property
    def pid(self) -> int:
        return self._process.pid


class Workers:
    """Up to `size` child processes; `await workers.run(f, *args, limit=s)` runs `f` in
    one of them. `f` and its arguments are pickled: a module-level function and values.
    Usable from one event loop after another (a scheduler's ticks)."""

    def __init__(
        self, size: int | None = None, preload: Sequence[str] = (), memory: int | None = None
    ) -> None:
        self.size = size or max(1, min(4, os.cpu_count() or 1))
        self._preload = tuple(preload)
        self.memory = memory  # bytes of data each child may hold; None: no cap
        self._idle: queue.SimpleQueue[_Child] = queue.SimpleQueue()
        self._all: list[_Child] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="hub-worker")
        self._closed = False

    def start(self) -> None:
        """Start every child now (they import their modules meanwhile) rather than at
        the first call."""
        with self._lock:
            while len(self._all) < self.size:
                child = _Child(self._preload, self.memory)
                self._all.append(child)
                self._idle.put(child)

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [child.pid for child in self._all]

    async def run(self, function: Callable[..., T], *args: object, limit: float) -> T:
        """`function(*args)` in a child: its value, or its exception raised here; a
        WorkError when it took more than `limit` seconds or its child died."""
        loop = asyncio.get_running_loop()
        return cast(T, await loop.run_in_executor(self._threads, self._call, function, args, limit))

    def _call(self, function: Callable[..., object], args: tuple[object, ...], limit: float) -> Any:
        try:
            message = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise WorkError(f"the call would not pickle: {exc}") from exc
        child = self._take()
        try:
            ok, value = child.call(message, limit)
        except WorkError:
            self._replace(child)  # over time, dead, or out of step: not to be reused
            raise
        except BaseException:
            self._replace(child)  # interrupted mid-call: its answer would be out of step
            raise
        if not ok and isinstance(value, MemoryError):
            self._replace(child)  # it ran out: what it holds now is no base for another call
        else:
            self._idle.put(child)
        if not ok:
            raise cast(BaseException, value)
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
                child = _Child(self._preload, self.memory)
                self._all.append(child)
                return child
        return self._idle.get()

    def _replace(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            if child in self._all:  # (close() may have let go of every child already)
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


def _main(arguments: Sequence[str]) -> None:
    """`python -m hub.workers [--memory BYTES] MODULE...`: the protocol on the pipes the
    parent gave as stdin and stdout; what a library prints goes to stderr, never into the
    protocol."""
    preload = list(arguments)
    if preload[:1] == [_MEMORY]:
        # RLIMIT_DATA (the heap and private writable maps: what a call can fill), not
        # RLIMIT_AS, which also counts address space reserved and never touched (thread
        # stacks, allocators that reserve arenas, as some PDFium builds do). Either stops
        # tests/test_extract.py's PDF bomb with today's pypdfium2 (PDFium aborts).
        limit = int(preload[1])
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        del preload[:2]
    calls = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    for module in preload:
        importlib.import_module(module)
    serve(calls, answers)


if __name__ == "__main__":
    _main(sys.argv[1:])

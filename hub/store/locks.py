"""Locks held in PostgreSQL itself, for hub processes on one or several machines that
share a database: session advisory locks on a connection of their own, held for the
lock's life. A holder killed with SIGKILL holds it no longer: its connection dies, and
the server ends its session (as the kernel drops a dead process's flock)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from hub.errors import BusyError, StoreError
from hub.store.urls import CONNECT_ARGS, engine_url, explained

POLL = 0.2  # seconds between attempts while waiting

# The lock's key: its name and the schema, so that sites kept in schemas of one
# database (and the tests' schemas) do not share locks.
_KEY = "hashtextextended(:name || '@' || coalesce(current_schema(), ''), 0)"


@contextmanager
def advisory_lock(
    url: str, name: str, *, wait: float = 0.0, shared: bool = False, busy: str = ""
) -> Iterator[None]:
    """Hold the advisory lock `name` of the PostgreSQL database at `url`; shared locks
    are held by many at once, an exclusive one by one holder alone. Waits up to `wait`
    seconds for it; then, or at once without it, raises BusyError (`busy` says why)."""
    kind = "_shared" if shared else ""
    engine = create_engine(engine_url(url), poolclass=NullPool, connect_args=CONNECT_ARGS)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            deadline = time.monotonic() + wait
            take = text(f"SELECT pg_try_advisory_lock{kind}({_KEY})")
            while not connection.execute(take, {"name": name}).scalar_one():
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait:g}s)" if wait else ""
                    held = busy or f"the lock {name} is held"
                    raise BusyError(f"{held}{waited}; try again when it ends")
                time.sleep(POLL)
            try:
                yield
            finally:
                # closing the connection would release it too; unlocking keeps the
                # connection's end quiet in the server's log
                release = text(f"SELECT pg_advisory_unlock{kind}({_KEY})")
                with suppress(SQLAlchemyError):  # a connection lost has released it
                    connection.execute(release, {"name": name})
    except SQLAlchemyError as exc:
        raise StoreError(explained(exc, url)) from exc
    finally:
        engine.dispose()

"""Which database a URL names and how hub connects to it (SQLite or PostgreSQL through
psycopg 3), and the database's errors in one line with what to do; a password in the
URL is never shown."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from hub.errors import StoreError

# A server that does not answer is an error in 10 s, not a hang; TCP keepalives find a
# peer that vanished (a machine off the network) within about a minute and a half.
CONNECT_ARGS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 6,
}

_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def engine_url(url: str) -> str:
    """The URL SQLAlchemy is given: `postgresql://` is PostgreSQL through psycopg 3."""
    scheme, sep, rest = url.partition("://")
    return f"{_DRIVERS.get(scheme, scheme)}{sep}{rest}"


def is_postgres(url: str) -> bool:
    return url.partition("://")[0] in (*_DRIVERS, "postgresql+psycopg")


def shown(url: str) -> str:
    """The URL as messages show it: a SQLite file's path; a server's URL, password
    hidden."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.partition("://")[0] + "://…"  # unreadable: it may hold a password


def checked_url(url: str) -> str:
    """`engine_url`, or a StoreError saying what a database URL looks like."""
    try:
        parsed = make_url(engine_url(url))
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"the database URL {shown(url)} cannot be read: write it as "
            "postgresql://user@host:port/database or sqlite:///path (store.url in "
            "channels.yaml, or HUB_STORE_URL)"
        ) from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"the database URL {shown(url)} names {parsed.get_backend_name()}: hub keeps its "
            "posts in SQLite or PostgreSQL (postgresql://user@host:port/database)"
        )
    return engine_url(url)


_ADVICE = (
    (
        ("file is not a database", "malformed", "file is encrypted", "corrupt"),
        "the database file is damaged: restore it from a backup, or move it aside and "
        "run `hub run` to crawl every source again (posts no source lists any more are "
        "then lost)",
    ),
    (
        ("database or disk is full", "disk i/o error", "no space left", "could not extend"),
        "the disk holding it is full or failing: free space there, then run the command "
        "again (nothing half-written was kept)",
    ),
    (
        ("readonly database", "unable to open database", "permission denied"),
        "hub cannot write or open it: check that data/ and its files belong to the user "
        "that runs hub and are writable, or that the database user may use the database",
    ),
    (("database is locked",), "another program holds the database: try again when it ends"),
    (
        ("password authentication failed", "no password supplied", 'role "', "pg_hba.conf"),
        "the server refused the user: check the user and its password (in HUB_STORE_URL or "
        "~/.pgpass) and the server's pg_hba.conf",
    ),
    (
        ('database "',),
        "the server has no such database: create it (`createdb -O USER NAME`) or correct "
        "store.url / HUB_STORE_URL",
    ),
    (
        (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host name",
            "failed to resolve host",
            "server closed the connection",
            "terminating connection",
        ),
        "the PostgreSQL server cannot be reached: check that it is running and that "
        "store.url (or HUB_STORE_URL) names its host and port",
    ),
)


def explained(exc: SQLAlchemyError, url: str) -> str:
    """A database error as one line: where, what the database said, what to do."""
    said = str(getattr(exc, "orig", None) or exc).splitlines()[0].strip()
    lowered = said.lower()
    advice = next(
        (text for needles, text in _ADVICE if any(n in lowered for n in needles)),
        "check that the database is reachable and whole",
    )
    return f"the database {shown(url)} cannot be used ({said}): {advice}"

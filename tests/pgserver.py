"""A real PostgreSQL for the tests: Debian's server binaries, a data directory made by
initdb in a temporary folder, listening on 127.0.0.1 on a free port, run as the
`postgres` user when the tests run as root. Skipped, saying why, when the binaries are
missing, unless HUB_REQUIRE_POSTGRES=1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _binary(name: str) -> str | None:
    for folder in BIN_DIRS:
        if (folder / name).is_file():
            return str(folder / name)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Postgres:
    """A running server; `database(name)` makes an empty database and gives its URL."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes]

    def url(self, name: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def database(self, name: str) -> str:
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_postgres() -> list[str]:
    """Run a server binary as `postgres` when we are root (the server refuses root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def start() -> Postgres:
    initdb, postgres = _binary("initdb"), _binary("postgres")
    if initdb is None or postgres is None:
        reason = "PostgreSQL's server binaries (initdb, postgres) are not installed"
        if os.environ.get("HUB_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and HUB_REQUIRE_POSTGRES=1")
        pytest.skip(f"{reason}: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        [*_as_postgres(), initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            *_as_postgres(),
            postgres,
            "-D",
            str(data),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(folder),
            "-c",
            "fsync=off",  # a test database: a crash of the machine may lose it
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Postgres(port, folder, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.database("hub_probe")
            return server
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(server)
                raise
            time.sleep(0.1)


def stop(server: Postgres) -> None:
    server.process.terminate()
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session", name="postgres")
def postgres_server() -> Iterator[Postgres]:
    """Import it into a test module to use the `postgres` fixture there."""
    server = start()
    try:
        yield server
    finally:
        stop(server)

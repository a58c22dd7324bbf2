"""`/api/search` under load: `hub serve` in its own process over an index the search
benchmark built, read by wrk (Debian's `wrk`) with 32 keep-alive connections asking the
benchmark's queries in turn. The site holds an empty page for every post, so no hit is
dropped as missing from the live build."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import served
from hub.demo import channels_yaml, write_config
from hub.search import Document

CONNECTIONS = 32
SECONDS = 10


@dataclass(frozen=True)
class Served:
    per_second: float
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, timeouts and socket errors


def requests_per_second(
    index: Path, documents: Sequence[Document], queries: Sequence[tuple[str, dict[str, str]]]
) -> Served:
    """Serve the project around `index` (its parent folder) and load its API."""
    if shutil.which("wrk") is None:
        return Served(0.0, 0.0, 0.0, 0.0, 0)  # `apt-get install wrk` to measure
    root = index.parent
    config = write_config(root / "channels.yaml", channels_yaml())
    for doc in documents:  # every hit's page, so the service keeps every hit
        page = root / "site" / doc.path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.touch()
    paths = [f"/api/search?{urllib.parse.urlencode(_params(q, p))}" for q, p in queries]
    with tempfile.TemporaryDirectory() as temporary, served(config) as (host, port):
        script = Path(temporary) / "queries.lua"
        script.write_text(_lua(paths), encoding="utf-8")
        load = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s"]
        output = subprocess.run(
            [*load, "--latency", "-s", str(script), f"http://{host}:{port}/"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return _parse(output)


def _params(text: str, params: dict[str, str]) -> dict[str, str]:
    asked = {"q": text, **params}
    if "since" in asked:  # the search benchmark's year, as the API's date
        asked["since"] = f"{asked['since']}-01-01"
    return asked


def _lua(paths: list[str]) -> str:
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )


def _parse(output: str) -> Served:
    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    def millis(share: str) -> float:
        found = re.search(rf"^\s*{share}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not found:
            return 0.0
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return float(found.group(1)) * scale

    errors = number(r"Non-2xx or 3xx responses: (\d+)")
    for kind in ("connect", "read", "write", "timeout"):
        errors += number(rf"{kind} (\d+)")
    return Served(
        per_second=number(r"Requests/sec:\s+([\d.]+)"),
        seconds=number(r"requests in ([\d.]+)s"),
        p50_ms=millis("50"),
        p99_ms=millis("99"),
        errors=int(errors),
    )

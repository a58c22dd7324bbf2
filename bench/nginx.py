"""nginx in front of `hub serve`, as `hub nginx` configures it: pages per second read
with wrk from nginx, from `hub serve` alone with one worker and with several, on the
same files in the same run. Also runs nginx for tests/test_nginx.py: Debian's nginx in
a folder of its own (prefix, temporary files, pid, log), on 127.0.0.1, in the foreground.

    python -m bench.nginx     # the demo county: nginx vs hub serve (wrk must be installed)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.common import Row

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)
WRK = shutil.which("wrk")
TEMPORARY = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

# The http block of Debian's /etc/nginx/nginx.conf, as far as it matters here, with
# every path in the folder given: nginx needs no root and touches nothing of the system.
MAIN = """daemon off;
master_process on;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    access_log off;
{temporary}
    include {folder}/site.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(site_conf: str, port: int, folder: Path, workers: int = 1) -> Iterator[None]:
    """nginx with `site_conf` (a `server` listening on 127.0.0.1:`port`) as its one
    site, until the block ends. Its log is `folder`/error.log."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEMPORARY:
        (folder / name).mkdir(exist_ok=True)
    (folder / "site.conf").write_text(site_conf, encoding="utf-8")
    main = MAIN.format(
        workers=workers,
        folder=folder,
        # as root, nginx's workers would become `nobody`, who may not read a private
        # temporary folder; as anyone else, nginx cannot change user and does not try
        user="user root;" if os.geteuid() == 0 else "",
        temporary="\n".join(f"    {n}_temp_path {folder / n};" for n in TEMPORARY),
    )
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"]
    log = (folder / "error.log").open("ab")
    child = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        _wait_for(port, child, folder)
        yield
    finally:
        child.send_signal(signal.SIGQUIT)  # finish the requests under way, then exit
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()


def _wait_for(port: int, child: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if child.poll() is not None:
            log = (folder / "error.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"nginx stopped at start (status {child.returncode}): {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx does not answer on 127.0.0.1:{port}")


LUA = """-- each request the next of the listed paths
local paths = {{ {paths} }}
local n = 0
request = function()
    n = n % #paths + 1
    return wrk.format("GET", paths[n], {{ {headers} }})
end
"""


def wrk(
    port: int, paths: Sequence[str], folder: Path, seconds: int = 10, *, gzip: bool = True
) -> tuple[float, str]:
    """Requests per second wrk reads from 127.0.0.1:`port`, cycling through `paths`
    (compressed, as browsers ask, unless not `gzip`), and its latency and error lines."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    script = folder / "paths.lua"
    listed = ", ".join(f'"{p}"' for p in paths)
    headers = '["Accept-Encoding"] = "gzip"' if gzip else ""
    script.write_text(LUA.format(paths=listed, headers=headers), encoding="utf-8")
    result = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    latency = re.search(r"Latency\s+(\S+)", result.stdout)
    errors = re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", result.stdout)
    note = f"latency mean {latency.group(1) if latency else '?'}; "
    note += "; ".join(errors) if errors else "no errors"
    return (float(rate.group(1)) if rate else 0.0), note


def rows(repeat: int, seconds: int = 10, workers: int = 2) -> list[Row]:
    """The demo county's pages (every section and department page, 300 posts, the
    feeds) read for `seconds` each by wrk (2 threads, 32 connections): from nginx in
    front (`workers` nginx workers) and from hub serve alone with 1 and with `workers`
    workers, compressed; then both uncompressed (nginx's sendfile ceiling)."""
    del repeat
    if NGINX is None or WRK is None:
        return [Row("nginx vs hub serve (skipped: apt-get install nginx wrk)", 0.0, "pages/s")]
    from bench import load  # noqa: PLC0415
    from hub.serve import nginx  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        config = load.demo_site(folder / "county")
        paths = [path for kind, path in load.targets(config.site_dir) if kind in PAGES]
        figures: list[tuple[str, float, str]] = []

        def measure(name: str, port: int, gzip: bool = True) -> None:
            figures.append((name, *wrk(port, paths, folder, seconds, gzip=gzip)))

        with load.served(config.path, workers=1) as (_, port):
            listen = free_port()
            text = nginx.config_text(config.site_dir, f"127.0.0.1:{port}", "_", str(listen))
            with running(text, listen, folder / "nginx", workers=workers):
                measure(f"nginx in front ({workers} workers), gzip", listen)
                measure(f"nginx in front ({workers} workers), identity", listen, gzip=False)
            measure("hub serve alone, 1 worker, gzip", port)
            measure("hub serve alone, 1 worker, identity", port, gzip=False)
        with load.served(config.path, workers=workers) as (_, port):
            measure(f"hub serve alone, {workers} workers, gzip", port)
    baseline = figures[2][1]
    return [
        Row(
            f"{name}, {len(paths)} pages",
            rate,
            "pages/s",
            f"{rate / baseline:.2f}x hub serve 1 worker gzip; wrk -t2 -c32 {seconds}s; {note}",
        )
        for name, rate, note in figures
    ]


PAGES = ("page", "post", "feed")


if __name__ == "__main__":
    for row in rows(1):
        print(f"{row.name:<44} {row.value:>10,.1f} {row.unit:<8} {row.note}")

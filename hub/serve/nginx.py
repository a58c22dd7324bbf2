"""The nginx configuration that puts nginx in front of `hub serve`: the template shipped
beside this module, filled in for one site. Only text: it never runs nginx."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from hub.errors import HubError
from hub.serve import PAGE_CACHE, SECURITY_HEADERS, STATIC_CACHE, VERSIONED_CACHE

TEMPLATE = "nginx.conf"
# What nginx would read as something else: a quote ends the root's string, `$` starts a
# variable, and `;`, braces or spaces end a directive in the others.
_UNSAFE_PATH = re.compile(r'["\\$\x00-\x1f\x7f]')
_SERVER_NAME = re.compile(r"^[A-Za-z0-9_.*-]+( [A-Za-z0-9_.*-]+)*$")
_LISTEN = re.compile(r"^(\[[0-9A-Fa-f:.]+\]:|[0-9.]+:|[A-Za-z0-9.-]+:)?[0-9]{1,5}$")
_UPSTREAM = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[0-9.]+|localhost):[0-9]{1,5}$")


def config_text(
    site_dir: Path,
    upstream: str = "127.0.0.1:8000",
    server_name: str = "_",
    listen: str = "80",
    source: str = "channels.yaml",
) -> str:
    """The shipped template filled in: nginx serving `site_dir` (the `site` link itself,
    never what it points to now) on `listen` for `server_name`, passing the search and
    the health check to `hub serve` at `upstream` (host:port)."""
    root = site_dir if site_dir.is_absolute() else Path.cwd() / site_dir  # not resolved
    if _UNSAFE_PATH.search(str(root)):
        raise HubError(f"the site folder {root} has a character nginx would misread")
    if not _SERVER_NAME.match(server_name):
        raise HubError(f"--server-name {server_name!r}: host names separated by spaces")
    if not _LISTEN.match(listen):
        raise HubError(f"--listen {listen!r}: a port, or address:port (80, 127.0.0.1:8080)")
    if not _UPSTREAM.match(upstream):
        raise HubError(f"--upstream {upstream!r}: hub serve's address and port (127.0.0.1:8000)")
    headers = "\n".join(
        f'        add_header {name} "{value}" always;' for name, value in SECURITY_HEADERS.items()
    )
    values = {
        "config": source,
        "root": str(root),
        "listen": listen,
        "server_name": server_name,
        "upstream": upstream,
        # one upstream block per hub serve: two sites on one nginx may not share a name
        "upstream_name": "hub_" + re.sub(r"[^0-9A-Za-z]", "_", upstream),
        "page_cache": PAGE_CACHE,
        "static_cache": STATIC_CACHE,
        "versioned_cache": VERSIONED_CACHE,
        "security_headers": headers,
    }
    template = resources.files("hub.serve").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match.group(1)], template)

"""The editors' desk (`hub desk`): a separate, authenticated web app on its own port,
loopback only unless channels.yaml allows otherwise. See docs/editors.md."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime

from hub.config import Config
from hub.errors import HubError
from hub.serve import Server
from hub.serve.desk.app import make_app
from hub.serve.desk.auth import Limits
from hub.serve.desk.state import Desk

__all__ = ["Desk", "DeskServer", "Limits", "loopback"]


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DeskServer:
    """The desk on `host:port` (port 0 picks a free one), its publisher running."""

    def __init__(
        self,
        config: Config,
        clock: Callable[[], datetime],
        host: str | None = None,
        port: int | None = None,
        limits: Limits | None = None,
    ) -> None:
        host = host if host is not None else config.desk.host
        port = port if port is not None else config.desk.port
        if not loopback(host) and not config.desk.allow_remote:
            raise HubError(
                f"the desk listens on loopback addresses only, not {host}: editors reach it "
                "through an SSH tunnel or a reverse proxy; to listen elsewhere, set "
                "desk.allow_remote: true in channels.yaml (and serve it over HTTPS)"
            )
        self.desk = Desk(config, clock, limits)
        try:
            # the address a login is counted and logged under is the peer's own: a header
            # anyone can send (X-Forwarded-For) must not reset the limits or forge the log
            app = make_app(self.desk)
            self.server = Server(config, clock, host, port, app=app, proxy_headers=False)
        except OSError:
            self.desk.close()
            raise
        self.url = self.server.url
        self.desk.start()

    def run(self) -> None:
        self.server.run()

    def start(self) -> DeskServer:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.desk.close()

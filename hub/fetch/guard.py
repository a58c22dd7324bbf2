"""The private-address guard: which addresses hub may connect to, checked on the address
actually dialled so a DNS answer cannot change between check and connect (rebinding)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from hub.addresses import is_public_address
from hub.config import Fetch
from hub.errors import FetchError


class RefusedAddressError(httpcore.ConnectError):
    """Raised at connect time when a host resolves only to refused addresses."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself and connects only to a public address it checked."""

    def __init__(self, bridges: frozenset[tuple[str, int]] = frozenset()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._bridges = bridges  # (host, port) the operator named: dialled as they are

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if (host.lower(), port) in self._bridges:
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        allowed = [a for a in addresses if is_public_address(a)]
        if not allowed:
            raise RefusedAddressError(
                f"{host} resolves to {', '.join(sorted(set(addresses)))}, "
                "a private or local address (fetch.allow_private is off)"
            )
        return await self._inner.connect_tcp(
            allowed[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddressError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pool(
    limits_connections: int,
    keepalive: int,
    expiry: float | None,
    ssl_context: Any,
    bridges: frozenset[tuple[str, int]] = frozenset(),
) -> httpcore.AsyncConnectionPool:
    """A connection pool that dials through the guard."""
    return httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits_connections,
        max_keepalive_connections=keepalive,
        keepalive_expiry=expiry,
        network_backend=GuardedBackend(bridges),
    )


DEFAULT_PORTS = {"http": 80, "https": 443}


def check_url(url: str, settings: Fetch) -> None:
    """Refuse, before any packet, an address that is no http(s) URL, or a loopback or
    private one while `fetch.allow_private` is off (a bridge the operator named aside).
    Names are judged at connect time, on the address they resolve to."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (what raises for a port that is no number)
    except ValueError as exc:
        raise FetchError(f"not an address: {url[:200]}", kind="http") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}", kind="http")
    if settings.allow_private:
        return
    host = parts.hostname
    if (host, parts.port or DEFAULT_PORTS[parts.scheme]) in settings.bridged:
        return  # a bridge the operator named
    if host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"refused {host}: a local address", kind="refused-address")
    try:
        public = is_public_address(host)
    except ValueError:
        return  # a name: checked after resolution, at connect time
    if not public:
        raise FetchError(
            f"refused {host}: a private or local address (fetch.allow_private is off)",
            kind="refused-address",
        )

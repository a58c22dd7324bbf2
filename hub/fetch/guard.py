"""The private-address guard: which addresses hub may connect to, checked on the address
actually dialled so a DNS answer cannot change between check and connect (rebinding)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore

# IANA's special-purpose address registries (RFC 6890 and its updates): every range in
# them is refused, but for the few that are globally reachable unicast, and for the
# IPv6 forms that carry an IPv4 address, which are judged by the address they carry.
_REFUSED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # this network
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (cloud metadata lives here)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.31.196.0/24",  # AS112-v4
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # direct delegation AS112
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the limited broadcast address
    )
)
_GLOBAL_V6 = ipaddress.IPv6Network("2000::/3")  # global unicast: nothing else is a website
_REFUSED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) among them
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4, deprecated (RFC 7526)
        "2620:4f:8000::/48",  # direct delegation AS112
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_CARRY_V4 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64, well-known prefix: reaches the IPv4 address it carries
    )
)


def is_public_address(host: str) -> bool:
    """True for a globally reachable unicast address; False for every special-purpose
    range (loopback, private, link-local, shared, documentation, benchmarking, reserved,
    multicast, deprecated forms), and for an IPv6 address that carries a refused IPv4
    address (IPv4-mapped, IPv4-translated, NAT64). Raises ValueError for a name."""
    address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _CARRY_V4):
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        else:
            return address in _GLOBAL_V6 and not any(address in n for n in _REFUSED_V6)
    return not any(address in network for network in _REFUSED_V4)


class RefusedAddressError(httpcore.ConnectError):
    """Raised at connect time when a host resolves only to refused addresses."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself and connects only to a public address it checked."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
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
    limits_connections: int, keepalive: int, expiry: float | None, ssl_context: Any
) -> httpcore.AsyncConnectionPool:
    """A connection pool that dials through the guard."""
    return httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits_connections,
        max_keepalive_connections=keepalive,
        keepalive_expiry=expiry,
        network_backend=GuardedBackend(),
    )

"""Which addresses hub may fetch from: globally reachable unicast only. Pure (ipaddress);
the fetch stage checks the address it actually dials, `hub check` the addresses a
channels.yaml names."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

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


def refused_host(url: str) -> str:
    """Why `url`'s host is one hub refuses without `fetch.allow_private` (a loopback,
    private or otherwise special address, or localhost), or '' when it is not or when
    only resolving its name could tell."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""  # no address at all: the fetch says so
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        public = is_public_address(host)
    except ValueError:
        # the old forms of an IPv4 address (127.1, 2130706433, 0x7f000001) that a
        # resolver reads as one; anything else is a name, judged when it is resolved
        if not re.fullmatch(r"[0-9a-fx.]+", host):
            return ""
        try:
            public = is_public_address(socket.inet_ntoa(socket.inet_aton(host)))
        except OSError:
            return ""
    return "" if public else f"{host} is a private or special-purpose address"

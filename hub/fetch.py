"""HTTP for crawling: conditional GET, a total deadline, a body cap, redirects, an address
guard and per-host limits; owns httpx. Returns `Fetched` values or raises `FetchError`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from hub.config import Fetch
from hub.errors import FetchError
from hub.models import Fetched

Transport = httpx.AsyncBaseTransport  # the network seam: tests pass httpx.MockTransport
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}


def is_public_address(host: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private,
    link-local, CGNAT, multicast, unspecified, reserved and IPv4-mapped forms of those."""
    address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class RefusedAddressError(httpcore.ConnectError):
    """Raised at connect time when a host resolves only to refused addresses."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself and connects only to a public address it checked, so a
    DNS answer cannot change between the check and the connection (rebinding)."""

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


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx has no public hook for the network backend; its pool takes one, so
        # replace the pool it built with an equal one that connects through the guard.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )


class Fetcher:
    """An HTTP client for one crawl; use as `async with Fetcher(settings) as f`."""

    def __init__(
        self, settings: Fetch, user_agent: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        limits = httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        )
        if transport is None and not settings.allow_private:
            transport = _GuardedTransport(limits)
        self._client = httpx.AsyncClient(
            transport=transport,
            limits=limits,
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout),
            headers={"user-agent": user_agent, "accept-encoding": "gzip, deflate"},
        )
        self._all = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, source_id: str, now: datetime, etag: str = "", last_modified: str = ""
    ) -> Fetched:
        """GET `url`; a 304 comes back as a value, every failure as a FetchError."""
        host = urlsplit(url).netloc
        limit = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        conditional = {
            k: v for k, v in (("if-none-match", etag), ("if-modified-since", last_modified)) if v
        }
        async with limit, self._all:
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._follow(url, conditional, source_id, now)
            except TimeoutError as exc:
                raise FetchError(
                    f"no complete answer within {self.settings.timeout:g}s from {url}",
                    kind="timeout",
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out: {url}", kind="timeout") from exc
            except httpx.HTTPError as exc:
                if isinstance(exc.__cause__, RefusedAddressError):
                    raise FetchError(str(exc.__cause__), kind="refused-address") from exc
                raise FetchError(
                    f"{type(exc).__name__}: {exc or 'connection failed'} ({url})", kind="network"
                ) from exc

    async def _follow(
        self, url: str, headers: Mapping[str, str], source_id: str, now: datetime
    ) -> Fetched:
        seen: list[str] = []
        while True:
            self._check_url(url)
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                if response.status_code not in _REDIRECTS:
                    return await self._read(response, url, source_id, now)
                location = response.headers.get("location", "")
            finally:
                await response.aclose()
            seen.append(url)
            url = urljoin(url, location)
            if not location:
                raise FetchError(f"redirect without a Location from {seen[-1]}", kind="http")
            if url in seen:
                raise FetchError(f"redirect loop: {' -> '.join([*seen, url])}", kind="http")
            if len(seen) > MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects from {seen[0]}", kind="http")

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url}", kind="http")
        if self.settings.allow_private:
            return
        host = parts.hostname
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

    async def _read(
        self, response: httpx.Response, url: str, source_id: str, now: datetime
    ) -> Fetched:
        status = response.status_code
        headers = dict(response.headers.items())  # lower-case names
        if status == 304:
            return Fetched(source_id, url, 304, b"", headers, now)
        if status >= 400:
            kind = "gone" if status == 410 else "http"
            raise FetchError(f"HTTP {status} {response.reason_phrase} from {url}", kind=kind)
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                f"{url} announces {int(declared):,} bytes, over the "
                f"{cap:,}-byte cap (fetch.max_bytes)",
                kind="too-large",
            )
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decompressed: a gzip bomb hits the cap
            body += chunk
            if len(body) > cap:
                raise FetchError(
                    f"{url} sent more than {cap:,} bytes (fetch.max_bytes)", kind="too-large"
                )
        return Fetched(source_id, url, status, bytes(body), headers, now)

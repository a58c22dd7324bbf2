"""HTTP for crawling: conditional GET, a total deadline, a body cap, redirects, the
address guard, robots.txt, per-host limits and politeness; owns httpx. Returns
`Fetched` values or raises `FetchError`. Also the POST of an alert to a webhook the
operator configured (`post_json`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from hub.addresses import is_public_address
from hub.config import Fetch
from hub.errors import ErrorKind, FetchError
from hub.fetch.guard import GuardedBackend, RefusedAddressError, check_url, pool
from hub.fetch.robots import Rules, robots_url
from hub.models import Fetched

__all__ = [
    "Fetcher",
    "GuardedBackend",
    "GuardedTransport",
    "RefusedAddressError",
    "Transport",
    "is_public_address",
    "post_json",
    "shown_url",
]

Transport = httpx.AsyncBaseTransport  # the network seam: tests pass httpx.MockTransport
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 7 * 86400.0  # a server asking for more than a week is read as a week
CHECK_BYTES = 64 * 1024  # of a body a link check reads (a small page read whole keeps
# its connection for the next request; a large one is cut, and its connection closed)
_REDIRECTS = {301, 302, 303, 307, 308}
REPLY_BYTES = 64 * 1024  # of a webhook's reply, what is read at most


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, dialling only the addresses the guard allows."""

    def __init__(
        self, limits: httpx.Limits, bridges: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx has no public hook for the network backend (encode/httpx#3749 proposes
        # one); its pool takes one, so replace the pool it built with an equal one that
        # connects through the guard. A private attribute: httpx is pinned below 0.29,
        # and test_the_guarded_transport_refuses_at_connect fails if this stops working.
        self._pool = pool(
            limits.max_connections or 16,
            limits.max_keepalive_connections or 16,
            limits.keepalive_expiry,
            httpx.create_ssl_context(),
            bridges,
        )


class Fetcher:
    """An HTTP client for one crawl; use as `async with Fetcher(settings, agent) as f`."""

    def __init__(
        self, settings: Fetch, user_agent: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        limits = httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        )
        if transport is None and not settings.allow_private:
            transport = GuardedTransport(limits, settings.bridged)
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
        self._next_start: dict[str, float] = {}  # host -> loop time its next request may start
        self._last_start: dict[str, float] = {}  # host -> loop time its last request started
        self._robots: dict[str, asyncio.Task[Rules]] = {}  # one robots.txt fetch per site

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
        self,
        url: str,
        *,
        source_id: str,
        now: datetime,
        etag: str = "",
        last_modified: str = "",
        cap: int | None = None,
    ) -> Fetched:
        """GET `url`, following redirects; a 304 comes back as a value, every failure as a
        FetchError.

        Each request of the way (robots.txt, each redirect) waits its turn at its host
        (`per_host`, `delay`) like any other, and `timeout` counts only the time spent
        waiting for answers: a source is judged by its server, not by the queue of other
        sources' requests in front of it. `cap`: a body's bytes, instead of `max_bytes`."""
        conditional = {
            k: v for k, v in (("if-none-match", etag), ("if-modified-since", last_modified)) if v
        }
        fetched = await self._follow(
            url, conditional, source_id, now, robots=self.settings.robots, cap=cap
        )
        if fetched.status >= 400:
            raise _status_error(fetched, now)
        return fetched

    async def check(self, url: str, *, now: datetime) -> Fetched:
        """The answer at the end of `url`'s redirects, whatever its status, for a link
        check: asked with HEAD, and again with GET when HEAD gets an error (many servers
        answer HEAD with 403, 405 or 501), reading at most CHECK_BYTES of the body. The
        guard, robots.txt, politeness and deadline as `get`; no answer is a FetchError,
        and so is a robots.txt that cannot be read (5xx): robots.txt refusing the link
        says nothing of it (kind robots), a site that cannot serve one does."""
        robots = self.settings.robots
        if robots:
            check_url(url, self.settings)  # refused before its robots.txt is asked for
            rules = await self._rules(url, "", now)
            if rules.failing:  # a site that cannot serve robots.txt is failing
                raise FetchError(f"{url} is not checked: {rules.why}", kind="http")
        head = await self._follow(url, {}, "", now, robots=robots, method="HEAD")
        waiting = head.status == 429 or (head.status == 503 and "retry-after" in head.headers)
        if head.status < 400 or waiting:
            return head
        return await self._follow(url, {}, "", now, robots=robots, keep=CHECK_BYTES)

    async def _follow(
        self,
        url: str,
        headers: Mapping[str, str],
        source_id: str,
        now: datetime,
        *,
        robots: bool,
        method: str = "GET",
        keep: int | None = None,
        cap: int | None = None,
    ) -> Fetched:
        """The answer at the end of `url`'s redirects, each hop checked by robots.txt when
        `robots` (a redirect may lead to another site) and by the address guard. With
        `keep`, only that much of the body is read, and a longer one is no error."""
        deadline = _Deadline(self.settings.timeout, url)
        seen: list[str] = []
        while True:
            check_url(url, self.settings)
            if robots:
                await self._allowed(url, source_id, now)
            answer = await self._request(
                url, headers, source_id, now, deadline, method=method, keep=keep, cap=cap
            )
            if isinstance(answer, Fetched):  # with the time its server took (the audit's)
                return dataclasses.replace(answer, seconds=self.settings.timeout - deadline.left)
            seen.append(url)
            if not answer:
                raise FetchError(f"redirect without a Location from {url}", kind="http")
            try:
                url = urljoin(url, answer)
                urlsplit(url).port  # noqa: B018 (what raises for an address that is none)
            except ValueError as exc:
                raise FetchError(
                    f"redirect to {answer[:200]!r}, which is no address, from {seen[-1]}",
                    kind="http",
                ) from exc
            if url in seen:
                raise FetchError(f"redirect loop: {' -> '.join([*seen, url])}", kind="http")
            if len(seen) > MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects from {seen[0]}", kind="http")

    async def _allowed(self, url: str, source_id: str, now: datetime) -> None:
        """Raise unless robots.txt lets hub fetch `url`."""
        rules = await self._rules(url, source_id, now)
        if not rules.allows(url):
            why = rules.why or "robots.txt disallows it"
            raise FetchError(f"{url} is not fetched: {why} (fetch.robots)", kind="robots")

    async def _rules(self, url: str, source_id: str, now: datetime) -> Rules:
        where = robots_url(url)
        if where not in self._robots:
            self._robots[where] = asyncio.ensure_future(self._load_rules(where, source_id, now))
        return await self._robots[where]

    async def _load_rules(self, where: str, source_id: str, now: datetime) -> Rules:
        try:
            fetched = await self._follow(where, {}, source_id, now, robots=False)
        except FetchError as exc:
            if exc.kind in ("refused-address", "network", "timeout"):
                raise  # the site itself cannot be reached: that is the error to report
            return Rules.unreachable(str(exc))
        return Rules.from_response(fetched.status, fetched.content.decode("utf-8", "replace"))

    async def _request(
        self,
        url: str,
        headers: Mapping[str, str],
        source_id: str,
        now: datetime,
        deadline: _Deadline,
        *,
        method: str = "GET",
        keep: int | None = None,
        cap: int | None = None,
    ) -> Fetched | str:
        """One request in its host's turn: the response, or a redirect's Location."""
        host = urlsplit(url).netloc
        limit = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with limit, self._all:
            await self._polite(host)
            try:
                async with deadline.running():
                    return await self._send(
                        url, headers, source_id, now, method=method, keep=keep, cap=cap
                    )
            except TimeoutError as exc:
                raise FetchError(
                    f"no complete answer within {self.settings.timeout:g}s from {deadline.url}",
                    kind="timeout",
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out: {url}", kind="timeout") from exc
            except httpx.InvalidURL as exc:  # 0177.0.0.1 and other forms httpx refuses
                raise FetchError(f"not an address hub can fetch: {url[:200]}", kind="http") from exc
            except httpx.RemoteProtocolError as exc:  # a Location that is no address, say
                raise FetchError(f"the server broke HTTP: {exc} ({url})", kind="http") from exc
            except httpx.HTTPError as exc:
                if isinstance(exc.__cause__, RefusedAddressError):
                    raise FetchError(str(exc.__cause__), kind="refused-address") from exc
                raise FetchError(
                    f"{type(exc).__name__}: {exc or 'connection failed'} ({url})", kind="network"
                ) from exc

    async def _polite(self, host: str) -> None:
        """Space the starts of requests to one host by fetch.delay. Each request reserves
        the next start in turn (first come, first served); one that starts late (a busy
        machine) pushes the next back, so the delay holds between actual starts."""
        loop, delay = asyncio.get_running_loop(), self.settings.delay
        start = max(loop.time(), self._next_start.get(host, 0.0))
        self._next_start[host] = start + delay
        await asyncio.sleep(start - loop.time())
        while (late := self._last_start.get(host, -delay) + delay - loop.time()) > 0:
            await asyncio.sleep(late)
        self._last_start[host] = loop.time()

    async def _send(
        self,
        url: str,
        headers: Mapping[str, str],
        source_id: str,
        now: datetime,
        *,
        method: str,
        keep: int | None,
        cap: int | None = None,
    ) -> Fetched | str:
        request = self._client.build_request(method, url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            if response.status_code not in _REDIRECTS:
                return await self._read(response, url, source_id, now, keep, cap=cap)
            return str(response.headers.get("location", ""))
        finally:
            await response.aclose()

    async def _read(
        self,
        response: httpx.Response,
        url: str,
        source_id: str,
        now: datetime,
        keep: int | None = None,
        *,
        cap: int | None = None,
    ) -> Fetched:
        status = response.status_code
        headers = dict(response.headers.items())  # lower-case names
        if status == 304:
            return Fetched(source_id, url, 304, b"", headers, now)
        if keep is not None:
            start = await _start(response, keep)
            return Fetched(source_id, url, status, start, headers, now, response.reason_phrase)
        setting = "fetch.max_bytes" if cap is None else "attachments.max_bytes"
        cap = cap or self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                f"{url} announces {int(declared):,} bytes, over the {cap:,}-byte cap ({setting})",
                kind="too-large",
            )
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decompressed: a gzip bomb hits the cap
            body += chunk
            if len(body) > cap:
                raise FetchError(
                    f"{url} sent more than {cap:,} bytes ({setting})", kind="too-large"
                )
        return Fetched(source_id, url, status, bytes(body), headers, now, response.reason_phrase)


class _Deadline:
    """The time one fetch may spend waiting for answers, over all its requests; the time
    a request waits for its turn at the host is not counted."""

    def __init__(self, seconds: float, url: str) -> None:
        self.left, self.url = seconds, url

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Count the time spent inside; raise TimeoutError once nothing is left."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(self.left, 0.0)):
                yield
        finally:
            self.left -= loop.time() - started


async def _start(response: httpx.Response, keep: int) -> bytes:
    """The first `keep` bytes of a body (decompressed); the rest is never read."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= keep:
            break
    return bytes(body[:keep])


def _status_error(fetched: Fetched, now: datetime) -> FetchError:
    status = fetched.status
    kind: ErrorKind = "gone" if status == 410 else "http"
    asked = fetched.headers.get("retry-after", "")
    wait = retry_after(asked, now) if status in (429, 503) else None
    phrase = f" {fetched.reason}" if fetched.reason else ""
    message = f"HTTP {status}{phrase} from {fetched.url}"
    return FetchError(message, kind=kind, retry_after=wait, status=status)


def retry_after(value: str, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    value = value.strip()
    if value.isascii() and value.isdigit():  # ("²".isdigit() is true too)
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


async def post_json(
    url: str,
    body: bytes,
    *,
    timeout: float,
    user_agent: str,
    transport: Transport | None = None,
) -> tuple[int, bytes]:
    """POST a JSON body to a webhook the operator configured (an alert's): no address
    guard, no robots.txt, no redirects followed. The whole exchange — connecting,
    sending, the reply — ends within `timeout`, and at most REPLY_BYTES of the reply are
    read. Returns (status, reply); a failure to get one raises FetchError, whose message
    names the address without its query (webhooks keep their keys there)."""
    headers = {"user-agent": user_agent, "content-type": "application/json; charset=utf-8"}
    try:
        async with (
            asyncio.timeout(timeout),
            httpx.AsyncClient(
                transport=transport, trust_env=False, timeout=httpx.Timeout(timeout)
            ) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            reply = bytearray()
            async for chunk in response.aiter_bytes():
                reply += chunk
                if len(reply) >= REPLY_BYTES:
                    break
            return response.status_code, bytes(reply[:REPLY_BYTES])
    except TimeoutError as exc:
        raise FetchError(
            f"no answer within {timeout:g}s from {shown_url(url)}", kind="timeout"
        ) from exc
    except httpx.HTTPError as exc:
        why = f"{type(exc).__name__}: {exc or 'connection failed'}"
        raise FetchError(f"{why} ({shown_url(url)})", kind="network") from exc


def shown_url(url: str) -> str:
    """An address as logs may show it: without its query, where webhooks keep keys."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"

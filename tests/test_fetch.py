"""The fetch stage against real HTTP on 127.0.0.1 (and the transport seam for addresses
no test may touch)."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from hub.addresses import refused_host
from hub.config import Fetch
from hub.errors import FetchError
from hub.fetch import (
    Fetcher,
    GuardedBackend,
    GuardedTransport,
    RefusedAddressError,
    is_public_address,
)
from hub.models import Fetched
from tests.httpserver import Reply, ScriptedServer

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
LOCAL = Fetch(allow_private=True, timeout=2.0, max_bytes=4096, robots=False, delay=0)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def get(
    url: str,
    settings: Fetch = LOCAL,
    transport: httpx.AsyncBaseTransport | None = None,
    **conditional: str,
) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(settings, "hub-tests", transport) as fetcher:
            return await fetcher.get(url, source_id="s", now=NOW, **conditional)

    return asyncio.run(go())


def failure(
    url: str, settings: Fetch = LOCAL, transport: httpx.AsyncBaseTransport | None = None
) -> FetchError:
    with pytest.raises(FetchError) as caught:
        get(url, settings, transport)
    return caught.value


def test_ok_response_carries_body_headers_and_time(server: ScriptedServer) -> None:
    server.routes["/feed"] = Reply(200, b"<rss/>", {"ETag": '"v1"', "Content-Type": "text/xml"})
    fetched = get(server.url + "/feed")
    assert (fetched.status, fetched.content, fetched.fetched_at) == (200, b"<rss/>", NOW)
    assert fetched.headers["etag"] == '"v1"'
    assert server.seen[0][1]["user-agent"] == "hub-tests"


def test_conditional_get_sends_validators_and_returns_304_as_a_value(
    server: ScriptedServer,
) -> None:
    def answer(request: object) -> Reply:
        headers = server.seen[-1][1]
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, b"full", {"ETag": '"v1"'})

    server.routes["/feed"] = answer
    fetched = get(server.url + "/feed", etag='"v1"', last_modified="Mon, 15 Jun 2026 00:00:00 GMT")
    assert fetched.status == 304 and fetched.content == b""
    assert server.seen[0][1]["if-modified-since"] == "Mon, 15 Jun 2026 00:00:00 GMT"


@pytest.mark.parametrize(("status", "kind"), [(500, "http"), (404, "http"), (410, "gone")])
def test_http_errors_have_a_kind(server: ScriptedServer, status: int, kind: str) -> None:
    server.routes["/x"] = Reply(status, b"no")
    error = failure(server.url + "/x")
    assert error.kind == kind and f"HTTP {status}" in str(error)


def test_announced_size_over_the_cap_is_refused(server: ScriptedServer) -> None:
    server.routes["/big"] = Reply(200, b"x" * 5000)
    error = failure(server.url + "/big")
    assert error.kind == "too-large" and "announces 5,000 bytes" in str(error)


def test_gzip_bomb_is_cut_at_the_cap_after_decompression(server: ScriptedServer) -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)  # about 1 KB on the wire, 1 MB inside
    server.routes["/bomb"] = Reply(200, bomb, {"Content-Encoding": "gzip"})
    assert len(bomb) < LOCAL.max_bytes
    error = failure(server.url + "/bomb")
    assert error.kind == "too-large" and "sent more than 4,096 bytes" in str(error)


def test_a_drip_is_cut_at_the_total_deadline(server: ScriptedServer) -> None:
    server.routes["/drip"] = Reply(200, b"x" * 100, drip=0.1)  # 10 s if let run
    started = time.monotonic()
    error = failure(server.url + "/drip", Fetch(allow_private=True, timeout=0.5))
    assert error.kind == "timeout"
    assert time.monotonic() - started < 8  # cut at the deadline, not after the whole 10 s


def test_redirects_are_followed_and_the_final_url_kept(server: ScriptedServer) -> None:
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(200, b"moved")
    fetched = get(server.url + "/old")
    assert fetched.url == server.url + "/new" and fetched.content == b"moved"


def test_redirect_loops_and_chains_stop(server: ScriptedServer) -> None:
    server.routes["/a"] = Reply(302, headers={"Location": "/b"})
    server.routes["/b"] = Reply(302, headers={"Location": "/a"})
    assert "redirect loop" in str(failure(server.url + "/a"))
    for n in range(8):
        server.routes[f"/c{n}"] = Reply(302, headers={"Location": f"/c{n + 1}"})
    assert "more than 5 redirects" in str(failure(server.url + "/c0"))


def test_loopback_is_refused_before_any_packet_by_default(server: ScriptedServer) -> None:
    server.routes["/x"] = Reply(200, b"secret")
    error = failure(server.url + "/x", Fetch())
    assert error.kind == "refused-address"
    assert server.seen == []  # nothing reached the server


def test_a_bridge_the_operator_names_is_fetched_and_no_other_private_address(
    server: ScriptedServer,
) -> None:
    server.routes["/feed"] = Reply(200, b"<rss/>")
    port = int(server.url.rsplit(":", 1)[1])
    bridged = Fetch(bridges=[f"127.0.0.1:{port}"])
    assert get(server.url + "/feed", bridged).content == b"<rss/>"
    # the same host on another port, or another private address, is still refused
    assert failure(f"http://127.0.0.1:{port + 1}/feed", bridged).kind == "refused-address"
    assert failure("http://10.0.0.7/feed", bridged).kind == "refused-address"
    # a redirect from the bridge to another private address is refused too
    server.routes["/away"] = Reply(302, headers={"Location": f"http://127.0.0.1:{port + 1}/x"})
    assert failure(server.url + "/away", bridged).kind == "refused-address"
    with pytest.raises(ValueError, match="host:port"):
        Fetch(bridges=["127.0.0.1"])


def test_localhost_is_refused_by_name() -> None:
    assert failure("http://localhost:9/x", Fetch()).kind == "refused-address"
    assert failure("http://db.localhost:9/x", Fetch()).kind == "refused-address"


def test_the_connect_time_guard_refuses_what_a_name_resolves_to(server: ScriptedServer) -> None:
    # A name is checked after resolution, on the address actually dialled, so a DNS
    # answer cannot change between check and connect. Resolving a literal needs no DNS.
    async def dial() -> None:
        await GuardedBackend().connect_tcp("127.0.0.1", int(server.url.rsplit(":", 1)[1]))

    with pytest.raises(RefusedAddressError, match=r"127\.0\.0\.1"):
        asyncio.run(dial())
    assert server.seen == []


def test_the_guarded_transport_refuses_at_connect(server: ScriptedServer) -> None:
    # The transport itself, below the URL check: the guard must be the network backend
    # httpx dials through (it replaces a private attribute of httpx's transport).
    server.routes["/x"] = Reply(200, b"secret")

    async def send() -> None:
        transport = GuardedTransport(httpx.Limits(max_connections=2))
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(server.url + "/x")

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(send())
    assert isinstance(caught.value.__cause__, RefusedAddressError)
    assert server.seen == []


def test_redirect_to_a_private_address_is_refused_on_the_way() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://10.0.0.7/admin"})

    error = failure(
        "http://portal.example.gov.cn/feed", Fetch(robots=False), httpx.MockTransport(handler)
    )
    assert error.kind == "refused-address" and "10.0.0.7" in str(error)
    assert requested == ["http://portal.example.gov.cn/feed"]  # the private hop was never requested


PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "114.114.114.114",  # a resolver in China
    "223.5.5.5",
    "192.0.1.1",  # beside 192.0.0.0/24 and 192.0.2.0/24, not in them
    "198.20.0.1",  # beside benchmarking 198.18.0.0/15
    "100.128.0.1",  # beside shared 100.64.0.0/10
    "2001:4860:4860::8888",
    "2400:3200::1",  # an address in China's IPv6 space
    "2620:0:ccc::2",
    "::ffff:8.8.8.8",  # an IPv4-mapped public address is that public address
    "64:ff9b::808:808",  # NAT64 to 8.8.8.8
]
# IANA's special-purpose registries, a row each (and some neighbours of their edges)
REFUSED = [
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",  # cloud metadata
    "172.16.0.1",
    "172.31.255.254",
    "192.0.0.1",
    "192.0.0.9",  # PCP anycast: still IETF protocol space
    "192.0.2.1",
    "192.31.196.1",
    "192.52.193.1",
    "192.88.99.1",
    "192.168.1.1",
    "192.175.48.1",
    "198.18.0.1",
    "198.19.255.254",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "[::1]",
    "::a00:1",  # IPv4-compatible, deprecated
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 to 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 to 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 to 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215)
    "100::1",  # discard
    "2001::1",  # Teredo
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo with an embedded client
    "2001:2::1",  # benchmarking
    "2001:10::1",  # ORCHID
    "2001:db8::1",  # documentation
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:808:808::1",  # 6to4 of a public address: deprecated all the same
    "2620:4f:8000::1",  # AS112
    "3fff::1",  # documentation (RFC 9637)
    "5f00::1",  # SRv6 SIDs
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",  # site-local, deprecated
    "ff02::1",
    "4000::1",  # outside global unicast 2000::/3
]


@pytest.mark.parametrize(
    ("address", "public"),
    [(a, True) for a in PUBLIC] + [(a, False) for a in REFUSED],
)
def test_public_address_table(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize("host", ["[64:ff9b::a00:1]", "[2002:a00:1::]", "[::ffff:0:a00:1]"])
def test_ipv6_forms_of_a_private_address_are_refused_before_any_packet(host: str) -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(200, text="secret")

    error = failure(f"http://{host}/", Fetch(robots=False), httpx.MockTransport(handler))
    assert error.kind == "refused-address"
    assert requested == []


def test_connection_refused_is_a_network_error() -> None:
    with ScriptedServer() as closed:
        url = closed.url
    error = failure(url + "/x")
    assert error.kind == "network"


@pytest.mark.parametrize(
    ("status", "header", "wait"),
    [
        (503, "120", 120.0),
        (429, "Mon, 15 Jun 2026 02:00:00 GMT", 3600.0),  # an HTTP date, an hour after NOW
        (429, "Mon, 15 Jun 2026 00:00:00 GMT", 0.0),  # already past
        (503, "soon", None),
        (503, "²", None),  # a digit to str.isdigit(), not to float()
        (500, "120", None),  # only 429 and 503 carry a meaningful Retry-After
    ],
)
def test_retry_after_is_read(
    server: ScriptedServer, status: int, header: str, wait: float | None
) -> None:
    server.routes["/busy"] = Reply(status, b"busy", {"Retry-After": header})
    assert failure(server.url + "/busy").retry_after == wait


class Stamping(httpx.AsyncBaseTransport):
    """Real HTTP, with the time each request left hub: spacing is judged where hub
    spaces requests, not where a busy server thread happens to stamp them."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((time.monotonic(), request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def gaps(self) -> list[float]:
        times = sorted(t for t, _ in self.sent)
        return [b - a for a, b in itertools.pairwise(times)]


def test_requests_to_one_host_are_spaced_by_the_delay(server: ScriptedServer) -> None:
    for n in range(4):
        server.routes[f"/{n}"] = Reply(200, b"ok")
    polite = Fetch(allow_private=True, robots=False, delay=0.2, per_host=4)
    stamping = Stamping()

    async def go() -> None:
        async with Fetcher(polite, "hub-tests", stamping) as fetcher:
            await asyncio.gather(
                *(fetcher.get(f"{server.url}/{n}", source_id="s", now=NOW) for n in range(4))
            )

    asyncio.run(go())
    assert len(stamping.sent) == 4 and min(stamping.gaps()) >= 0.17, stamping.gaps()


def test_redirect_hops_wait_their_turn_and_the_wait_is_not_their_deadline(
    server: ScriptedServer,
) -> None:
    # One request at a time to the host, 0.5 s apart, and a deadline of 1 s: the
    # redirect's second hop queues behind three other requests (1.5 s) and still succeeds,
    # because the deadline counts the server's answers, not the queue.
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(200, b"moved")
    for n in range(3):
        server.routes[f"/{n}"] = Reply(200, b"ok")
    polite = Fetch(allow_private=True, robots=False, delay=0.5, per_host=1, timeout=1)
    stamping = Stamping()

    async def go() -> list[Fetched]:
        async with Fetcher(polite, "hub-tests", stamping) as fetcher:
            paths = ["/old", "/0", "/1", "/2"]
            return await asyncio.gather(
                *(fetcher.get(server.url + p, source_id="s", now=NOW) for p in paths)
            )

    moved, *_ = asyncio.run(go())
    assert moved.content == b"moved"
    order = [path for _, path in sorted(stamping.sent)]
    assert order == ["/old", "/0", "/1", "/2", "/new"]  # the hop took its place in the queue
    assert min(stamping.gaps()) >= 0.45, stamping.gaps()


def test_robots_txt_of_the_site_a_redirect_leads_to_is_honoured() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            closed = request.url.host == "other.example.gov.cn"
            return httpx.Response(200, text="User-agent: *\nDisallow: /\n" if closed else "")
        if request.url.host == "portal.example.gov.cn":
            return httpx.Response(302, headers={"Location": "http://other.example.gov.cn/feed"})
        return httpx.Response(200, text="<rss/>")

    error = failure(
        "http://portal.example.gov.cn/feed",
        Fetch(allow_private=False, delay=0),
        httpx.MockTransport(handler),
    )
    assert error.kind == "robots" and "other.example.gov.cn/feed" in str(error)


ROBOTS = Fetch(allow_private=True, timeout=2.0, delay=0)


def test_robots_txt_is_honoured_and_read_once_per_crawl(server: ScriptedServer) -> None:
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    server.routes["/open"] = Reply(200, b"fine")
    server.routes["/private/x"] = Reply(200, b"secret")

    async def go() -> tuple[Fetched, FetchError]:
        async with Fetcher(ROBOTS, "hub-tests") as fetcher:
            ok = await fetcher.get(server.url + "/open", source_id="s", now=NOW)
            with pytest.raises(FetchError) as refused:
                await fetcher.get(server.url + "/private/x", source_id="s", now=NOW)
            return ok, refused.value

    ok, refused = asyncio.run(go())
    assert ok.content == b"fine"
    assert refused.kind == "robots" and "robots.txt disallows" in str(refused)
    assert [path for path, _ in server.seen] == ["/robots.txt", "/open"]


def test_robots_rules_for_our_own_token(server: ScriptedServer) -> None:
    server.routes["/robots.txt"] = Reply(200, b"User-agent: hub\nDisallow: /\n\nUser-agent: *\n")
    server.routes["/x"] = Reply(200, b"x")
    assert failure(server.url + "/x", ROBOTS).kind == "robots"


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (401, True), (500, False)])
def test_robots_txt_status_follows_rfc_9309(
    server: ScriptedServer, status: int, allowed: bool
) -> None:
    server.routes["/robots.txt"] = Reply(status, b"")
    server.routes["/x"] = Reply(200, b"x")
    if allowed:
        assert get(server.url + "/x", ROBOTS).content == b"x"
    else:
        error = failure(server.url + "/x", ROBOTS)
        assert error.kind == "robots" and "robots.txt answered HTTP 500" in str(error)


@pytest.mark.parametrize("location", ["http://[oops/x", "http://127.0.0.1:port/"])
def test_a_redirect_to_no_address_is_an_http_error(server: ScriptedServer, location: str) -> None:
    server.routes["/moved"] = Reply(302, headers={"Location": location})
    error = failure(server.url + "/moved")
    said = str(error).lower()
    assert error.kind == "http" and ("location" in said or "no address" in said), error


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://localhost/x", True),
        ("http://localhost./x", True),
        ("http://db.localhost/x", True),
        ("http://127.0.0.1/x", True),
        ("http://127.1/x", True),  # what a resolver reads as 127.0.0.1
        ("http://2130706433/x", True),
        ("http://0x7f000001/x", True),
        ("http://[::1]/x", True),
        ("http://[64:ff9b::a00:1]/x", True),
        ("http://10.0.0.7/x", True),
        ("http://8.8.8.8/x", False),
        ("http://www.example.gov.cn/x", False),  # a name: judged when it is resolved
        ("http://add.cafe/x", False),
        ("http://[oops/x", False),  # no address: the fetch says so
    ],
)
def test_hub_check_names_the_addresses_the_guard_will_refuse(url: str, refused: bool) -> None:
    assert bool(refused_host(url)) is refused

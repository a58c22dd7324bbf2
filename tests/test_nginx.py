"""Debian's nginx on 127.0.0.1, configured by `hub nginx`, in front of `hub serve`: the
same pages, media types, caching and 404 as hub serve, gzip, the search passed through,
pages without hub serve, and readers during publishes who never see an error or a
half page. Skipped without nginx, unless HUB_REQUIRE_NGINX=1 (CI)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import load
from bench import nginx as front_end
from hub.cli import main
from hub.serve import Server, nginx
from tests.conftest import Crawled
from tests.test_serve import get


@pytest.fixture(scope="module", autouse=True)
def _nginx_installed() -> None:
    if front_end.NGINX is None:
        if os.environ.get("HUB_REQUIRE_NGINX") == "1":
            pytest.fail("HUB_REQUIRE_NGINX=1 and nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx; CI sets HUB_REQUIRE_NGINX=1)")


@dataclass
class Front:
    nginx: str  # http://127.0.0.1:PORT, no trailing slash
    hub: str


@pytest.fixture(scope="module")
def front(crawled: Crawled, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    server = Server(crawled.config, crawled.clock, port=0).start()
    port = front_end.free_port()
    text = nginx.config_text(crawled.config.site_dir, f"127.0.0.1:{server.port}", listen=str(port))
    try:
        with front_end.running(text, port, tmp_path_factory.mktemp("nginx")):
            yield Front(f"http://127.0.0.1:{port}", server.url.rstrip("/"))
    finally:
        server.stop()


def some_post(crawled: Crawled) -> str:
    live = crawled.config.site_dir.resolve()
    return "/" + sorted(p.relative_to(live).as_posix() for p in live.glob("p/*/*/*.html"))[0]


def some_copy(crawled: Crawled, ext: str) -> str:
    """An attachment's copy kept with the portal (the demo's are PDF, DOCX and XLSX)."""
    live = crawled.config.site_dir.resolve()
    return "/" + sorted(p.relative_to(live).as_posix() for p in live.glob(f"f/*.{ext}"))[0]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COPIES = {"copy.pdf": "application/pdf", "copy.docx": DOCX, "copy.xlsx": XLSX}
PATHS = [
    "/",
    "/c/pingan/",
    "/c/pingan/2/",
    "/sources/",
    "/map/",
    "/feed.xml",
    "/feed.json",
    "/feed.atom",
    "/c/pingan/feed.json",
    "/c/pingan/feed.atom",
    "/sources.opml",
    "/robots.txt",
    "/sitemap.xml",
    "/static/style.css",
    "/static/style.css?v=0123456789",
    "/static/favicon.svg",
    "/static/aids.js",
    "/static/icon-192.png",
    "/manifest.webmanifest",
    "/sw.js",
    "/offline.html",
    "/p/2099/01/nothing.html",  # the site's 404 page
    "/.manifest.json",  # the build's record: not a page
    "/c/pingan",  # a folder without its slash: redirected
    "/c/pingan?from=app",
    "/search/?q=" + urllib.parse.quote("防汛"),
    "/api/search?q=" + urllib.parse.quote("防汛"),
]
COMPARED = ("content-type", "cache-control", "location", "x-content-type-options")


@pytest.mark.parametrize("path", [*PATHS, "post", *COPIES])
def test_nginx_answers_as_hub_serve_does(front: Front, crawled: Crawled, path: str) -> None:
    path = some_post(crawled) if path == "post" else path
    kind = COPIES.get(path)
    if kind is not None:  # a document's copy: its media type, never sniffed
        path = some_copy(crawled, path.split(".")[1])
        headers = get(front.nginx + path)[1]
        assert (headers["content-type"], headers["x-content-type-options"]) == (kind, "nosniff")
    status, headers, body = get(front.nginx + path)
    hub_status, hub_headers, hub_body = get(front.hub + path)
    assert status == hub_status, path
    assert headers["server"] == "nginx"  # nginx answered, not uvicorn
    if status == 301:  # the same address; the redirect's own little page is nginx's
        assert headers["location"] == hub_headers["location"], path
        return
    for name in COMPARED:
        assert headers.get(name) == hub_headers.get(name), (path, name)
    assert body == hub_body, path


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/c/pingan/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/c/pingan/feed.json", "application/feed+json"),
        ("/sources.opml", "text/x-opml; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/aids.js", "text/javascript; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/icon-192.png", "image/png"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/sw.js", "text/javascript; charset=utf-8"),
    ],
)
def test_media_types(front: Front, path: str, kind: str) -> None:
    status, headers, _ = get(front.nginx + path)
    assert (status, headers["content-type"]) == (200, kind)


def test_gzip_validators_and_cache_lifetimes(front: Front) -> None:
    _, plain_headers, plain = get(front.nginx + "/")
    status, headers, body = get(front.nginx + "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding" and gzip.decompress(body) == plain
    assert "content-encoding" not in plain_headers
    _, feed_headers, _ = get(front.nginx + "/feed.atom", {"Accept-Encoding": "gzip"})
    assert feed_headers["content-encoding"] == "gzip"
    # pages: revalidated, and unchanged ones answered 304
    assert plain_headers["cache-control"] == "no-cache"
    assert get(front.nginx + "/", {"If-None-Match": plain_headers["etag"]})[0] == 304
    modified = {"If-Modified-Since": plain_headers["last-modified"]}
    assert get(front.nginx + "/", modified)[0] == 304
    # the theme's files: a year under their hashed address, a day without
    _, versioned, _ = get(front.nginx + "/static/style.css?v=0123456789")
    assert versioned["cache-control"] == "public, max-age=31536000, immutable"
    _, unversioned, _ = get(front.nginx + "/static/style.css")
    assert unversioned["cache-control"] == "public, max-age=86400"


def test_search_and_health_are_hub_serve_through_nginx(front: Front) -> None:
    status, headers, body = get(front.nginx + "/search/?q=" + urllib.parse.quote("防汛"))
    assert status == 200 and "<mark>防汛</mark>" in body.decode()
    status, _, body = get(front.nginx + "/search?q=" + urllib.parse.quote("防汛"))
    assert status == 200 and "<mark>防汛</mark>" in body.decode()
    through = json.loads(get(front.nginx + "/api/search?q=" + urllib.parse.quote("旅游"))[2])
    direct = json.loads(get(front.hub + "/api/search?q=" + urllib.parse.quote("旅游"))[2])
    assert through == direct and through["total"] > 0
    status, headers, _ = get(front.nginx + "/api/search?since=yesterday&q=x")
    assert status == 400  # hub's own answers pass through
    status, headers, body = get(front.nginx + "/healthz")
    # the in-process hub serve answered (its worker header names this process)
    assert (status, body, headers["x-hub-worker"]) == (200, b"ok\n", str(os.getpid()))


def test_the_desk_and_traversal_are_not_reachable(front: Front) -> None:
    for path in ("/login", "/desk/", "/api/decisions"):
        status, _, body = get(front.nginx + path)
        assert status == 404 and "页面未找到".encode() in body, path
    for path in ("/..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2F..%2Fetc%2Fpasswd"):
        status, _, body = get(front.nginx + path)
        assert status in (400, 404) and b"root:" not in body, path


def test_pages_need_no_hub_serve(crawled: Crawled, tmp_path: Path) -> None:
    """With hub serve down, nginx serves every page and feed; only the search fails."""
    port, nobody = front_end.free_port(), front_end.free_port()
    text = nginx.config_text(crawled.config.site_dir, f"127.0.0.1:{nobody}", listen=str(port))
    with front_end.running(text, port, tmp_path):
        base = f"http://127.0.0.1:{port}"
        for path in ("/", "/c/pingan/", "/feed.xml", "/static/style.css"):
            assert get(base + path)[0] == 200, path
        assert get(base + "/api/search?q=x")[0] == 502
        assert get(base + "/healthz")[0] == 502


def test_readers_through_nginx_see_whole_answers_while_publishes_swap_the_site(
    tmp_path: Path,
) -> None:
    """hub serve with two workers behind nginx; readers of pages, feeds, the search page
    and the API while `hub publish --full` switches the site twice: every answer a
    whole 200 (a page to its </html>, JSON that parses), from the old build or the new."""
    config = load.demo_site(tmp_path)
    chosen = load.targets(config.site_dir)
    first_build = config.site_dir.resolve()
    port = front_end.free_port()
    with load.served(config.path, workers=2) as (_, hub_port):
        text = nginx.config_text(config.site_dir, f"127.0.0.1:{hub_port}", listen=str(port))
        with front_end.running(text, port, tmp_path / "nginx"):
            publisher, done = load.publishing(config.path, rounds=2, pause=0.2)
            seen = load.read(
                "127.0.0.1", port, chosen, readers=16, seconds=120, most=50_000, until=done.is_set
            )
            publisher.join()
            # and once the publishes are over, the last build's files, not a cached
            # earlier one's (a full publish writes the same bytes anew: compare dates)
            for path in ("/", "/feed.xml", "/sources/"):
                live = config.site_dir / path.lstrip("/")
                live = live / "index.html" if live.is_dir() else live
                _, headers, _ = get(f"http://127.0.0.1:{port}{path}")
                assert headers["last-modified"] == formatdate(live.stat().st_mtime, usegmt=True)
    assert seen.errors == []
    assert config.site_dir.resolve() != first_build  # the site was swapped under them
    assert seen.requests > 300
    assert {"page", "post", "search", "api", "feed"} <= set(seen.by_kind)


def test_hub_nginx_prints_the_configuration_for_this_site(crawled: Crawled) -> None:
    result = CliRunner().invoke(
        main,
        ["nginx", "-c", str(crawled.config.path), "--server-name", "xxgk.example.gov.cn",
         "--listen", "8080", "--upstream", "127.0.0.1:8100"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    assert f'root "{crawled.config.site_dir}";' in text  # the link, not today's build
    assert "server_name xxgk.example.gov.cn;" in text and "listen 8080;" in text
    assert "server 127.0.0.1:8100;" in text
    # what reaches hub serve: the search and the health check, nothing else
    proxied = [
        line.split()[2] for line in text.splitlines() if line.strip().startswith("location =")
    ]
    assert proxied == ["/search", "/search/", "/api/search", "/healthz"]
    assert text.count("proxy_pass") == 4


@pytest.mark.parametrize(
    ("option", "value"),
    [("--listen", "80; include /etc/passwd"), ("--server-name", "a;b"), ("--upstream", "x")],
)
def test_hub_nginx_refuses_what_nginx_would_misread(
    crawled: Crawled, option: str, value: str
) -> None:
    result = CliRunner().invoke(main, ["nginx", "-c", str(crawled.config.path), option, value])
    assert result.exit_code == 1 and option in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_the_configuration_passes_nginx_t_inside_debians_nginx_conf(
    crawled: Crawled, tmp_path: Path
) -> None:
    """Where the operator puts it: included by Debian's own nginx.conf, beside its
    mime.types and its `gzip on`, in place of sites-enabled."""
    debian = Path("/etc/nginx/nginx.conf")
    if not debian.is_file() or os.geteuid() != 0:
        pytest.skip("needs Debian's /etc/nginx/nginx.conf, and root to open its log files")
    site = tmp_path / "hub.conf"
    site.write_text(nginx.config_text(crawled.config.site_dir), encoding="utf-8")
    text = debian.read_text(encoding="utf-8")
    assert "include /etc/nginx/sites-enabled/*;" in text
    main_conf = tmp_path / "nginx.conf"
    main_conf.write_text(text.replace("/etc/nginx/sites-enabled/*", str(site)), encoding="utf-8")
    assert front_end.NGINX is not None
    result = subprocess.run(
        [front_end.NGINX, "-t", "-c", str(main_conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr, result.stderr

"""Page weight of the residents' portal, as a phone loads it: each kind of page of the
demo county (home, a section, a post, a department, search with filters, /sources/,
the site map, the 办事服务 pages), opened in headless Chromium at 390x844 from `hub
serve` with an empty cache: the requests it makes and the bytes sent over the wire
(gzip as served).

    python -m bench.weight

The baseline in the same run is the page's own HTML: the rows say how much the rest
(style, script, icon) adds to it."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Row, quiet
from bench.load import demo_site, served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request

WIDTH, HEIGHT = 390, 844


@dataclass(frozen=True)
class Weight:
    requests: int
    bytes: int  # every response, headers and body as sent
    html: int  # the page's own document, the same way


def chromium() -> str | None:
    found = os.environ.get("HUB_CHROMIUM")
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = found or shutil.which(name)
    return found


def pages(site: Path) -> dict[str, str]:
    """A path of each kind of page in the built demo portal."""
    post = min((site / "p").rglob("*.html")).relative_to(site).as_posix()
    source = min(p.parent.name for p in (site / "s").glob("*/index.html"))
    section = min(p.parent.name for p in (site / "c").glob("*/index.html"))
    return {
        "home": "",
        "section": f"c/{section}/",
        "post": post,
        "department": f"s/{source}/",
        "search": "search/?q=%E9%98%B2%E6%B1%9B&group=%E9%83%A8%E9%97%A8",  # 防汛, 部门
        "sources": "sources/",
        "site map": "map/",
        "services": "banshi/",
        "a theme's services": "banshi/t/huji/",
        "a service": min((site / "banshi" / "s").glob("*.html")).relative_to(site).as_posix(),
    }


def weigh(browser_path: str, base: str, paths: dict[str, str]) -> dict[str, Weight]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (heavy, dev only)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            weights = {name: first_visit(browser, base + path) for name, path in paths.items()}
            weights["service worker install"] = installed(browser, base)
            return weights
        finally:
            browser.close()


def first_visit(browser: Browser, url: str) -> Weight:
    """`url` loaded in a new context (nothing cached), until the network is quiet."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        done: list[Request] = []

        def finished(request: Request) -> None:  # (playwright wants a function of Python)
            done.append(request)

        page.on("requestfinished", finished)
        page.goto(url, wait_until="networkidle")
        # each request counted, a URL asked twice twice
        sent = [(r.url, r.sizes()) for r in done]
        sizes = [(u, s["responseBodySize"] + s["responseHeadersSize"]) for u, s in sent]
        own = next(size for u, size in sizes if u == url)
        return Weight(len(done), sum(size for _, size in sizes), own)
    finally:
        context.close()


INSTALLED = """async () => {
  await navigator.serviceWorker.ready;
  for (let n = 0; n < 100; n++) {
    const keys = await caches.keys();
    if (keys.length && (await (await caches.open(keys[0])).keys()).length >= 5) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}"""


def installed(browser: Browser, url: str) -> Weight:
    """What the service worker fetches once per version of the theme and sections, after
    the first page: the home page, the offline page, the theme's files and each
    section's newest list (the page's own requests aside)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        done: list[Request] = []

        def finished(request: Request) -> None:
            if request.service_worker is not None:
                done.append(request)

        context.on("requestfinished", finished)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        if not page.evaluate(INSTALLED):
            raise SystemExit("the service worker did not install")
        page.wait_for_load_state("networkidle")
        sent = [r.sizes() for r in done]
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sent)
        return Weight(len(done), total, 0)
    finally:
        context.close()


def rows(repeat: int = 1) -> list[Row]:
    del repeat
    browser_path = chromium()
    if browser_path is None:
        return [Row("page weight", float("nan"), "KB", "no Chromium found: not measured")]
    with tempfile.TemporaryDirectory() as folder, quiet():
        config = demo_site(Path(folder))
        with served(config.path) as (host, port):
            weights = weigh(browser_path, f"http://{host}:{port}/", pages(config.site_dir))
    worker = weights.pop("service worker install")
    return [
        Row(
            f"page weight, {name}",
            w.bytes / 1024,
            "KB",
            f"{w.requests} requests; the HTML {w.html / 1024:.1f} KB, the rest "
            f"{(w.bytes - w.html) / 1024:.1f} KB ({w.bytes / w.html:.2f}x the HTML alone)",
        )
        for name, w in weights.items()
    ] + [
        Row(
            "page weight, service worker install",
            worker.bytes / 1024,
            "KB",
            f"{worker.requests} requests, once per version of the theme and sections, "
            "after the first page has loaded: the home page, the offline page, the "
            "theme's files and each section's newest list",
        )
    ]


def main() -> None:
    for row in rows():
        print(f"{row.name:<32} {row.value:8.1f} {row.unit:<3} {row.note}")


if __name__ == "__main__":
    main()

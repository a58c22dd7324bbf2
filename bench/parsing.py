"""Parse + normalize + sanitize throughput, beside raw feedparser on the same bytes.

The feed is built from real government prose (../shared/data, when present) or from the
demo county's phrase banks, with the markup government sites put around it."""

from __future__ import annotations

import json
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from bench.common import START, Row, best
from hub import parse
from hub.config import Source
from hub.demo import SOURCES, World
from hub.models import Fetched

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ITEMS = 500
SOURCE = Source(id="bench", name="bench", feed="https://bench.example.gov.cn/rss.xml")


def paragraphs() -> tuple[list[str], str]:
    reports = DATA / "government_work_reports.jsonl"
    if reports.is_file():
        lines = reports.read_text(encoding="utf-8").splitlines()
        found = [
            p.strip()
            for line in lines
            for p in json.loads(line)["content"].split("\n")
            if len(p.strip()) > 60
        ]
        return found, "real prose from ../shared/data"
    world = World(clock=lambda: START)
    found = [p for s in SOURCES for post in world.latest(s, 20) for p in post.paragraphs]
    return found, "the demo county's phrase banks (../shared/data absent)"


def feed(texts: list[str]) -> bytes:
    items = []
    for n in range(ITEMS):
        body = "".join(
            f'<p style="text-indent:2em" onclick="track({n})">{escape(text)}</p>'
            for text in (texts[(n * 3 + k) % len(texts)] for k in range(3))
        )
        body += (
            f'<p><a href="/files/{n}.pdf">附件{n}</a><img src="/img/{n}.jpg">'
            "<script>x()</script></p>"
        )
        items.append(
            f"<item><title>{escape(texts[n % len(texts)][:28])}</title>"
            f"<link>https://bench.example.gov.cn/art/{n}.html</link><guid>bench-{n}</guid>"
            f"<pubDate>{format_datetime(START)}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>bench</title>{''.join(items)}</channel></rss>"
    ).encode()


def rows(repeat: int) -> list[Row]:
    texts, origin = paragraphs()
    content = feed(texts)
    fetched = Fetched(
        "bench", SOURCE.url, 200, content, {"content-type": "application/rss+xml"}, START
    )
    zone = ZoneInfo("Asia/Shanghai")
    raw, raw_seconds = best(lambda: feedparser.parse(content), repeat)
    parsed, hub_seconds = best(
        lambda: parse.feed_posts(fetched, parse.Reading(SOURCE, zone, START)), repeat
    )
    posts = parsed.posts
    if not len(posts) == len(raw.entries) == ITEMS:
        raise RuntimeError(f"parsed {len(posts)} and {len(raw.entries)} of {ITEMS} items")
    size = len(content) / ITEMS / 1024
    return [
        Row(
            "raw feedparser.parse (sanitizing)",
            ITEMS / raw_seconds,
            "items/s",
            f"{ITEMS} items of {size:.1f} KiB, {origin}",
        ),
        Row(
            "hub parse+normalize+sanitize",
            ITEMS / hub_seconds,
            "items/s",
            f"{raw_seconds / hub_seconds:.2f}x feedparser's speed on the same bytes "
            "(nh3 allowlist, dates, identity, attachments, hash)",
        ),
    ]

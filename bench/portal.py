"""Building the portal for 10,000 posts, beside bare Jinja2 rendering and writing of the
same pages; then an incremental publish after 100 new posts."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from bench.common import START, Row, prose, timed
from hub import config as config_module
from hub import site
from hub.demo import SOURCES, channels_yaml
from hub.models import Post, Routed, StoredPost
from hub.route import Router
from hub.site.pages import Plan
from hub.site.render import Renderer

POSTS, NEW = 10_000, 100


def stored_posts(first: int, count: int, texts: list[str]) -> list[StoredPost]:
    live = [s for s in SOURCES if s.status == "ok"]
    made = []
    for n in range(first, first + count):
        text = texts[n % len(texts)]
        published = START - timedelta(minutes=30 * (POSTS - n))
        post = Post(
            source_id=live[n % len(live)].id,
            key=str(n),
            url=f"https://x.gov.cn/{n}.html",
            title=text[:24],
            content_html="".join(f"<p>{text}</p>" for _ in range(3)),
            text=text * 3,
            published=published,
        )
        made.append(StoredPost(post, published, published))
    return made


def bare_render(config: config_module.Config, routed: list[Routed], folder: Path) -> int:
    """The same pages with the same Jinja2 environment, rendered and written, nothing else:
    no keys, no manifest, no links to the previous build, no atomic switch."""
    environment = Renderer(config).env
    count = 0
    for page in Plan(site.Edition(config, routed, {}, START)).pages():
        target = folder / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        text = environment.get_template(page.template).render({**page.context, "now": START})
        target.write_text(text, encoding="utf-8")
        count += 1
    return count


def rows(repeat: int) -> list[Row]:
    texts = prose()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "channels.yaml").write_text(channels_yaml(), encoding="utf-8")
        config = config_module.load(folder / "channels.yaml")
        router = Router(config.channels, config.sources, config.site.zone)
        posts = stored_posts(0, POSTS, texts)
        routed = router.route_all(posts, START)
        full, full_seconds = timed(
            lambda: site.build(site.Edition(config, routed, {}, START), full=True)
        )
        pages, bare_seconds = timed(lambda: bare_render(config, routed, folder / "bare"))
        newer = stored_posts(POSTS, NEW, texts)
        routed = router.route_all([*newer[::-1], *posts], START + timedelta(hours=1))
        incremental, step_seconds = timed(
            lambda: site.build(site.Edition(config, routed, {}, START + timedelta(hours=1)))
        )
    return [
        Row(
            f"portal build, {POSTS:,} posts, full",
            full.pages / full_seconds,
            "files/s",
            f"{full.pages:,} files in {full_seconds:.1f}s; "
            f"{bare_seconds / full_seconds:.2f}x the speed of bare Jinja2 render+write",
        ),
        Row(
            "portal build, bare Jinja2 (baseline)",
            pages / bare_seconds,
            "pages/s",
            f"{pages:,} pages in {bare_seconds:.1f}s",
        ),
        Row(
            f"incremental publish, +{NEW} posts",
            step_seconds,
            "s",
            f"{incremental.written:,} of {incremental.pages:,} files rewritten; "
            f"{full_seconds / step_seconds:.1f}x faster than the full build",
        ),
    ]

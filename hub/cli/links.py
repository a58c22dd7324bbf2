"""`hub links`: the links of posts that their checks found dead, moved or failing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import get_args

import click

from hub import pipeline
from hub.cli.common import config_option, main, reports_errors, table
from hub.models import Link, LinkStatus, StoredPost

STATUSES: tuple[LinkStatus, ...] = get_args(LinkStatus)
COLUMNS = ("status", "link", "answer", "checked", "leads to", "posts")


@main.command(name="links")
@config_option
@click.option("--all", "every", is_flag=True, help="List every link, the ok ones too.")
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
@reports_errors
def links_command(config_path: Path, every: bool, as_json: bool) -> None:
    """The links and attachments of posts that are dead, lead to another site (moved) or
    failed their last check, with the posts that carry them (checks.links)."""
    config = pipeline.load(config_path)
    store = pipeline.existing_store(config)
    if store is None:
        found: list[tuple[Link, list[StoredPost]]] = []
        counts = dict.fromkeys(STATUSES, 0)
    else:
        shown = STATUSES if every else ("failing", "dead", "moved")
        found, counts = pipeline.linking.listed(store, shown), store.links.counts()
        store.close()
    if as_json:
        click.echo(
            json.dumps([_json(link, posts) for link, posts in found], ensure_ascii=False, indent=2)
        )
        return
    zone = config.site.zone

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else "-"

    rows = [
        (
            link.status,
            link.url,
            link.answer,
            when(link.last_checked),
            link.final_url,
            ", ".join(p.post.id for p in posts),
        )
        for link, posts in found
    ]
    if rows:
        click.echo(table(COLUMNS, rows))
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no links yet")


def _json(link: Link, posts: list[StoredPost]) -> dict[str, object]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "url": link.url,
        "status": link.status,
        "answer": link.answer or None,
        "failures": link.failures,
        "final_url": link.final_url or None,
        "note": link.note or None,
        "first_seen": link.first_seen.isoformat(),
        "last_checked": iso(link.last_checked),
        "posts": [{"id": p.post.id, "title": p.post.title, "url": p.post.url} for p in posts],
    }

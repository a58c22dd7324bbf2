"""Commands for the search index: `hub search` and `hub index`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hub import pipeline
from hub.cli.common import config_option, main, now, reports_errors, wait_option, writing
from hub.models import SORTS


@main.command(name="search")
@config_option
@click.argument("query", nargs=-1, required=True)
@click.option("--section", default="", metavar="SLUG", help="Only posts in this section.")
@click.option("--source", default="", metavar="ID", help="Only posts of this department.")
@click.option("--group", default="", metavar="NAME", help="Only posts of this group (镇街…).")
@click.option("--since", default="", metavar="DATE", help="Only posts of this day or later.")
@click.option("--until", default="", metavar="DATE", help="Only posts of this day or earlier.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order."
)
@click.option("--page", default=1, show_default=True, help="Which page of hits.")
@click.option("--limit", default=10, show_default=True, help="Hits per page (up to 100).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead.")
@reports_errors
def search_command(
    config_path: Path,
    query: tuple[str, ...],
    limit: int,
    as_json: bool,
    **filters: str | int,
) -> None:
    """Search the published posts: words (all must occur), "a phrase", -excluded words,
    a OR b; e.g. `hub search 防汛 --since 2026-06-01`."""
    config = pipeline.load(config_path)
    service = pipeline.SearchService(config)
    params = {k: str(v) for k, v in filters.items() if v != ""}  # (page 0 is a mistake, not none)
    request = service.request({**params, "q": " ".join(query), "per_page": str(limit)})
    results = service.results(request)
    if as_json:
        click.echo(json.dumps(service.json(request, results), ensure_ascii=False, indent=2))
        return
    from hub.search import plain

    zone = config.site.zone
    for hit in results.hits:
        date = hit.date.astimezone(zone).strftime("%Y-%m-%d") if hit.date else ""
        url = config.site.url(hit.path)
        where = f"附件《{hit.attachment}》：" if hit.attachment else ""  # found in an attachment
        click.echo(
            f"{hit.title}\n  {hit.department} · {date} · {url}\n  {where}{plain(hit.snippet)}"
        )
    shown = f", page {results.page} of {results.pages}" if results.pages > 1 else ""
    click.echo(f"{results.total} posts match {request.text!r}{shown}")
    for suggestion in results.suggestions:
        click.echo(f"did you mean: {suggestion}")


@main.command(name="index")
@config_option
@click.option("--rebuild", is_flag=True, help="Build the whole index anew from the database.")
@wait_option
@reports_errors
def index_command(config_path: Path, rebuild: bool, wait: float) -> None:
    """Show the search index, or rebuild it from the database (`--rebuild`): readers
    keep searching the old index until the new one is complete."""
    config = pipeline.load(config_path)
    if rebuild:
        with writing(config, "index", wait) as (store, _):
            result = pipeline.reindex(config, store, now())
        click.echo(f"rebuilt the search index in {config.index_dir}: {result.added} posts")
        return
    click.echo(f"{pipeline.index_count(config)} posts in the search index in {config.index_dir}")

"""`hub sources add URL` (a source made from a column's address, shown for review and
written into channels.yaml on request) and `hub sources test ID` (one source run
without storing anything), both with the same preview of what the source reads."""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub import pipeline
from hub.cli.common import config_option, now, reports_errors, table
from hub.cli.editors import sources
from hub.errors import HubError

if TYPE_CHECKING:
    from datetime import tzinfo

    from hub.config import Config, Source
    from hub.models import ListItem
    from hub.pipeline.detecting import Sample

PREVIEW = 10  # rows of the preview


@sources.command(name="add")
@config_option
@click.argument("url")
@click.option("--id", "source_id", default="", help="The new source's id (else one from the URL).")
@click.option("--name", default="", help="Its name (else the page's, as 县教育局).")
@click.option("--group", default="", help="Its group, as 部门 or 镇街.")
@click.option("--write", is_flag=True, help="Append it to channels.yaml (the old file is kept).")
@click.option("--force", is_flag=True, help="Write it even when no article page read.")
@reports_errors
def add_command(  # noqa: PLR0917 (click passes the options by position)
    config_path: Path, url: str, source_id: str, name: str, group: str, write: bool, force: bool
) -> None:
    """Make a source from a department's column address: the feed it offers, else its
    list, paging and article body found without selectors. Prints the channels.yaml
    entry and a preview of what it reads; nothing is stored."""
    config = pipeline.load(config_path)
    if source_id and any(s.id == source_id for s in config.sources):
        raise HubError(f"a source with id {source_id!r} is already in {config_path.name}")
    from hub.config import source_entry

    moment = now()
    found = pipeline.detecting.detect(
        config, url, moment, source_id=source_id, name=name, group=group
    )
    source = found.source
    kind = "a feed" if found.found == "feed" else "a list page"
    comment = f"added by `hub sources add` on {moment.astimezone(config.site.zone):%Y-%m-%d}"
    click.echo(f"# {source.name}: {kind} ({found.requests} requests, {found.seconds:.1f}s)")
    click.echo(f"# paging: {found.paging}")
    click.echo(f"# body: {found.body}")
    for known in config.sources:
        if known.url in (url, source.url):
            click.echo(f"# note: {known.id} in {config_path.name} already reads this address")
    for note in found.notes:
        click.echo(f"# {note}")
    click.echo("\n".join(source_entry(source, comment)))
    click.echo()
    click.echo(_preview(found.items, found.samples, config.site.zone))
    if found.found == "page" and len(found.samples) < min(len(found.items), PREVIEW):
        click.echo(
            f"(article pages read: {len(found.samples)}; once added, `hub sources test "
            f"{source.id}` reads the first {PREVIEW})"
        )
    problem = pipeline.detecting.unread(found)
    if problem:
        click.echo(f"\nwarning: {problem}", err=True)
    if not write:
        click.echo(f"\nadd it with --write, or paste it under sources: in {config_path.name}")
        return
    if problem and not force:
        raise HubError(f"not written: {problem} (--force writes it all the same)")
    kept, _ = pipeline.detecting.save_source(config, source, comment, moment)
    click.echo(f"\nadded {source.id} to {config_path.name} (the previous file is kept as {kept})")


@sources.command(name="test")
@config_option
@click.argument("source_id", metavar="ID")
@reports_errors
def test_command(config_path: Path, source_id: str) -> None:
    """Run one source without storing anything: its items, what paging finds, and the
    first items' article pages read as a crawl would."""
    config = pipeline.load(config_path)
    source = _source(config, source_id)
    tried = pipeline.trial.trial(config, source, now(), count=PREVIEW)
    click.echo(f"# {source.name}: {len(tried.items)} items on the first page")
    click.echo(f"# paging: {tried.paging}")
    click.echo(f"# {tried.requests} requests, {tried.seconds:.1f}s")
    click.echo(_preview(tried.items, tried.samples, config.site.zone))
    for problem in tried.problems:
        click.echo(f"problem: {problem}", err=True)
    if tried.problems:
        raise HubError(f"{len(tried.problems)} problems: a crawl of {source_id} would not read all")


@sources.command(name="apply")
@config_option
@click.argument("source_id", metavar="ID")
@reports_errors
def apply_command(config_path: Path, source_id: str) -> None:
    """Write the selectors hub proposed for a list page whose own found nothing (see
    `hub status`) into channels.yaml in place of its entry; the old file is kept."""
    from hub.store import Actor

    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    moment = now()
    try:
        kept, diff = pipeline.redetecting.apply(config, store, source_id, moment)
        # on the desk's log too, as the desk's own apply is
        actor = Actor(f"cli:{getpass.getuser()}", moment)
        store.desk.record(
            actor, "source-apply", reason=source_id, before={"kept": kept}, after={"diff": diff}
        )
    finally:
        store.close()
    click.echo(diff, nl=False)
    click.echo(f"applied to {config_path.name} (the previous file is kept as {kept})")


def _source(config: Config, source_id: str) -> Source:
    for source in (*config.sources, *config.catalogues):
        if source.id == source_id:
            return source
    raise HubError(f"no source {source_id!r} in {config.path.name}")


def _preview(items: Sequence[ListItem], samples: Sequence[Sample], zone: tzinfo) -> str:
    rows = []
    for number, line in enumerate(pipeline.detecting.preview(items, samples, PREVIEW), start=1):
        if line.error:
            body = f"✗ {line.error}"
        elif line.text is None:
            body = "(not read)"
        else:
            body = (line.text[:36] + "…" if len(line.text) > 36 else line.text) or "✗ empty"
        when = line.published
        day = when.astimezone(zone).strftime("%Y-%m-%d") if when else "(no date)"
        rows.append((str(number), day, line.title[:40], body))
    more = f"\n… and {len(items) - PREVIEW} more" if len(items) > PREVIEW else ""
    return table(("#", "date", "title", "start of the body"), rows) + more

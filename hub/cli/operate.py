"""Commands that operate a site: crawl, publish, serve, watch its sources, and the demo
county."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from hub import demo, pipeline
from hub.characters import printable
from hub.cli.common import (
    config_option,
    crawl_sources,
    listen,
    main,
    now,
    publish_site,
    reports_errors,
    table,
    until_stopped,
    wait_option,
    writing,
)
from hub.errors import HubError
from hub.models import RunRecord, SourceState

if TYPE_CHECKING:
    from hub.config import Config, Source


@main.command()
@config_option
@click.option("--source", "only", multiple=True, metavar="ID", help="Crawl only this source.")
@wait_option
@reports_errors
def run(config_path: Path, only: tuple[str, ...], wait: float) -> None:
    """Crawl every source once, then publish the portal and the search index."""
    config = pipeline.load(config_path)
    with writing(config, "run", wait) as (store, tally):
        crawl_sources(config, store, tally, only=only)
        publish_site(config, store, tally)


@main.command()
@config_option
@click.option("--due", is_flag=True, help="Only the sources whose next fetch time has come.")
@click.option("--source", "only", multiple=True, metavar="ID", help="Crawl only this source.")
@wait_option
@reports_errors
def crawl(config_path: Path, due: bool, only: tuple[str, ...], wait: float) -> None:
    """Crawl sources into the database without publishing."""
    config = pipeline.load(config_path)
    with writing(config, "crawl", wait) as (store, tally):
        crawl_sources(config, store, tally, due_only=due, only=only)


@main.command()
@config_option
@click.option("--full", is_flag=True, help="Render every page, changed or not.")
@click.option("--force", is_flag=True, help="Publish even an empty portal over one that has posts.")
@wait_option
@reports_errors
def publish(config_path: Path, full: bool, force: bool, wait: float) -> None:
    """Bring the portal and the search index up to date from the database."""
    config = pipeline.load(config_path)
    with writing(config, "publish", wait) as (store, tally):
        publish_site(config, store, tally, full=full, force=force)


@main.command(name="serve")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=demo.PORTAL_PORT, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes on the one port (a dead one is replaced).",
)
@reports_errors
def serve_command(config_path: Path, host: str, port: int, workers: int) -> None:
    """Serve the built portal and its search (/search, /api/search)."""
    config = pipeline.load(config_path)
    server = listen(config, host, port, workers)
    with until_stopped():
        processes = f", {workers} workers" if workers > 1 else ""
        click.echo(f"serving {config.site_dir} at {server.url}{processes} (Ctrl-C stops)")
        server.run()


@main.command(name="nginx")
@config_option
@click.option("--server-name", default="_", show_default=True, help="nginx's server_name.")
@click.option("--listen", default="80", show_default=True, help="Port (or address:port).")
@click.option(
    "--upstream",
    default=f"127.0.0.1:{demo.PORTAL_PORT}",
    show_default=True,
    help="Where hub serve listens.",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path),
    help="The site folder nginx reads [default: the site link beside channels.yaml].",
)
@reports_errors
def nginx_command(
    config_path: Path, server_name: str, listen: str, upstream: str, root: Path | None
) -> None:
    """Print an nginx configuration that serves the built portal itself and passes only
    the search and /healthz to hub serve (docs/deploy.md)."""
    from hub.serve import nginx

    config = pipeline.load(config_path)
    site = root or config.site_dir
    click.echo(nginx.config_text(site, upstream, server_name, listen, str(config.path)), nl=False)


@main.command(name="status")
@config_option
@click.option("--runs", "run_count", default=10, show_default=True, help="How many runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print {sources: [...], runs: [...]}.")
@reports_errors
def status_command(config_path: Path, run_count: int, as_json: bool) -> None:
    """Show each source's health (state, last success, last new post, errors, next
    fetch) and the latest runs (when, how long, what they found)."""
    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    rows_in = pipeline.status(config, store)
    runs = store.runs(run_count)
    proposals = pipeline.redetecting.applicable(config, store.proposals.all())
    attachments = store.attachments.tally()
    kept = store.attachments.kept_bytes()
    store.close()
    if as_json:
        payload = {
            "sources": [_status_json(s, st) for s, st in rows_in],
            "runs": [_run_json(r) for r in runs],
            "proposals": [
                {
                    "source": source.id,
                    "made": proposal.made.isoformat(),
                    "settings": json.loads(proposal.settings),
                    "items": proposal.items,
                    "titles": json.loads(proposal.titles),
                    "note": proposal.note,
                }
                for source, proposal in proposals
            ],
            "attachments": {**attachments, "kept_bytes": kept},
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    zone = config.site.zone

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%m-%d %H:%M") if moment else "-"

    columns = (
        "source",
        "name",
        "state",
        "posts",
        "last ok",
        "last new",
        "fails",
        "next fetch",
        "problem",  # the error, or what the last crawl left out
    )
    rows = [
        (
            source.id,
            source.name,
            state.health,
            str(state.posts),
            when(state.last_ok_at),
            when(state.last_new_post_at),
            str(state.failures),
            when(state.next_fetch_at),
            _problem(state),
        )
        for source, state in rows_in
    ]
    click.echo(table(columns, rows))
    counts = Counter(state.health for _, state in rows_in)
    click.echo(", ".join(f"{counts[h]} {h}" for h in ("ok", "failing", "gone", "new") if counts[h]))
    if attachments:
        ways = ", ".join(f"{n} {way}" for way, n in sorted(attachments.items(), key=_read_first))
        budget = config.attachments.budget
        click.echo(
            f"attachments: {ways}; copies {kept / 2**20:,.1f} MB of {budget / 2**20:,.0f} MB"
        )
    for source, proposal in proposals:  # what a site wrote, without its control codes
        titles = printable("、".join(json.loads(proposal.titles)))
        click.echo(
            f"\n{source.id} ({source.name}) found nothing with its selectors; on "
            f"{when(proposal.made)} hub found {proposal.items} items with these "
            f"(such as {titles}):\n"
            + "\n".join(f"  {printable(line)}" for line in proposal.entry.split("\n"))
            + f"\n  apply them: hub sources apply {source.id}   (nothing changes until then)"
        )
    click.echo("\nlatest runs:" if runs else "\nno runs yet")
    if runs:
        click.echo(table(RUN_COLUMNS, [_run_row(r, when) for r in runs]))


RUN_COLUMNS = ("started", "kind", "seconds", "sources", "new", "changed", "failed", "published")


def _run_row(run: RunRecord, when: Callable[[datetime], str]) -> tuple[str, ...]:
    return (
        when(run.started),
        run.kind,
        f"{run.seconds:.1f}",
        str(run.sources),
        str(run.new),
        str(run.changed),
        str(run.failed),
        "yes" if run.published else f"error: {run.error}" if run.error else "no",
    )


def _run_json(run: RunRecord) -> dict[str, object]:
    return {
        **asdict(run),
        "started": run.started.isoformat(),
        "seconds": round(run.seconds, 3),
        "error": run.error or None,
    }


def _problem(state: SourceState) -> str:
    if state.error_kind:
        return f"{state.error_kind}: {state.last_error}"
    if state.note_count:
        first = state.notes.splitlines()[0] if state.notes else ""
        return f"{state.note_count} note{'s' if state.note_count > 1 else ''}: {first}"
    return ""


def _read_first(item: tuple[str, int]) -> tuple[bool, str]:
    return item[0] != "read", item[0]


def _status_json(source: Source, state: SourceState) -> dict[str, object]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": source.id,
        "name": source.name,
        "group": source.group,
        "url": source.url,
        "state": state.health,
        "posts": state.posts,
        "last_ok": iso(state.last_ok_at),
        "last_new_post": iso(state.last_new_post_at),
        "failures": state.failures,
        "error_kind": state.error_kind or None,
        "error": state.last_error or None,
        "last_fetch": iso(state.last_fetch_at),
        "next_fetch": iso(state.next_fetch_at),
        "note_count": state.note_count,
        "notes": state.notes.splitlines(),
    }


@main.command(name="schedule")
@config_option
@reports_errors
def schedule_command(config_path: Path) -> None:
    """Crawl due sources every `schedule.tick` and publish when anything changed, until
    stopped: SIGTERM or Ctrl-C lets the sources under way finish, then exits 0."""
    config = pipeline.load(config_path)
    with until_stopped():
        click.echo("scheduler running (Ctrl-C stops)")
        from hub import schedule

        schedule.run_forever(config, now)


@main.command(name="demo")
@config_option
@click.option("--once", is_flag=True, help="Crawl and publish once into site/, then exit.")
@click.option("--port", default=demo.PORTAL_PORT, show_default=True, help="Portal port.")
@click.option("--desk-port", default=8002, show_default=True, help="The editors' desk's port.")
@click.option(
    "--world-port",
    default=demo.WORLD_PORT,
    show_default=True,
    help="Port of the simulated county's sites.",
)
@click.option(
    "--pulse",
    default=120,
    show_default=True,
    metavar="SECONDS",
    help="A new post appears somewhere in the county this often (0: never).",
)
@reports_errors
def demo_command(
    *, config_path: Path, once: bool, port: int, desk_port: int, world_port: int, pulse: int
) -> None:
    """Run the simulated county on 127.0.0.1: crawl, publish, serve the portal and keep
    crawling until Ctrl-C."""
    world = demo.World(pulse=timedelta(seconds=pulse) if pulse and not once else None)
    try:
        county = demo.CountyServer(world, port=world_port).start()
    except OSError as exc:
        raise HubError(
            f"cannot serve the demo county on 127.0.0.1:{world_port}: {exc} "
            "(choose another --world-port and a channels.yaml that uses it)"
        ) from exc
    try:
        if not config_path.exists():
            text = demo.channels_yaml(county.base_url, f"http://127.0.0.1:{port}/")
            demo.write_config(config_path, text)
            click.echo(f"wrote the demo county's configuration to {config_path}")
        config = pipeline.load(config_path)
        _check_demo_config(config, county.port)
        click.echo(f"demo county: {len(demo.SOURCES)} department sites at {county.base_url}/")
        unread = [s for s in demo.UNLISTED if not any(c.id == s.id for c in config.sources)]
        for site in unread:
            address = county.base_url + demo.entry_path(site)
            click.echo(f"not read yet: {site.name}; add it with `hub sources add {address}`")
        with writing(config, "run") as (store, tally):
            crawl_sources(config, store, tally)
            publish_site(config, store, tally)
        if not once:
            _serve_and_schedule(config, port, desk_port)
    finally:
        county.stop()


def _serve_and_schedule(config: Config, port: int, desk_port: int) -> None:
    server = listen(config, "127.0.0.1", port)
    from hub import schedule
    from hub.serve.desk import DeskServer

    password = _demo_login(config)
    try:
        desk = DeskServer(config, now, "127.0.0.1", desk_port).start()
    except OSError as exc:
        raise HubError(
            f"cannot serve the desk on 127.0.0.1:{desk_port}: {exc} (--desk-port)"
        ) from exc
    scheduler = schedule.Background(config, now, published=True)  # the demo just did
    every = int(config.schedule.tick)
    try:
        with until_stopped():
            click.echo(f"editors' desk: {desk.url}  (log in as demo, password {password})")
            click.echo(
                f"portal: {server.url}  (due sources are crawled every {every}s; Ctrl-C stops)"
            )
            server.run()
    finally:
        scheduler.stop()
        desk.stop()


def _demo_login(config: Config) -> str:
    """The demo's administrator, `demo`, with a new random password each start."""
    import secrets

    from hub.serve.desk.auth import hash_password
    from hub.store import Actor

    password = secrets.token_urlsafe(9)
    store = pipeline.open_store(config)
    try:
        actor = Actor("hub demo", now())
        if store.people.user("demo") is None:
            store.people.add("demo", "admin", hash_password(password), actor)
        else:
            store.people.update("demo", actor, "user-passwd", password_hash=hash_password(password))
    finally:
        store.close()
    return password


def _check_demo_config(config: Config, world_port: int) -> None:
    elsewhere = [
        s.id for s in config.sources if urlsplit(s.url).netloc != f"127.0.0.1:{world_port}"
    ]
    if len(elsewhere) == len(config.sources):
        raise HubError(
            f"{config.path.name} does not describe the demo county on "
            f"127.0.0.1:{world_port}; run `hub demo` in an empty folder, or pass "
            "the matching --world-port"
        )

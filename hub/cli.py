"""The `hub` command: what users type, what they see, and exit codes; owns click and rich.

Every error is one clear line on stderr and a non-zero exit: 2 for a bad channels.yaml,
3 when another hub process holds the data folder, 1 for the rest.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub import __version__, demo, pipeline, schedule, serve
from hub.config import Config, Source
from hub.errors import HubError
from hub.models import SourceResult, SourceState
from hub.store import Store

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hub")


def now() -> datetime:
    """The one clock of the command line."""
    return datetime.now(UTC)


def _reports_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HubError as exc:
            click.echo(f"{exc}" if exc.exit_code == 2 else f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _config_option(command: F) -> F:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("channels.yaml"),
        show_default=True,
        help="The site's channels.yaml; data/, site/ and index/ live beside it.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hub")
@click.option("-v", "--verbose", is_flag=True, help="Log every source and request.")
def main(verbose: bool) -> None:
    """hub: crawl a county's department sources, route them into one publication, and
    publish a static portal with Chinese full-text search."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


@main.command()
@_config_option
@_reports_errors
def check(config_path: Path) -> None:
    """Validate channels.yaml (keys, references, selectors); writes nothing."""
    config = pipeline.load(config_path)
    click.echo(f"{config_path}: ok: {len(config.sources)} sources, {len(config.channels)} channels")


@main.command()
@_config_option
@click.option("--source", "only", multiple=True, metavar="ID", help="Crawl only this source.")
@_reports_errors
def run(config_path: Path, only: tuple[str, ...]) -> None:
    """Crawl every source once, then publish the portal and the search index."""
    config = pipeline.load(config_path)
    with pipeline.writer_lock(config):
        store = pipeline.open_store(config)
        _crawl(config, store, only=only)
        _publish(config, store)


@main.command()
@_config_option
@click.option("--due", is_flag=True, help="Only the sources whose next fetch time has come.")
@click.option("--source", "only", multiple=True, metavar="ID", help="Crawl only this source.")
@_reports_errors
def crawl(config_path: Path, due: bool, only: tuple[str, ...]) -> None:
    """Crawl sources into the database without publishing."""
    config = pipeline.load(config_path)
    with pipeline.writer_lock(config):
        _crawl(config, pipeline.open_store(config), due_only=due, only=only)


@main.command()
@_config_option
@_reports_errors
def publish(config_path: Path) -> None:
    """Rebuild the portal and the search index from the database."""
    config = pipeline.load(config_path)
    with pipeline.writer_lock(config):
        _publish(config, pipeline.open_store(config))


@main.command(name="serve")
@_config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=demo.PORTAL_PORT, show_default=True, help="Port to listen on.")
@_reports_errors
def serve_command(config_path: Path, host: str, port: int) -> None:
    """Serve the built portal and its search (/search, /api/search)."""
    config = pipeline.load(config_path)
    server = _server(config, host, port)
    click.echo(f"serving {config.site_dir} at {server.url} (Ctrl-C stops)")
    with _until_stopped():
        server.run()


@main.command(name="search")
@_config_option
@click.argument("query")
@click.option("--section", default="", metavar="SLUG", help="Only posts in this section.")
@click.option("--limit", default=10, show_default=True, help="How many hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@_reports_errors
def search_command(config_path: Path, query: str, section: str, limit: int, as_json: bool) -> None:
    """Search the published posts, e.g. `hub search 防汛`."""
    config = pipeline.load(config_path)
    service = pipeline.SearchService(config)
    total, hits = service.query(query, limit=limit, section=section)
    if as_json:
        payload = {"query": query, "total": total, "hits": [service.hit_json(h) for h in hits]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    zone = config.site.zone
    for hit in hits:
        date = hit.date.astimezone(zone).strftime("%Y-%m-%d") if hit.date else ""
        click.echo(f"{hit.title}\n  {hit.department} · {date} · {service.hit_json(hit)['url']}")
    click.echo(
        f"{total} posts match {query!r}" + (f" (showing {len(hits)})" if total > len(hits) else "")
    )


@main.command(name="status")
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source.")
@_reports_errors
def status_command(config_path: Path, as_json: bool) -> None:
    """Show each source's health: state, last success, last new post, errors, next fetch."""
    config = pipeline.load(config_path)
    rows = pipeline.status(config, pipeline.open_store(config))
    if as_json:
        click.echo(
            json.dumps([_status_json(s, st) for s, st in rows], ensure_ascii=False, indent=2)
        )
        return
    zone = config.site.zone

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%m-%d %H:%M") if moment else "-"

    table = Table(box=None, pad_edge=False)
    for column in (
        "source",
        "name",
        "state",
        "posts",
        "last ok",
        "last new",
        "fails",
        "next fetch",
        "error",
    ):
        table.add_column(column, no_wrap=column != "error")
    for source, state in rows:
        error = f"{state.error_kind}: {state.last_error}" if state.error_kind else ""
        table.add_row(
            source.id,
            source.name,
            state.health,
            str(state.posts),
            when(state.last_ok_at),
            when(state.last_new_post_at),
            str(state.failures),
            when(state.next_fetch_at),
            error,
        )
    console = Console(width=None if sys.stdout.isatty() else 240)
    with console.capture() as captured:
        console.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
    counts = Counter(state.health for _, state in rows)
    click.echo(", ".join(f"{counts[h]} {h}" for h in ("ok", "failing", "gone", "new") if counts[h]))


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
    }


@main.command(name="schedule")
@_config_option
@_reports_errors
def schedule_command(config_path: Path) -> None:
    """Crawl due sources every minute and publish when anything changed, until stopped."""
    config = pipeline.load(config_path)
    click.echo("scheduler running (Ctrl-C stops)")
    with _until_stopped():
        schedule.run_forever(config, now)


@main.command(name="demo")
@_config_option
@click.option("--once", is_flag=True, help="Crawl and publish once into site/, then exit.")
@click.option("--port", default=demo.PORTAL_PORT, show_default=True, help="Portal port.")
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
@_reports_errors
def demo_command(config_path: Path, once: bool, port: int, world_port: int, pulse: int) -> None:
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
            config_path.write_text(text, encoding="utf-8")
            click.echo(f"wrote the demo county's configuration to {config_path}")
        config = pipeline.load(config_path)
        _check_demo_config(config, county.port)
        click.echo(f"demo county: {len(demo.SOURCES)} department sites at {county.base_url}/")
        with pipeline.writer_lock(config):
            store = pipeline.open_store(config)
            _crawl(config, store)
            _publish(config, store)
        if not once:
            _serve_and_schedule(config, port)
    finally:
        county.stop()


def _serve_and_schedule(config: Config, port: int) -> None:
    server = _server(config, "127.0.0.1", port)
    scheduler = schedule.start_background(config, now)
    click.echo(f"portal: {server.url}  (due sources are crawled every minute; Ctrl-C stops)")
    try:
        with _until_stopped():
            server.run()
    finally:
        scheduler.shutdown(wait=False)


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


def _server(config: Config, host: str, port: int) -> serve.Server:
    try:
        return serve.Server(config, now, host=host, port=port)
    except OSError as exc:
        raise HubError(f"cannot listen on {host}:{port}: {exc} (try --port)") from exc


@contextmanager
def _until_stopped() -> Iterator[None]:
    """Ctrl-C and SIGTERM end a long-running command cleanly, with exit status 0."""

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- shared output ----------------------------------------------------------------------


def _crawl(
    config: Config, store: Store, *, due_only: bool = False, only: Sequence[str] = ()
) -> list[SourceResult]:
    unknown = set(only) - {s.id for s in config.sources}
    if unknown:
        raise HubError(f"unknown source id: {', '.join(sorted(unknown))}")
    total = len(only) if only else len(config.sources)
    with _progress(total, "crawling") as advance:
        results = pipeline.crawl(
            config, store, now(), due_only=due_only, only=only, progress=advance
        )
    new = sum(r.new for r in results)
    changed = sum(r.changed for r in results)
    failed = [r for r in results if not r.ok]
    same = sum(1 for r in results if r.not_modified)
    click.echo(
        f"crawled {len(results)} sources: {new} new posts, {changed} changed, "
        f"{same} unchanged sources, {len(failed)} failed"
    )
    for result in failed:
        click.echo(f"  {result.source_id}: {result.error_kind}: {result.error}", err=True)
    return results


def _publish(config: Config, store: Store) -> pipeline.PublishResult:
    outcome = pipeline.publish(config, store, now())
    index = outcome.indexed
    click.echo(
        f"published {outcome.posts} posts as {outcome.pages} files in "
        f"{outcome.seconds:.1f}s to {config.site_dir}; search index: {index.added} added, "
        f"{index.updated} updated, {index.deleted} removed"
    )
    return outcome


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[SourceResult], None]]:
    """A progress bar on a terminal; plain log lines (from the pipeline) otherwise."""
    if not sys.stderr.isatty():
        yield lambda result: None
        return
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    quiet = logging.getLogger("hub.pipeline")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the bar replaces the per-source lines
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        try:
            yield lambda result: bar.advance(task)
        finally:
            quiet.setLevel(level)

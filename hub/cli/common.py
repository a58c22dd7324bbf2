"""What every hub command shares: the group, the clock, error reporting, the -c option,
progress and the summary lines of crawls and publishes; owns rich (click is the CLI's
own library, used by each command module)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hub import __version__, pipeline
from hub.characters import printable
from hub.errors import ConfigError, HubError
from hub.models import RunKind, SourceResult

if TYPE_CHECKING:  # the stages behind these are imported when a command runs
    from hub.config import Config
    from hub.pipeline import PublishResult, Tally
    from hub.serve import Server
    from hub.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def now() -> datetime:
    """The one clock of the command line. SOURCE_DATE_EPOCH (the reproducible-builds
    convention) fixes it, so that a publish or a report can be made twice identically."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if fixed.isdigit():
        return datetime.fromtimestamp(int(fixed), UTC)
    return datetime.now(UTC)


def reports_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HubError as exc:
            # configuration errors already begin with where they are (channels.yaml:12:)
            click.echo(f"{exc}" if isinstance(exc, ConfigError) else f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


CONFIG = Path("channels.yaml")


def _config_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The command's own -c, else the one given before the command (`hub -c X check`)."""
    if value is not None:
        return value
    given = ctx.find_root().params.get("config_path")
    return given if isinstance(given, Path) else CONFIG


def config_option(command: F) -> F:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=None,
        callback=_config_path,
        help="The site's channels.yaml; data/, site/ and index/ live beside it "
        "[default: channels.yaml]. May also come before the command: hub -c PATH check.",
    )(command)


class JsonLines(logging.Formatter):
    """One JSON object per log line, for log collectors (`--log-format json`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hub")
@click.option("-v", "--verbose", is_flag=True, help="Log every source and request.")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="The site's channels.yaml, for the command that follows [default: channels.yaml].",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines as text, or as one JSON object each (for log collectors).",
)
def main(verbose: bool, config_path: Path | None, log_format: str) -> None:
    """hub: crawl a county's department sources, route them into one publication, and
    publish a static portal with Chinese full-text search."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def program() -> None:
    """The `hub` executable (`python -m hub` too). A command that held a portal's worth
    of posts in memory (a publish: gigabytes at a hundred thousand posts) ends without
    Python freeing them one by one, which took 5 s of a 43 s `hub publish` at 100,000
    posts: its output and logs are flushed (its store was closed) and the process exits
    with the command's status. Every other command ends as Python programs do."""
    try:
        main()
    except SystemExit as ended:
        if not _ENDING["quick"]:
            raise
        code = ended.code
        if isinstance(code, str):
            print(code, file=sys.stderr)  # (as SystemExit would)
        status = code if isinstance(code, int) else (0 if code is None else 1)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        logging.shutdown()
        os._exit(status)


_ENDING = {"quick": False}


def end_quickly() -> None:
    """Let `program` skip Python's teardown when this command ends (after a publish)."""
    _ENDING["quick"] = True


def wait_option(command: F) -> F:
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0,
        metavar="SECONDS",
        help="If another hub process is writing, wait up to this long for it "
        "(default: exit at once, with status 3).",
    )(command)


@contextmanager
def writing(config: Config, kind: RunKind, wait: float = 0) -> Iterator[tuple[Store, Tally]]:
    """The writer lock, the store, and the record of this run (`hub status`); the run's
    alerts are told when it ends, however it ends."""
    crawls = kind in ("crawl", "run")  # beside other crawlers, on a shared database
    lock = pipeline.crawl_lock if crawls else pipeline.writer_lock
    with lock(config, wait):
        store = pipeline.open_store(config)
        try:
            with pipeline.recorded(store, kind, now()) as tally:
                try:
                    yield store, tally
                finally:
                    pipeline.alerting.send(config, tally.alerts, now())
        finally:
            store.close()


# -- shared output ----------------------------------------------------------------------


def crawl_sources(
    config: Config,
    store: Store,
    tally: Tally,
    *,
    due_only: bool = False,
    only: Sequence[str] = (),
) -> list[SourceResult]:
    unknown = set(only) - {s.id for s in config.sources}
    if unknown:
        raise HubError(f"unknown source id: {', '.join(sorted(unknown))}")
    total = len(only) if only else len(config.sources)
    before = store.states()
    with progress(total, "crawling") as advance:
        results = pipeline.crawl(
            config, store, now(), due_only=due_only, only=only, progress=advance
        )
    tally.alerts += pipeline.alerting.crawled(config, before, store.states(), now())
    catalogues = {s.id for s in config.catalogues}
    new = sum(r.new for r in results if r.source_id not in catalogues)
    services = sum(r.new for r in results if r.source_id in catalogues)
    changed = sum(r.changed for r in results)
    failed = [r for r in results if not r.ok]
    same = sum(1 for r in results if r.not_modified)
    click.echo(
        f"crawled {len(results)} sources: {new} new posts, "
        + (f"{services} new services, " if services else "")
        + f"{changed} changed, "
        f"{same} unchanged sources, {len(failed)} failed"
    )
    for result in failed:
        click.echo(f"  {result.source_id}: {result.error_kind}: {result.error}", err=True)
    for result in results:
        if result.notes:
            more = f" (and {len(result.notes) - 1} more)" if len(result.notes) > 1 else ""
            click.echo(f"  {result.source_id}: note: {result.notes[0]}{more}", err=True)
    tally.crawled(results)
    if results and len(failed) == len(results):
        raise HubError(
            f"every one of the {len(results)} sources crawled failed (each is listed above); "
            "nothing new was stored and nothing was published"
        )
    return results


def publish_site(
    config: Config, store: Store, tally: Tally, *, full: bool = False, force: bool = False
) -> PublishResult:
    outcome = pipeline.publish(config, store, now(), full=full, force=force)
    tally.published = True
    end_quickly()
    tally.alerts += pipeline.alerting.held(config, outcome, now())
    index = outcome.indexed
    click.echo(
        f"published {outcome.posts} posts"
        + (f" and {outcome.services} services" if outcome.services else "")
        + f" as {outcome.pages} files ({outcome.written} "
        f"written, the rest unchanged) in {outcome.seconds:.1f}s to {config.site_dir}; "
        + (
            f"search index rebuilt: {index.added} documents"
            if index.rebuilt
            else f"search index: {index.added} added, {index.updated} updated, "
            f"{index.deleted} removed"
        )
    )
    return outcome


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[SourceResult], None]]:
    """A progress bar on a terminal; plain log lines (from the pipeline) otherwise."""
    if not sys.stderr.isatty():
        yield lambda result: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

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


def listen(config: Config, host: str, port: int, workers: int = 1) -> Server:
    from hub import serve

    try:
        return serve.Server(config, now, host=host, port=port, workers=workers)
    except OSError as exc:
        raise HubError(f"cannot listen on {host}:{port}: {exc} (try --port)") from exc


@contextmanager
def until_stopped() -> Iterator[None]:
    """Ctrl-C and SIGTERM end a long-running command cleanly, with exit status 0. Enter
    it before saying the command is ready: a signal sent on that word must find it."""

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    # The block ends only when stopped: by KeyboardInterrupt, or by uvicorn, which
    # handles the signal itself and returns.
    click.echo("stopped", err=True)


def table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned columns, as wide as the terminal (or wide enough in a log), no trailing
    spaces."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=None, pad_edge=False)
    for column in columns:
        grid.add_column(column, no_wrap=column != columns[-1])
    for row in rows:  # cells are what sources wrote: never markup, nor escape sequences
        grid.add_row(*(Text(printable(cell)) for cell in row))
    console = Console(width=None if sys.stdout.isatty() else 240)
    with console.capture() as captured:
        console.print(grid)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())

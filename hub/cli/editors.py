"""Commands for editors: validate the configuration, explain a placement, preview what
an edit of the rules would move, and exchange source lists as OPML."""

from __future__ import annotations

from pathlib import Path

import click

from hub import pipeline
from hub.cli.common import config_option, main, reports_errors


@main.command()
@config_option
@reports_errors
def check(config_path: Path) -> None:
    """Validate channels.yaml (keys, references, selectors); writes nothing."""
    config = pipeline.load(config_path)
    click.echo(f"{config_path}: ok: {len(config.sources)} sources, {len(config.channels)} channels")

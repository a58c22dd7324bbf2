"""`hub audit`: the consolidation audit of every source, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click

from hub import pipeline
from hub.audited import AuditReport, AuditState, SourceAudit
from hub.cli.common import config_option, main, now, reports_errors, table

if TYPE_CHECKING:
    from hub.config import Config

STATES: tuple[AuditState, ...] = get_args(AuditState)
COLUMNS = (
    "source",
    "name",
    "group",
    "state",
    "posts",
    "30d",
    "90d",
    "180d",
    "last post",
    "days since",
    "reprints",
)


@main.command(name="audit")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per source (for Excel).")
@reports_errors
def audit_command(config_path: Path, as_json: bool, as_csv: bool) -> None:
    """The consolidation audit: each source's posts in the last 30/90/180 days, days
    since its last post, its state (active, low-activity, dormant, failing, gone), the
    share of its posts that reprint another department's, and merge candidates."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    report = pipeline.audit(config, store, now())
    store.close()
    if as_json:
        click.echo(json.dumps(_json(config, report), ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(_csv(config, report), nl=False)
    else:
        _print(config, report)


def _cells(config: Config, found: SourceAudit) -> tuple[str, ...]:
    source = config.source(found.source_id)
    last = (
        found.last_post.astimezone(config.site.zone).strftime("%Y-%m-%d") if found.last_post else ""
    )
    return (
        source.id,
        source.name,
        source.group,
        found.state,
        str(found.posts),
        str(found.posts_30),
        str(found.posts_90),
        str(found.posts_180),
        last,
        "" if found.days_since is None else str(found.days_since),
        f"{found.reprint_share:.0%}" if found.posts else "",
    )


def _print(config: Config, report: AuditReport) -> None:
    click.echo(table(COLUMNS, [_cells(config, s) for s in report.sources]))
    counts = Counter(s.state for s in report.sources)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s])
    click.echo(f"{len(report.sources)} sources: {summary}")
    if not report.merges:
        click.echo("no merge candidates")
        return
    click.echo(f"\n{len(report.merges)} merge candidates:")
    names = {s.id: s.name for s in config.sources}
    for merge in report.merges:
        if merge.reason == "only-reprints":
            why = f"{merge.share:.0%} of its posts are {names[merge.into]}'s notices"
        else:
            why = f"{merge.shared} notices in common, {merge.share:.0%} of the smaller's posts"
        click.echo(f"  {names[merge.source_id]} -> {names[merge.into]}: {why}")


def _json(config: Config, report: AuditReport) -> dict[str, object]:
    def one(found: SourceAudit) -> dict[str, object]:
        source = config.source(found.source_id)
        return {
            "id": source.id,
            "name": source.name,
            "group": source.group,
            "state": found.state,
            "posts": found.posts,
            "posts_30d": found.posts_30,
            "posts_90d": found.posts_90,
            "posts_180d": found.posts_180,
            "last_post": found.last_post.isoformat() if found.last_post else None,
            "days_since_last_post": found.days_since,
            "reprints": found.reprints,
            "reprint_share": round(found.reprint_share, 3),
            "reprints_of": found.reprints_of or None,
        }

    return {
        "thresholds": config.audit.model_dump(),
        "sources": [one(s) for s in report.sources],
        "merge_candidates": [
            {
                "source": m.source_id,
                "into": m.into,
                "reason": m.reason,
                "share": round(m.share, 3),
                "shared_posts": m.shared,
            }
            for m in report.merges
        ],
    }


def _csv(config: Config, report: AuditReport) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel and WPS read UTF-8 only with its byte-order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_cells(config, s) for s in report.sources)
    return out.getvalue()

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
from hub.audited import AuditReport, AuditState, Freshness, SourceAudit
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
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the inspection self-check report to FILE.xlsx or FILE.html.",
)
@reports_errors
def audit_command(config_path: Path, as_json: bool, as_csv: bool, report_path: Path | None) -> None:
    """The audit: each source's posts in the last 30/90/180 days, days since its last
    post, its state (active, low-activity, dormant, failing, gone), the share of its
    posts that reprint another department's, and merge candidates; and what the
    inspection indicators check: sections and sources not updated by their column
    type, blank sections, availability, one unit's accounts per platform, findings."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    form = _format(report_path) if report_path is not None else None
    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    when = now()
    report = pipeline.audit(config, store, when)
    store.close()
    if report_path is not None and form is not None:
        pipeline.write_report(config, report, report_path, form, when)
        click.echo(f"wrote the self-check report to {report_path}", err=as_json or as_csv)
        if not (as_json or as_csv):
            return
    if as_json:
        click.echo(json.dumps(_json(config, report), ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(_csv(config, report), nl=False)
    else:
        _print(config, report)


def _format(path: Path) -> pipeline.ReportFormat:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".html", ".htm"):
        return "html"
    raise click.UsageError(f"--report writes .xlsx or .html files, not {path.name!r}")


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
    _print_inspection(config, report)
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
            "unit": source.department,
            "platform": source.where,
            **_fresh(found.freshness),
            "fetches": found.fetches,
            "failed_fetches": found.failed,
            "unavailable": round(found.unavailable, 4),
        }

    return {
        "thresholds": config.audit.model_dump(),
        "sources": [one(s) for s in report.sources],
        "sections": [{"slug": s.slug, **_fresh(s.freshness)} for s in report.sections],
        "portal": _fresh(report.portal),
        "vetoes": [
            {
                "item": v.item,
                "found": v.found,
                "line": v.line,
                "vetoed": v.vetoed,
                "subjects": list(v.subjects),
            }
            for v in report.vetoes
        ],
        "duplicate_accounts": [
            {"unit": d.unit, "platform": d.platform, "sources": list(d.sources)}
            for d in report.duplicates
        ],
        "findings": [
            {
                "source": t.source_id,
                "quarter": t.quarter,
                "typo": t.typo,
                "formulation": t.formulation,
                "sensitive": t.sensitive,
                "links": t.links,
                "other": t.other,
                "total": t.total,
            }
            for t in report.findings
        ],
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


def _fresh(found: Freshness | None) -> dict[str, object]:
    if found is None:
        return {}
    return {
        "column": found.column,
        "posts": found.posts,
        "last_dated": found.last_dated.isoformat() if found.last_dated else None,
        "days_since_dated": found.days_since,
        "days_allowed": found.limit,
        "stale": found.stale,
        "blank": found.blank,
    }


def _csv(config: Config, report: AuditReport) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel and WPS read UTF-8 only with its byte-order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_cells(config, s) for s in report.sources)
    return out.getvalue()


VETOES = {
    "home": "home page without a dated item",
    "stale": "stale sections",
    "blank": "blank sections",
    "long-stale": "sections stale or blank",
    "unavailable": "sources unavailable",
    "account-stale": "sources not updated",
}


def _print_inspection(config: Config, report: AuditReport) -> None:
    """The inspection's single-veto items, one line each."""
    names = {s.id: s.name for s in config.sources} | {c.slug: c.title for c in config.channels}
    click.echo("\ninspection (国办秘函〔2019〕19号):")
    for veto in report.vetoes:
        mark = "VETO" if veto.vetoed else "ok  "
        which = ", ".join(names.get(s, s) for s in veto.subjects)
        found = ("yes" if veto.found else "no") if veto.item == "home" else str(veto.found)
        which = f": {which}" if which else ""
        click.echo(f"  {mark} {VETOES[veto.item]}: {found} (line {veto.line}){which}")
    for dup in report.duplicates:
        accounts = ", ".join(names.get(s, s) for s in dup.sources)
        click.echo(
            f"  one unit, {len(dup.sources)} accounts on {dup.platform}: {dup.unit} ({accounts})"
        )

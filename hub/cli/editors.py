"""Commands for editors: validate the configuration, explain a placement, preview what
an edit of the rules would move, and exchange source lists as OPML."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hub import pipeline
from hub.cli.common import config_option, main, now, reports_errors, table
from hub.errors import HubError
from hub.models import Placement

if TYPE_CHECKING:
    from hub.config import Config
    from hub.pipeline.editorial import Explanation, RouteDiff


@main.command()
@config_option
@reports_errors
def check(config_path: Path) -> None:
    """Validate channels.yaml (keys, references, selectors, rules); writes nothing."""
    config = pipeline.load(config_path)
    catalogues = len(config.catalogues)
    listed = f"{len(config.sources) - catalogues} sources, " + (
        f"{catalogues} service catalogue{'s' if catalogues > 1 else ''}, " if catalogues else ""
    )
    click.echo(f"{config_path}: ok: {listed}{len(config.channels)} channels")
    store = pipeline.existing_store(config)
    routed = pipeline.route(config, store, now()) if store else []
    for line in [
        *pipeline.editorial.address_warnings(config),
        *(
            pipeline.editorial.warnings(config, routed, store)
            if store
            else [
                "warning: no database yet, so rules cannot be checked against posts "
                "(run `hub run` first)"
            ]
        ),
    ]:
        click.echo(line, err=True)


@main.command()
@config_option
@click.argument("post")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@reports_errors
def explain(config_path: Path, post: str, as_json: bool) -> None:
    """Why a post (its id or original URL) is in its channels, and not in the others."""
    config = pipeline.load(config_path)
    store = pipeline.existing_store(config)
    found = (
        pipeline.editorial.explain(
            config, store, pipeline.router(config, store.desk.decisions()), post, now()
        )
        if store
        else None
    )
    if found is None:
        raise HubError(f"no stored post has the id or URL {post!r}")
    titles = {c.slug: c.title for c in config.channels}
    if as_json:
        click.echo(json.dumps(_explanation_json(found, titles), ensure_ascii=False, indent=2))
    else:
        click.echo(_explanation_text(found, titles, config.site.zone))


def _placement_json(placement: Placement) -> dict[str, Any]:
    return {
        "channel": placement.channel,
        "how": placement.how,
        "rule": placement.rule or None,
        "matched": [
            {"field": c.field, "value": c.value, "where": c.where or None}
            for c in placement.matched
        ],
        "reason": str(placement),
    }


def _explanation_json(found: Explanation, titles: dict[str, str]) -> dict[str, Any]:
    post = found.post.post
    override = found.override
    return {
        "post": {
            "id": post.id,
            "title": post.title,
            "url": post.url,
            "source": post.source_id,
            "department": found.department,
            "group": found.group,
            "date": found.post.date.isoformat(),
        },
        "published_at": found.published_at.isoformat() if found.published_at else None,
        "published": [_placement_json(p) for p in found.published.values()],
        "channels": [
            {
                **_placement_json(found.current.placements[slug]),
                "title": titles[slug],
                "pinned": slug in found.current.pinned,
            }
            for slug in found.current.channels
        ],
        "hidden": found.current.hidden,
        "not_in": [
            {"channel": m.channel, "title": titles[m.channel], "reason": m.reason}
            for m in found.misses
        ],
        "override": None
        if override is None
        else {
            "pin": list(override.pin),
            "add": list(override.add),
            "hide": override.hide,
            "note": override.note,
        },
        "changed_since_publish": found.changed,
        "review": found.review,
    }


def _explanation_text(found: Explanation, titles: dict[str, str], zone: Any) -> str:
    post = found.post.post
    lines = [
        post.title,
        f"  {post.id} · {found.department} ({found.group or 'no group'}) · "
        f"{found.post.date.astimezone(zone):%Y-%m-%d} · {post.url}",
    ]
    if found.override is not None:
        o = found.override
        what = (
            "hidden"
            if o.hide
            else ", ".join([*(f"pinned in {s}" for s in o.pin), *(f"added to {s}" for s in o.add)])
        )
        lines.append(f"  override: {what}" + (f" ({o.note})" if o.note else ""))
    if found.review:
        lines.append(f"  review: {found.review}")
    rows = [
        (
            f"{titles[s]} ({s})",
            str(found.current.placements[s]) + (" · pinned" if s in found.current.pinned else ""),
        )
        for s in found.current.channels
    ]
    lines += ["in:" if rows else "in: nowhere (hidden)" if found.current.hidden else "in:"]
    lines += ["  " + line for line in table(("channel", "why"), rows).splitlines()[1:]]
    misses = [
        (f"{titles[m.channel]} ({m.channel})", m.reason)
        for m in found.misses
        if not found.current.hidden
    ]
    if misses:
        lines.append("not in:")
        lines += ["  " + line for line in table(("channel", "why not"), misses).splitlines()[1:]]
    if found.published_at is None:
        lines.append("(not published yet: this is how the rules on disk place it)")
    elif found.changed:
        shown = ", ".join(found.published) or "nowhere"
        lines.append(
            f"(the portal shows it in {shown}: channels.yaml changed since the last publish)"
        )
    return "\n".join(lines)


@main.command()
@config_option
@click.option(
    "--diff",
    "as_diff",
    is_flag=True,
    help="Compare with the published portal: what would enter and leave each channel.",
)
@click.option("--since", default="", metavar="AGE", help="Only posts of this age, e.g. 30d.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@reports_errors
def route(config_path: Path, as_diff: bool, since: str, as_json: bool) -> None:
    """Route the stored posts with the channels.yaml on disk; publishes nothing."""
    config = pipeline.load(config_path)
    store = pipeline.existing_store(config)
    if store is None:
        raise HubError("no posts are stored yet: run `hub run` first")
    moment = now()
    from hub.config import parse_duration

    window = parse_duration(since) if since else None
    if not as_diff:
        counts = pipeline.channel_counts(config, pipeline.route(config, store, moment))
        rows = [(c.slug, c.title, str(counts[c.slug])) for c in config.channels]
        click.echo(
            json.dumps(dict(counts), ensure_ascii=False, indent=2)
            if as_json
            else table(("channel", "title", "posts"), rows)
        )
        return
    diff = pipeline.editorial.route_diff(
        config,
        store,
        lambda: pipeline.route(config, store, moment),
        moment,
        None if window is None else timedelta(seconds=window),
    )
    click.echo(
        json.dumps(_diff_json(diff), ensure_ascii=False, indent=2)
        if as_json
        else _diff_text(diff, config)
    )


def _diff_json(diff: RouteDiff) -> dict[str, Any]:
    def move(m: Any) -> dict[str, Any]:
        post = m.post.post
        return {
            "id": post.id,
            "title": post.title,
            "source": post.source_id,
            "date": m.post.date.isoformat(),
            "reason": m.reason,
        }

    return {
        "published_at": diff.published_at.isoformat() if diff.published_at else None,
        "since": diff.since.isoformat() if diff.since else None,
        "posts": diff.posts,
        "moves": diff.moves,
        "channels": {
            c.slug: {
                "title": c.title,
                "enter": [move(m) for m in c.enter],
                "leave": [move(m) for m in c.leave],
            }
            for c in diff.channels
        },
    }


def _diff_text(diff: RouteDiff, config: Config) -> str:
    zone = config.site.zone
    if diff.published_at is None:
        head = "nothing published yet: every placement below is new"
    else:
        head = f"against the portal published {diff.published_at.astimezone(zone):%Y-%m-%d %H:%M}"
    lines = [
        f"{head}; {diff.posts} posts compared"
        + (f" (since {diff.since.astimezone(zone):%Y-%m-%d})" if diff.since else "")
    ]
    if not diff.channels:
        lines.append("no post would move")
    for channel in diff.channels:
        lines.append(f"{channel.slug} {channel.title}: +{len(channel.enter)} −{len(channel.leave)}")
        for sign, moves in (("+", channel.enter), ("−", channel.leave)):
            lines += [
                f"  {sign} {m.post.date.astimezone(zone):%Y-%m-%d} {m.post.post.title} "
                f"[{m.post.post.id}] ({m.reason})"
                for m in moves
            ]
    return "\n".join(lines)


@main.group()
def sources() -> None:
    """Add a source by its address, try one, exchange the list as OPML."""


@sources.command(name="import")
@config_option
@click.argument("file", type=click.File("r", encoding="utf-8"))
@reports_errors
def import_command(config_path: Path, file: Any) -> None:
    """Print channels.yaml entries for an OPML file's subscriptions hub does not have."""
    config = pipeline.load(config_path)
    entries, total, known = pipeline.editorial.import_sources(config, file.read())
    if entries:
        click.echo(f"# add under sources: in {config_path.name}")
        click.echo(entries, nl=False)
    if known:
        everything = "every subscription is" if known == total else f"{known} subscriptions are"
        click.echo(f"{everything} already configured ({known} of {total})", err=True)


@sources.command(name="export")
@config_option
@click.option(
    "--channel", default="", metavar="SLUG", help="Only the sources whose posts reach this channel."
)
@reports_errors
def export_command(config_path: Path, channel: str) -> None:
    """Print the sources as OPML 2.0, one folder per group."""
    config = pipeline.load(config_path)
    if channel and channel not in {c.slug for c in config.channels}:
        raise HubError(f"unknown channel {channel!r}")
    store = pipeline.existing_store(config)
    routed = pipeline.route(config, store, now()) if store and channel else []
    sys.stdout.write(pipeline.sources_opml(config, routed, now(), channel))

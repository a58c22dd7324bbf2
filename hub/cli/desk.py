"""The editors' desk from the command line: `hub desk` serves it, `hub users` manages
who may use it, `hub log` exports its audit trail."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from hub import pipeline
from hub.cli.common import config_option, main, now, reports_errors, table, until_stopped
from hub.decisions import ROLES
from hub.errors import HubError


def _actor() -> str:
    """Who acts from the command line: the system account, marked as such."""
    try:
        return f"shell:{getpass.getuser()}"
    except (KeyError, OSError):
        return "shell"


def _password(confirm: bool = True) -> str:
    """A password from the terminal (typed twice, not shown), or one line of stdin when
    it is not a terminal. Never from an argument: those land in shell history and `ps`."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise HubError("no password on standard input")
        return line
    return str(click.prompt("password", hide_input=True, confirmation_prompt=confirm))


@main.command(name="desk")
@config_option
@click.option("--host", default=None, help="Listen address [default: desk.host, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: desk.port, 8002].")
@reports_errors
def desk_command(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the editors' desk: review, takedown, pins, the lead story, the log."""
    from hub.serve.desk import DeskServer

    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    anyone = bool(store.people.users())
    store.close()
    try:
        server = DeskServer(config, now, host, port)
    except OSError as exc:
        raise HubError(f"cannot listen on {host or config.desk.host}: {exc} (try --port)") from exc
    with until_stopped():
        click.echo(f"editors' desk: {server.url}  (Ctrl-C stops)")
        if not anyone:
            click.echo("no users yet: add one with `hub users add NAME --role admin`")
        try:
            server.run()
        finally:
            server.desk.close()


@main.group(name="users")
def users_group() -> None:
    """The desk's users: add, list, disable, enable, passwd, role."""


@users_group.command(name="add")
@config_option
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@reports_errors
def users_add(config_path: Path, name: str, role: str) -> None:
    """Add a user; the password is asked for (or read from standard input)."""
    from hub.serve.desk.auth import hash_password
    from hub.store import Actor

    if not name.strip() or len(name) > 64:
        raise HubError("a user name has 1 to 64 characters")
    config = pipeline.load(config_path)
    hashed = hash_password(_password())
    store = pipeline.open_store(config)
    try:
        store.people.add(name, role, hashed, Actor(_actor(), now()))  # type: ignore[arg-type]
    finally:
        store.close()
    click.echo(f"added {name} ({role})")


@users_group.command(name="list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@reports_errors
def users_list(config_path: Path, as_json: bool) -> None:
    """The desk's users and their roles."""
    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    try:
        people = store.people.users()
    finally:
        store.close()
    if as_json:
        rows = [{"name": p.name, "role": p.role, "disabled": p.disabled} for p in people]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    shown = [(p.name, p.role, "disabled" if p.disabled else "active") for p in people]
    click.echo(table(("user", "role", "state"), shown) if shown else "no users")


def _update(config_path: Path, name: str, action: str, **values: object) -> None:
    from hub.store import Actor

    config = pipeline.load(config_path)
    store = pipeline.open_store(config)
    try:
        store.people.update(name, Actor(_actor(), now()), action, **values)  # type: ignore[arg-type]
    finally:
        store.close()


@users_group.command(name="disable")
@config_option
@click.argument("name")
@reports_errors
def users_disable(config_path: Path, name: str) -> None:
    """Disable a user: their sessions end at once and they cannot log in."""
    _update(config_path, name, "user-disable", disabled=True)
    click.echo(f"disabled {name}")


@users_group.command(name="enable")
@config_option
@click.argument("name")
@reports_errors
def users_enable(config_path: Path, name: str) -> None:
    """Let a disabled user log in again."""
    _update(config_path, name, "user-enable", disabled=False)
    click.echo(f"enabled {name}")


@users_group.command(name="passwd")
@config_option
@click.argument("name")
@reports_errors
def users_passwd(config_path: Path, name: str) -> None:
    """Set a user's password (asked for, or read from standard input)."""
    from hub.serve.desk.auth import hash_password

    _update(config_path, name, "user-passwd", password_hash=hash_password(_password()))
    click.echo(f"password of {name} changed; their sessions ended")


@users_group.command(name="role")
@config_option
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@reports_errors
def users_role(config_path: Path, name: str, role: str) -> None:
    """Change what a user may do."""
    _update(config_path, name, "user-role", role=role)
    click.echo(f"{name} is now {role}")


@main.command(name="log")
@config_option
@click.option("--since", default="", help="From this day (2026-12-01) or moment, site time.")
@click.option("--until", default="", help="Before this day or moment.")
@click.option("--user", default="", help="Only this user's actions.")
@click.option("--action", default="", help="Only this action (takedown, approved, login ...).")
@click.option("--post", default="", help="Only about this post id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a byte-order mark (Excel, WPS).")
@reports_errors
def log_command(
    *,
    config_path: Path,
    since: str,
    until: str,
    user: str,
    action: str,
    post: str,
    as_json: bool,
    as_csv: bool,
) -> None:
    """The desk's audit trail, oldest first: every action and login."""
    from hub.serve.desk.views import as_json as entry_json
    from hub.serve.desk.views import csv_lines, log_query

    config = pipeline.load(config_path)
    zone = config.site.zone
    for name, value in (("--since", since), ("--until", until)):
        try:
            if value:
                datetime.fromisoformat(value)
        except ValueError as exc:
            raise HubError(f"{name}: {value!r} is not a date such as 2026-12-01") from exc
    query = log_query(
        {"since": since, "until": until, "user": user, "action": action, "post": post}, zone
    )
    store = pipeline.existing_store(config)
    if store is None:
        raise HubError(f"no database at {config.database}: nothing has been logged yet")
    try:
        entries = store.desk.export(query)
        out = sys.stdout
        if as_csv:
            for line in csv_lines(entries, zone):
                out.write(line)
        elif as_json:
            for entry in entries:
                out.write(json.dumps(entry_json(entry), ensure_ascii=False) + "\n")
        else:
            for e in entries:
                at = e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
                what = " ".join(x for x in (e.post_id, e.channel, e.reason) if x)
                out.write(f"{at}  {e.user}  {e.action}  {what}".rstrip() + "\n")
    finally:
        store.close()

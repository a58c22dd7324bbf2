"""Templates -> text; owns jinja2. Autoescaping is on for HTML and XML templates.

A site's own templates/ folder overrides the shipped theme template by template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from hub.characters import xml_safe
from hub.config import Config
from hub.errors import BuildError

WEEKDAYS = "一二三四五六日"
TEMPLATE_SUFFIXES = (".html", ".xml", ".atom", ".json", ".txt", ".js", ".webmanifest")


def theme_dir() -> Path:
    """The theme shipped with hub (the repository's templates/ folder)."""
    return Path(str(files("hub.theme")))


def template_dirs(config: Config) -> list[Path]:
    own = config.templates_dir
    theme = theme_dir()
    mine = [own] if own.is_dir() and own.resolve() != theme.resolve() else []
    return [*mine, theme]


def whole_day(value: datetime, zone: Any) -> bool:
    """Whether a date stands for a whole day: midnight in the site's zone is how a
    source that gives only the day (`2026-11-30`, `[11-30]`) is stored. (A post truly
    published at 00:00:00 is shown by its day: less precise, never wrong.)"""
    local = value.astimezone(zone)
    return not (local.hour or local.minute or local.second or local.microsecond)


def moment(
    value: datetime | None, day: str = "%Y年%m月%d日", time: str = " %H:%M", *, zone: Any
) -> str:
    """A date as a page shows it: its day, and its time unless the source gave none
    (never an invented 00:00)."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime(day if whole_day(value, zone) else day + time)


def iso_moment(value: datetime | None, *, zone: Any) -> str:
    """For `<time datetime>`: the day alone (`2026-11-30`) where the source gave only
    the day, else the moment with its offset."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    if whole_day(value, zone):
        return local.date().isoformat()
    return local.isoformat(timespec="seconds")


class Renderer:
    """A Jinja2 environment bound to one site's settings."""

    def __init__(self, config: Config, shown: Collection[str] | None = None) -> None:
        """`shown`: the slugs of the sections the navigation lists (every section when
        not given)."""
        self.config = config
        self.nav = [c for c in config.channels if shown is None or c.slug in shown]
        # the 办事服务 pages' title, in the navigation where a catalogue is configured
        self.directory = config.services.title if config.catalogues else ""
        self.dirs = template_dirs(config)
        self._navs: dict[str, str] = {}
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(d) for d in self.dirs]),
            autoescape=True,  # every template, whatever its extension
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # JSON (feeds, the web app manifest) in UTF-8, as readable as the pages
        self.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        site = config.site
        zone = site.zone
        base_path = urlsplit(site.base_url).path or "/"
        versions = {
            relative: hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            for relative, path in self.static_files()
        }
        self.digest = self._digest(config, versions)
        self.env.globals.update(
            site=site,
            nav=self.nav,
            directory=self.directory,
            # static files are cached for a day: their URLs change when their content does
            asset=lambda path: f"{base_path}{path}?v={versions.get(path, '0')}",
            url=lambda path="": base_path + path,
            absolute=site.url,
            navigation=self._navigation,
            build_digest=self.digest,
        )
        self.env.filters.update(
            url_of=lambda path: base_path + path,
            local=lambda d, fmt="%Y-%m-%d": d.astimezone(zone).strftime(fmt) if d else "",
            weekday=lambda d: "星期" + WEEKDAYS[d.astimezone(zone).weekday()],
            iso=partial(iso_moment, zone=zone),
            moment=partial(moment, zone=zone),
            rfc822=lambda d: format_datetime(d.astimezone(UTC), usegmt=True) if d else "",
            w3c=lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if d else "",
        )

    def _navigation(self, current: str) -> str:
        """The sections' navigation (_nav.html) with `current` marked: the same on every
        page of a section, so it is rendered once per section, not once per page (with
        a hundred sections it was half of a page's time)."""
        made = self._navs.get(current)
        if made is None:
            made = self.env.get_template("_nav.html").render(current=current).rstrip("\n")
            self._navs[current] = made
        return made

    def _digest(self, config: Config, versions: Mapping[str, str]) -> str:
        """What every page depends on besides its own content: the templates, the static
        files, the site's settings and the navigation. A change here rebuilds everything."""
        digest = hashlib.sha256()
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                    digest.update(f"{path.relative_to(folder)}\n".encode())
                    digest.update(path.read_bytes())
        digest.update(repr(sorted(versions.items())).encode())
        digest.update(repr(config.site).encode())
        digest.update(repr([(c.slug, c.title, c.nav) for c in self.nav]).encode())
        digest.update(repr(self.directory).encode())
        return digest.hexdigest()[:16]

    def render(self, template: str, context: Mapping[str, Any], now: datetime) -> str:
        try:
            return xml_safe(self.env.get_template(template).render({**context, "now": now}))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)  # syntax errors know their line
            where = f" line {line}" if line else ""
            raise BuildError(f"template {template}{where}: {exc}") from exc

    def static_files(self) -> Iterator[tuple[str, Path]]:
        """(relative path, file) of static assets; a site's own override the theme's."""
        seen: set[str] = set()
        for folder in self.dirs:
            static = folder / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                relative = path.relative_to(folder).as_posix()
                if path.is_file() and relative not in seen:
                    seen.add(relative)
                    yield relative, path


class Templates:
    """A folder of HTML templates for a web app (the editors' desk), autoescaped, with
    dates shown in `zone`."""

    def __init__(
        self, folder: Path, zone: Any, filters: Mapping[str, Any] | None = None, **names: Any
    ) -> None:
        self.env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(names)
        self.env.filters.update(
            local=lambda d, fmt="%Y-%m-%d %H:%M": d.astimezone(zone).strftime(fmt) if d else "",
            iso=partial(iso_moment, zone=zone),
            moment=partial(moment, zone=zone, day="%Y-%m-%d"),
        )
        self.env.filters.update(filters or {})

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(context)

"""channels.yaml -> a validated `Config`; every error names file, line and key path.

Paths (data/, site/, index/, templates/) are relative to the folder holding the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from hub.config.alerting import ALERT_KINDS, AlertKind, Alerts, Email, Webhook
from hub.config.attachments import Attachments
from hub.config.checking import Checks, DateChecks, LinkChecks, WordList
from hub.config.entries import add_source, replace_source, source_entry
from hub.config.schema import (
    Audit,
    Channel,
    Database,
    Desk,
    Document,
    Fetch,
    Override,
    Page,
    Rule,
    Schedule,
    Source,
    validate,
)
from hub.config.searching import Search
from hub.config.services import SECTION, Services, Theme
from hub.config.site import Site
from hub.config.types import parse_duration, parse_size
from hub.config.yamlfile import KeyPath, format_path, read_yaml
from hub.errors import ConfigError

__all__ = [
    "ALERT_KINDS",
    "SECTION",
    "AlertKind",
    "Alerts",
    "Attachments",
    "Audit",
    "Channel",
    "Checks",
    "Config",
    "Database",
    "DateChecks",
    "Desk",
    "Email",
    "Fetch",
    "LinkChecks",
    "Override",
    "Page",
    "Rule",
    "Schedule",
    "Search",
    "Services",
    "Site",
    "Source",
    "Theme",
    "Webhook",
    "WordList",
    "add_source",
    "load",
    "loads",
    "parse_duration",
    "parse_size",
    "replace_source",
    "source_entry",
]


@dataclass(frozen=True)
class Config:
    """A validated channels.yaml and where it lives."""

    document: Document
    path: Path  # the file it was read from
    lines: dict[KeyPath, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def site(self) -> Site:
        return self.document.site

    @property
    def fetch(self) -> Fetch:
        return self.document.fetch

    @property
    def schedule(self) -> Schedule:
        return self.document.schedule

    @property
    def store(self) -> Database:
        return self.document.store

    @property
    def desk(self) -> Desk:
        return self.document.desk

    @property
    def checks(self) -> Checks:
        return self.document.checks

    @property
    def alerts(self) -> Alerts:
        return self.document.alerts

    @property
    def search(self) -> Search:
        return self.document.search

    @property
    def audit(self) -> Audit:
        return self.document.audit

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.document.sources

    @property
    def services(self) -> Services:
        return self.document.services

    @property
    def attachments(self) -> Attachments:
        return self.document.attachments

    @property
    def catalogues(self) -> tuple[Source, ...]:
        """The sources whose items are services (办事事项), not posts."""
        return tuple(s for s in self.document.sources if s.services)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return self.document.channels

    @property
    def overrides(self) -> tuple[Override, ...]:
        return self.document.overrides

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def alerts_file(self) -> Path:
        """What the alerts told, and to whom, inside data/ (the quiet period)."""
        return self.data_dir / "alerts.json"

    @property
    def database(self) -> Path:
        """The SQLite database inside data/ (the store unless `store.url` names another)."""
        return self.data_dir / "hub.sqlite3"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def interval(self, source: Source) -> float:
        """Seconds between two polls of a source."""
        return source.every if source.every is not None else self.fetch.every

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def error(self, path: KeyPath, message: str) -> ConfigError:
        """An error located at the line of `path` (or its nearest written ancestor)."""
        return ConfigError(
            message, file=self.path.name, line=_line(self.lines, path), path=format_path(path)
        )


def load(path: Path) -> Config:
    """Read and validate a channels.yaml file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: no such file (create one, or run `hub demo` in an empty "
            "folder to get an example)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return loads(text, path)


def loads(text: str, path: Path) -> Config:
    """Validate channels.yaml text as if read from `path`."""
    name = path.name
    data, lines = read_yaml(text, name)
    if data is None:
        raise ConfigError("the file is empty; it needs site:, sources: and channels:", file=name)
    if not isinstance(data, dict):
        raise ConfigError(
            "the top level must be a mapping of site:, sources:, channels:", file=name, line=1
        )
    document, problems = validate(data)
    if document is None:
        errors = [_at(lines, name, loc, message) for loc, message in problems]
        raise ConfigError.combine(errors)
    config = Config(document, path.resolve(), lines)
    _check_references(config)
    return config


def _at(lines: dict[KeyPath, int], name: str, loc: KeyPath, message: str) -> ConfigError:
    return ConfigError(message, file=name, line=_line(lines, loc), path=format_path(loc))


def _line(lines: dict[KeyPath, int], loc: KeyPath) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 0


def _check_references(config: Config) -> None:
    errors = _check_sources(config) + _check_channels(config) + _check_overrides(config)
    errors += _check_site(config)
    if errors:
        raise ConfigError.combine(errors)


def _check_site(config: Config) -> list[ConfigError]:
    """The home page's sections are channels; the footer's images are files of the
    site's templates/ folder or of the theme."""
    theme = Path(str(files("hub.theme")))
    slugs = {c.slug for c in config.channels}
    known = ", ".join(c.slug for c in config.channels)
    errors = [
        config.error(("site", "lead_sections", n), f"unknown channel {slug!r} (known: {known})")
        for n, slug in enumerate(config.site.lead_sections)
        if slug not in slugs
    ]
    if config.site.notices and config.site.notices not in slugs:
        message = f"unknown channel {config.site.notices!r} (known: {known})"
        errors.append(config.error(("site", "notices"), message))
    for name in ("party_mark", "error_report"):
        badge = getattr(config.site, name)
        if badge is None or not badge.image:
            continue
        if not any((root / badge.image).is_file() for root in (config.templates_dir, theme)):
            errors.append(
                config.error(
                    ("site", name, "image"),
                    f"no such image: {config.templates_dir / badge.image} (put it in "
                    f"{config.templates_dir / 'static'}/, or use one of the theme's)",
                )
            )
    return errors


def _check_sources(config: Config) -> list[ConfigError]:
    errors: list[ConfigError] = []
    seen: dict[str, int] = {}
    for i, source in enumerate(config.sources):
        if source.id in seen:
            message = f"duplicate source id {source.id!r} (also sources[{seen[source.id]}])"
            errors.append(config.error(("sources", i, "id"), message))
        seen.setdefault(source.id, i)
    return errors + _check_aliases(config)


def _check_aliases(config: Config) -> list[ConfigError]:
    """An alias names one department: not another's name, nor another's alias (a search
    for it would find both, and neither by the name residents meant)."""
    errors: list[ConfigError] = []
    names = {s.name: n for n, s in enumerate(config.sources)}
    claimed: dict[str, int] = {}
    for n, source in enumerate(config.sources):
        for a, alias in enumerate(source.aliases):
            owner = names.get(alias, claimed.get(alias, n))
            if owner != n and config.sources[owner].name != source.name:
                what = "name" if alias in names else "alias"
                message = f"{alias!r} is already sources[{owner}]'s {what}"
                errors.append(config.error(("sources", n, "aliases", a), message))
            claimed.setdefault(alias, n)
    return errors


def _check_channels(config: Config) -> list[ConfigError]:
    errors: list[ConfigError] = []
    catalogues = {s.id for s in config.catalogues}
    known = {
        "source": ({s.id for s in config.sources} - catalogues, "source"),
        "group": ({s.group for s in config.sources if s.group}, "group"),
        "tags": ({t for s in config.sources for t in s.tags}, "tag"),
    }
    slugs: dict[str, int] = {}
    fallbacks = 0
    for c, channel in enumerate(config.channels):
        if channel.slug in slugs:
            errors.append(
                config.error(("channels", c, "slug"), f"duplicate channel slug {channel.slug!r}")
            )
        slugs.setdefault(channel.slug, c)
        if channel.slug == SECTION and catalogues:
            message = f"{SECTION!r} is the services' own (search's filter for them): rename it"
            errors.append(config.error(("channels", c, "slug"), message))
        fallbacks += channel.fallback
        if fallbacks > 1 and channel.fallback:
            errors.append(
                config.error(("channels", c, "fallback"), "only one channel can be the fallback")
            )
        for kind in ("include", "exclude"):
            for r, rule in enumerate(getattr(channel, kind)):
                for name, (values, noun) in known.items():
                    listing = ", ".join(sorted(values)) or "none"
                    errors += [
                        config.error(
                            ("channels", c, kind, r, name),
                            f"{value!r} is a service catalogue (kind: services): its "
                            "services are listed on /banshi/, never routed to a section"
                            if name == "source" and value in catalogues
                            else f"unknown {noun} {value!r} (known: {listing})",
                        )
                        for value in getattr(rule, name)
                        if value not in values
                    ]
    return errors


def _check_overrides(config: Config) -> list[ConfigError]:
    errors: list[ConfigError] = []
    slugs = {c.slug for c in config.channels}
    posts: dict[str, int] = {}
    for o, override in enumerate(config.document.overrides):
        if override.post in posts:
            errors.append(
                config.error(
                    ("overrides", o, "post"),
                    f"{override.post!r} is overridden twice "
                    f"(also overrides[{posts[override.post]}])",
                )
            )
        posts.setdefault(override.post, o)
        for name in ("pin", "add"):
            errors += [
                config.error(("overrides", o, name), f"unknown channel {slug!r}")
                for slug in getattr(override, name)
                if slug not in slugs
            ]
    return errors

"""The portal's 办事服务 pages: the services of the county's catalogues (`kind: services`
sources) by life event (主题, `services.themes`) and by department, and one page per
service that leads to its 办事指南 or online application. Pure: no templates, no files."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.config import SECTION, Config
from hub.models import StoredPost
from hub.site.views import source_path
from hub.text.sounds import pinyin

SUMMARY_CHARS = 120
HOME = f"{SECTION}/"


@dataclass(frozen=True)
class Place:
    """A theme or a department of the directory, with the number of its services."""

    name: str
    path: str
    count: int = 0


@dataclass(frozen=True)
class ServiceView:
    id: str
    path: str  # its own page on the portal
    name: str
    url: str  # its 办事指南 or online application, on the catalogue's site
    department: Place
    themes: tuple[Place, ...]
    topics: tuple[str, ...]  # the catalogue's own
    summary: str
    updated: datetime  # when hub last saw it change, else first saw it


def service_path(service_id: str) -> str:
    return f"{HOME}s/{service_id}.html"


def theme_path(slug: str) -> str:
    return f"{HOME}t/{slug}/"


def department_path(name: str) -> str:
    """A department's page of services: a stable address made from its name."""
    return f"{HOME}bm/{hashlib.sha256(name.encode()).hexdigest()[:10]}/"


def views(config: Config, services: Iterable[StoredPost]) -> list[ServiceView]:
    """The services, in the order of their names' pinyin (as a reader looks one up)."""
    made = []
    for stored in services:
        post = stored.post
        department = post.author or post.source_id
        text = " ".join(post.text.split())
        made.append(
            ServiceView(
                id=post.id,
                path=service_path(post.id),
                name=post.title,
                url=post.url,
                department=Place(department, department_path(department)),
                themes=tuple(
                    Place(t.name, theme_path(t.slug))
                    for t in config.services.themes_of(post.title, post.categories)
                ),
                topics=post.categories,
                summary=text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else ""),
                updated=stored.changed or stored.first_seen,
            )
        )
    return sorted(made, key=lambda view: (pinyin(view.name), view.name, view.id))


def pages(config: Config, services: Sequence[ServiceView]) -> Iterator[tuple[str, str, Any]]:
    """(path, template, context) of each page of the directory, where a catalogue is
    configured (its first page says so while the catalogue is not read yet)."""
    if not config.catalogues:
        return
    title = config.services.title
    by_theme: dict[str, list[ServiceView]] = defaultdict(list)
    by_department: dict[str, list[ServiceView]] = defaultdict(list)
    for view in services:
        by_department[view.department.name].append(view)
        for theme in view.themes:
            by_theme[theme.name].append(view)
    themes = shown_themes(config, services)
    departments = sorted(
        (Place(name, department_path(name), len(listed)) for name, listed in by_department.items()),
        key=lambda place: (pinyin(place.name), place.name),
    )
    news = _news_pages(config)
    base = {"directory": title}
    yield (
        HOME,
        "banshi.html",
        {
            **base,
            "themes": themes,
            "departments": departments,
            "total": len(services),
        },
    )
    for theme in themes:
        listed = by_theme.get(theme.name, [])
        yield theme.path, "banshi_list.html", {**base, "place": theme, "services": listed}
    for place in departments:
        listed = by_department[place.name]
        context = {**base, "place": place, "services": listed, "news": news.get(place.name)}
        yield place.path, "banshi_list.html", context
    for view in services:
        yield view.path, "banshi_item.html", {**base, "service": view}


def shown_themes(config: Config, services: Sequence[ServiceView]) -> list[Place]:
    """The themes with their numbers of services; a theme without any is not shown (a
    blank column fails an inspection)."""
    counts: dict[str, int] = defaultdict(int)
    for view in services:
        for theme in view.themes:
            counts[theme.name] += 1
    return [
        Place(t.name, theme_path(t.slug), counts[t.name])
        for t in config.services.themes
        if counts.get(t.name)
    ]


def _news_pages(config: Config) -> Mapping[str, str]:
    """A department's name -> its page of news on the portal, where it has a source."""
    found: dict[str, str] = {}
    for source in config.sources:
        if not source.services:
            found.setdefault(source.department, source_path(source.id))
    return found

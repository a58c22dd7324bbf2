"""The search service behind `hub serve` and `hub search`: a request read from a form or
a command line, one page of results checked against the live site, the search page, and
the API's JSON."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from hub import search
from hub.config import SECTION, Config
from hub.errors import QueryError
from hub.models import Hit, Results
from hub.pipeline import trace
from hub.pipeline.project import stamp

MAX_DIGITS = 6  # of a page or per_page number: more is never a page anyone reads

if TYPE_CHECKING:
    from hub.site import SearchPage


def names(config: Config) -> search.synonyms.Synonyms:
    """What a search expands a clause with: hub's table of short names, the county's
    `search.synonyms` and each department's `aliases` (read at query time: a change
    needs no re-index; built once per configuration)."""
    aliases: dict[str, tuple[str, ...]] = {}
    for source in config.sources:
        aliases[source.name] = (*aliases.get(source.name, ()), *source.aliases)
    return search.synonyms.from_sources(config.search.synonyms, aliases)


class SearchService:
    """Queries and the search page for `hub serve` and `hub search`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.names = names(config)
        self._search_page: SearchPage | None = None  # made when first rendered
        self._published: object = None  # the publish whose sections its navigation lists

    @property
    def _page(self) -> SearchPage:
        """The search page; `hub search` never renders one, nor loads the templates. Its
        navigation lists the sections the live portal lists: made again after a publish."""
        published = stamp(self.config.data_dir / trace.FILE)
        if self._search_page is None or published != self._published:
            from hub.site import SearchPage  # noqa: PLC0415

            last = trace.load(self.config.data_dir)
            shown = last.shown  # (None from a hub that did not write it: every section)
            self._search_page, self._published = SearchPage(self.config, shown), published
        return self._search_page

    def request(self, params: Mapping[str, str]) -> search.Request:
        """A request from a form or a command line: q, section, source, group, since and
        until (dates, both days included, in the site's time zone), sort, page, per_page.
        Raises QueryError, saying what is wrong, for what cannot be understood."""
        zone = self.config.site.zone

        def day(name: str, days_after: int = 0) -> datetime | None:
            raw = params.get(name, "").strip()
            if not raw:
                return None
            try:
                value = date.fromisoformat(raw) if len(raw) <= 10 else None
            except ValueError:
                value = None
            if value is None:
                shown = raw if len(raw) <= 40 else raw[:40] + "…"
                raise QueryError(f"{name} must be a date such as 2026-06-01, not {shown!r}")
            if not search.EARLIEST.year <= value.year < search.LATEST.year:
                raise QueryError(
                    f"{name} must be a date between {search.EARLIEST:%Y-%m-%d} and "
                    f"{search.LATEST - timedelta(days=1):%Y-%m-%d}, not {raw}"
                )
            return datetime.combine(value + timedelta(days=days_after), dt_time(), zone)

        def number(name: str, default: int) -> int:
            raw = params.get(name, "").strip()
            if not raw:
                return default
            if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_DIGITS:
                shown = raw if len(raw) <= 40 else raw[:40] + "…"
                raise QueryError(f"{name} must be a whole number such as 2, not {shown!r}")
            return int(raw)

        known = {
            "section": {c.slug for c in self.config.channels}
            | ({SECTION} if self.config.catalogues else set()),
            "source": {s.id for s in self.config.sources},
            "group": {s.group for s in self.config.sources},
        }
        for name, values in known.items():
            if (value := params.get(name, "")) and value not in values:
                raise QueryError(f"there is no {name} {value!r}")
        return search.Request(
            text=params.get("q", "")[: search.MAX_QUERY_CHARS],
            section=params.get("section", ""),
            source=params.get("source", ""),
            group=params.get("group", ""),
            since=day("since"),
            until=day("until", days_after=1),
            sort=cast(search.Sort, params.get("sort") or "relevance"),
            page=number("page", 1),
            per_page=number("per_page", 10),
        )

    def results(self, request: search.Request) -> Results:
        """One page of results, without hits whose page the live site does not have:
        a publish commits the index just before it switches the site, and one killed
        in between must not send readers to pages that are not there."""
        results = search.search(self.config.index_dir, request, self.names)
        live = Path(os.path.realpath(self.config.site_dir))
        shown = tuple(hit for hit in results.hits if (live / hit.path).is_file())
        return results if len(shown) == len(results.hits) else replace(results, hits=shown)

    def page(self, params: Mapping[str, str], now: datetime) -> tuple[int, str]:
        """(HTTP status, the search page): the form alone for an empty query, else the
        results; a request that cannot be understood gets the form and what to fix."""
        try:
            request = self.request(params)
        except QueryError:
            error = (
                "搜索条件无法识别：日期请写成 2026-06-01 的形式，页码为正整数，"
                "栏目和单位请从列表中选择。"
            )
            return 400, self._page.render(params, None, now, error=error)
        results = self.results(request) if search.parse(request.text).clauses() else None
        return 200, self._page.render(params, results, now)

    def unavailable(self, params: Mapping[str, str], now: datetime) -> str:
        return self._page.render(params, None, now, error="搜索暂时不可用，请稍后再试。")

    def json(self, request: search.Request, results: Results) -> dict[str, object]:
        """The API's answer: the query, the total and one page of hits."""
        return {
            "query": request.text,
            "total": results.total,
            "page": results.page,
            "pages": results.pages,
            "per_page": results.per_page,
            "sort": request.sort,
            "hits": [self.hit_json(h) for h in results.hits],
            "suggestions": list(results.suggestions),
        }

    def hit_json(self, hit: Hit) -> dict[str, object]:
        return {
            "id": hit.id,
            "title": hit.title,
            "url": self.config.site.url(hit.path),
            "path": hit.path,
            "department": hit.department,
            "source": hit.source_id,
            "group": hit.group,
            "sections": list(hit.sections),
            # in the site's time zone, with its offset: what the county's clocks said
            "date": hit.date.astimezone(self.config.site.zone).isoformat() if hit.date else None,
            "score": round(hit.score, 3),
            "title_html": search.to_html(hit.title_marked),
            "snippet": search.to_html(hit.snippet),
            "snippet_text": search.plain(hit.snippet),
            "attachment": hit.attachment,  # the snippet's attachment, or ""
        }

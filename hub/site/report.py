"""The audit's self-check report as one HTML page that prints cleanly on A4, its styles
inside: a file an office files, so hub's own template (hub/site/report.html), not the
portal theme's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hub.audited import Sheet
from hub.config import Config
from hub.site.render import Templates


def report_page(config: Config, title: str, sheets: Sequence[Sheet], now: datetime) -> str:
    pages = Templates(Path(__file__).parent, config.site.zone, site=config.site)
    return pages.render("report.html", {"title": title, "sheets": sheets, "now": now})

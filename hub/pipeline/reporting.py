"""The audit's self-check report written to a file an office can file: the same tables
as an Excel workbook (`hub.workbook`) or a page that prints on A4 (`hub.site`)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Literal

from hub import site, workbook
from hub.audit import sheets as layout
from hub.audited import AuditReport
from hub.config import Config
from hub.errors import BuildError

ReportFormat = Literal["xlsx", "html"]


def write_report(
    config: Config, report: AuditReport, path: Path, form: ReportFormat, now: datetime
) -> None:
    zone = config.site.zone
    tables = layout.sheets(report, config.sources, config.channels, config.audit, zone)
    title = layout.title(config.site.title, now, zone)
    if form == "xlsx":
        data = workbook.workbook(title, tables, now)
    else:
        data = site.report_page(config, title, tables, now).encode("utf-8")
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BuildError(f"cannot write {path}: {exc}") from exc

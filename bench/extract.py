"""Attachments' text: files/s and MB/s per format, read in-process and through a capped
worker process (the ratio is what isolation costs), on files LibreOffice makes from real
government prose (../shared/data). Skipped without that prose or without LibreOffice."""

from __future__ import annotations

import asyncio
import html
import tempfile
from functools import partial
from pathlib import Path

from bench.common import DATA, Row, best
from hub.extract import extract
from hub.workers import Workers
from tests.documents import SOFFICE, Office

FORMATS = ("pdf", "docx", "doc", "odt", "xlsx", "xls")
CALLS = 20  # files read per format and way
MEMORY = 512 << 20


def _sources(folder: Path, paragraphs: list[str]) -> tuple[Path, Path]:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:60])
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(p[:40])}</td></tr>"
        for i, p in enumerate(paragraphs[60:100])
    )
    page = folder / "report.html"
    page.write_text(
        f'<html><head><meta charset="utf-8"></head><body><h1>政府工作报告</h1>{body}'
        f"<table>{rows}</table></body></html>",
        encoding="utf-8",
    )
    sheet = folder / "report.csv"
    lines = [f'{i},"{p[:60]}",{len(p)}' for i, p in enumerate(paragraphs[:2000])]
    sheet.write_text("\n".join(["序号,摘要,字数", *lines]), encoding="utf-8")
    return page, sheet


def _files(folder: Path, paragraphs: list[str]) -> dict[str, bytes]:
    office = Office(folder)
    page, sheet = _sources(folder, paragraphs)
    out = folder / "out"
    office.convert([page], "docx:MS Word 2007 XML", out)
    office.convert([page], "odt:writerweb8_writer", out)
    office.convert([out / "report.docx"], "pdf", out)
    office.convert([out / "report.docx"], "doc:MS Word 97", out)
    for to in ("xlsx", "xls:MS Excel 97"):
        office.run("--infilter=CSV:44,34,76", "--convert-to", to, "--outdir", str(out), str(sheet))
    return {p.suffix[1:]: p.read_bytes() for p in out.iterdir()}


def _prose() -> list[str]:
    import json  # noqa: PLC0415

    lines = (DATA / "government_work_reports.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        p.strip()
        for line in lines
        for p in json.loads(line)["content"].split("\n")
        if len(p.strip()) > 80
    ]


def _in_process(data: bytes, name: str) -> None:
    for _ in range(CALLS):
        extract(data, name)


def _isolated(workers: Workers, data: bytes, name: str) -> None:
    async def calls() -> None:
        for _ in range(CALLS):
            await workers.run(extract, data, name, limit=60)

    asyncio.run(calls())


def rows(repeat: int) -> list[Row]:
    if not (DATA / "government_work_reports.jsonl").is_file():
        return [Row("extract: skipped", 0, "", "no ../shared/data/government_work_reports.jsonl")]
    if SOFFICE is None:
        return [Row("extract: skipped", 0, "", "LibreOffice (soffice) is not installed")]
    with tempfile.TemporaryDirectory() as folder:
        files = _files(Path(folder), _prose())
    found: list[Row] = []
    with Workers(size=1, preload=["hub.extract"], memory=MEMORY) as workers:
        workers.start()

        for format_ in FORMATS:
            data, name = files[format_], f"report.{format_}"
            chars = len(extract(data, name).text)
            _, local = best(partial(_in_process, data, name), repeat)
            _, remote = best(partial(_isolated, workers, data, name), repeat)
            megabytes = len(data) * CALLS / 1e6
            found.append(
                Row(
                    f"extract {format_}, in-process",
                    CALLS / local,
                    "files/s",
                    f"{megabytes / local:.1f} MB/s; {len(data) / 1e3:.0f} kB, {chars:,} chars",
                )
            )
            found.append(
                Row(
                    f"extract {format_}, capped worker",
                    CALLS / remote,
                    "files/s",
                    f"{megabytes / remote:.1f} MB/s; {remote / local:.2f}x the in-process time",
                )
            )
    return found

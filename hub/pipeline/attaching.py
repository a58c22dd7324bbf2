"""Attachments (`attachments:`): after a crawl, the 附件 of stored posts that hub has not
read are downloaded through the crawl's fetcher (the guard, robots.txt, politeness and
`attachments.max_bytes`), their text is read by `hub.extract` in a process capped in
time and memory, and a copy is kept in data/files for the portal, within the budget.
One attachment's failure costs only itself, and never fails the crawl."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from hub import extract
from hub.config import Config
from hub.errors import FetchError, WorkError
from hub.fetch import Fetcher
from hub.models import Attached
from hub.pipeline.attached import copy_name, files_dir
from hub.workers import Workers

if TYPE_CHECKING:
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
T = TypeVar("T")
BUDGET = 180.0  # seconds a crawl's downloads may start within; the rest wait for the next
CONCURRENCY = 2  # downloads under way at once (their reading takes one process)
RETRY = timedelta(hours=6)  # the wait after a first failed download; doubles each time
LONGEST_WAIT = timedelta(days=30)
REFRESH = timedelta(days=30)  # a file read is asked again this long after (replaced?)
# A read that ran over its time or lost its process may be the machine's fault, not the
# file's: it is tried again (as a failed download is) READS times before it is final.
AGAIN = frozenset({"over-time", "crashed"})
READS = 2
LEFTOVER = timedelta(hours=1)  # a copy half-written this long ago was a crawl killed
# what a copy may be: documents by their bytes, never a page a browser would run
KEPT_FORMATS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "odt", "ods"})


def file_name(url: str, title: str) -> str:
    """What the attachment calls itself: its address's last part, else its title."""
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last or title


async def read_attachments(
    config: Config,
    store: Store,
    now: datetime,
    *,
    fetcher: Fetcher,
    database: Executor,
    stopping: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Download, read and keep up to `attachments.per_run` attachments that are due,
    starting none after BUDGET seconds; the store is used on `database`'s thread.
    Returns how many ended each way ("read", a failure's kind)."""
    settings = config.attachments
    loop = asyncio.get_running_loop()

    async def stored(function: Callable[..., T], *args: Any) -> T:
        return await loop.run_in_executor(database, function, *args)

    due = await stored(store.attachments.due, now, settings.per_run, REFRESH)
    if not due:
        return Counter()
    await loop.run_in_executor(database, _sweep, files_dir(config), now)
    room = [settings.budget - await stored(store.attachments.kept_bytes)]
    gate, until = asyncio.Semaphore(CONCURRENCY), loop.time() + BUDGET
    tally: Counter[str] = Counter()
    with Workers(1, preload=("hub.extract",), memory=settings.memory) as readers:

        async def one(url: str, title: str, source_id: str) -> None:
            async with gate:
                if loop.time() >= until or (stopping is not None and stopping()):
                    return
                before = await stored(store.attachments.get, url)
                try:
                    attached, data = await _download(
                        config, url, title, source_id, now, before=before, fetcher=fetcher
                    )
                    if data is not None:
                        attached = await _read(attached, data, title, readers, config)
                        attached = await stored(_keep, config, attached, data, before, room)
                except Exception:  # a bug costs this attachment, nothing more
                    log.exception("unexpected error with the attachment %s", url)
                    return
                earlier = before.failures if before else 0
                if attached.kind in AGAIN and earlier < READS:  # a busy machine's, perhaps
                    attached = replace(attached, ok=False)
                failures = 0 if attached.ok else earlier + 1
                attached = replace(attached, failures=failures)
                wait = None if attached.ok else now + min(RETRY * 2 ** (failures - 1), LONGEST_WAIT)
                await stored(store.attachments.record, attached, wait)
                tally["read" if attached.ok and not attached.kind else attached.kind] += 1

        await asyncio.gather(*(one(*entry) for entry in due))
    if tally:
        log.info("attachments: %s", ", ".join(f"{n} {k}" for k, n in sorted(tally.items())))
    return tally


async def _download(
    config: Config,
    url: str,
    title: str,
    source_id: str,
    now: datetime,
    *,
    before: Attached | None,
    fetcher: Fetcher,
) -> tuple[Attached, bytes | None]:
    """The attachment as downloaded and its bytes, to be read; no bytes when there is
    nothing new to read. One read before is asked again with its validators: unchanged
    (304, or the same bytes), or failing (the department's site redesigned), it stays
    as it was read, copy and all."""
    known = before if before is not None and before.ok else None
    try:
        fetched = await fetcher.get(
            url,
            source_id=source_id,
            now=now,
            etag=known.etag if known else "",
            last_modified=known.last_modified if known else "",
            cap=config.attachments.max_bytes,
        )
    except FetchError as exc:
        if known is not None:
            note = f"asked again, it failed ({exc.kind}): what was read is kept"
            return replace(known, fetched=now, note=note), None
        return Attached(url, now, ok=False, kind=exc.kind, note=str(exc)[:300]), None
    data, content_type = fetched.content, fetched.headers.get("content-type", "")
    digest = hashlib.sha256(data).hexdigest()
    if known is not None and (fetched.status == 304 or digest == known.digest):
        return replace(known, fetched=now), None
    kind = extract.sniff(data, file_name(url, title), content_type)
    if kind is None and extract.page(data, content_type):  # tried again, as a 403 would be
        note = "a web page instead of the file (a login, captcha or error page)"
        if known is not None:
            return replace(
                known, fetched=now, note=f"asked again, {note}: what was read is kept"
            ), None
        return Attached(url, now, ok=False, kind="http", note=note), None
    attached = Attached(url, now, True, format=kind or "", size=len(data), digest=digest)
    etag, modified = fetched.headers.get("etag", ""), fetched.headers.get("last-modified", "")
    return replace(attached, etag=etag[:200], last_modified=modified[:100]), data


async def _read(
    attached: Attached, data: bytes, title: str, readers: Workers, config: Config
) -> Attached:
    """The attachment with its text, or the kind of why none was read."""
    if not attached.format:
        return replace(attached, kind="unsupported", note="not a document hub reads")
    try:
        found = await readers.run(
            extract.extract,
            data,
            file_name(attached.url, title),
            "",
            limit=config.attachments.timeout,
        )
    except (extract.ExtractError, WorkError, MemoryError) as exc:
        failed = extract.failure(exc)
        return replace(attached, kind=failed.kind, note=str(failed)[:300])
    note = "; ".join(found.notes)[:300]
    return replace(attached, text=found.text, pages=found.pages, note=note)


def _sweep(folder: Path, now: datetime) -> None:
    """Copies a killed crawl left half-written (.NAME.PID) removed."""
    if not folder.is_dir():
        return
    for leftover in folder.glob(".*"):
        with contextlib.suppress(OSError):  # another crawler's, gone meanwhile
            if leftover.stat().st_mtime < (now - LEFTOVER).timestamp():
                leftover.unlink()


def _keep(
    config: Config, attached: Attached, data: bytes, before: Attached | None, room: list[int]
) -> Attached:
    """The attachment with its copy kept in data/files, when `attachments.keep`, its
    format is a document's (from its first byte) and the budget has room (`room`: the
    bytes left, shared by the crawl's downloads). An unchanged copy stays; a changed one
    is replaced in one rename, so a publish meanwhile links the old file or the new."""
    folder = files_dir(config)
    old = before.kept if before is not None else ""
    unchanged = before is not None and before.digest == attached.digest
    if old and unchanged and (folder / old).is_file():
        return replace(attached, kept=old)
    if old and before is not None:
        room[0] += before.size  # (its room is the new file's, or freed below)
    name = copy_name(attached.url, attached.format)
    wanted = config.attachments.keep and attached.format in KEPT_FORMATS
    if not wanted or not extract.signed(data):  # (no signature: read, but never served)
        kept = ""
    elif attached.size > room[0]:
        kept = ""
        note = "; ".join(filter(None, [attached.note, "not kept: attachments.budget is full"]))
        attached = replace(attached, note=note)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.{os.getpid()}"
        temporary.write_bytes(data)
        temporary.replace(folder / name)
        room[0] -= attached.size
        kept = name
    if old and old != kept:
        (folder / old).unlink(missing_ok=True)
    return replace(attached, kept=kept)

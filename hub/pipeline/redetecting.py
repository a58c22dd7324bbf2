"""When a list page source's selectors stop finding its items (`layout-changed`, or
`empty`), hub looks at the page again as `hub sources add` would, after the crawl and
through its fetcher, and keeps what it finds as a proposal (`hub status`, the desk's
状态 page) until an editor applies it (`hub sources apply ID`) or the source's entry
changes. Nothing is ever applied by hub itself. A source is looked at again at most
once a day while its entry stays the same."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from hub.config import Config, Source, replace_source, source_entry
from hub.errors import ConfigError, SourceError, StoreError
from hub.fetch import Fetcher
from hub.models import Proposal, SourceResult
from hub.pipeline.detecting import Detection, Detector, detect_source
from hub.pipeline.reading import Reader

if TYPE_CHECKING:
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
T = TypeVar("T")
FAILING = frozenset({"layout-changed", "empty"})
AGAIN_AFTER = timedelta(hours=24)  # a source's entry unchanged: looked at again after this
BUDGET = 60.0  # seconds a crawl spends looking again, all sources together; the rest wait
ONE = 30.0  # seconds for one source
SETTINGS = ("url", "item", "title", "link", "date", "article", "more", "backfill")


def digest(source: Source) -> str:
    """What a proposal was made for: the source's entry as it was."""
    return hashlib.sha256(source.model_dump_json().encode()).hexdigest()[:16]


def proposed(source: Source, found: Detection) -> Source:
    """The source with what detection found in place of its page settings (or its feed,
    when the page now offers one); its id, name, group, tags and the rest kept."""
    if found.found == "feed":
        return source.model_copy(update={"page": None, "feed": found.source.feed})
    page = found.source.page
    assert page is not None  # noqa: S101 (a page source's detection has its page)
    if page.more and source.page is not None and source.page.more:
        page = page.model_copy(update={"backfill": source.page.backfill})  # as the editor set
    return source.model_copy(update={"page": page})


async def redetect(
    config: Config,
    store: Store,
    now: datetime,
    results: Sequence[SourceResult],
    *,
    fetcher: Fetcher,
    reader: Reader,
    database: Executor,
    stopping: Callable[[], bool] | None = None,
) -> int:
    """Proposals for the crawl's list page sources that found nothing; the proposals of
    sources that read again dropped. Returns how many sources were looked at. Whatever
    befalls it but an unusable database, the crawl has done its work and is not failed
    by it."""
    try:
        return await _redetect(config, store, now, results, fetcher, reader, database, stopping)
    except StoreError:
        raise
    except Exception:
        log.exception("looking again at the pages that found nothing stopped; the crawl is done")
        return 0


async def _redetect(  # noqa: PLR0917 (the crawl's own, passed on)
    config: Config,
    store: Store,
    now: datetime,
    results: Sequence[SourceResult],
    fetcher: Fetcher,
    reader: Reader,
    database: Executor,
    stopping: Callable[[], bool] | None,
) -> int:
    async def stored(function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(database, function, *args)

    known = await stored(store.proposals.all)
    by_id = {s.id: s for s in config.sources}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUDGET
    looked = 0
    for result in results:
        source = by_id.get(result.source_id)
        if source is None or source.page is None or source.services:
            continue
        kept = known.get(source.id)
        if result.error_kind not in FAILING:
            if kept is not None and kept.entry and not result.error_kind:
                # it reads again: nothing to apply, but when it was looked at is kept,
                # so that a list that fails every other crawl is looked at once a day
                await stored(store.proposals.put, replace(kept, entry="", note="reads again"))
            continue
        if kept is not None and kept.based_on == digest(source) and now - kept.made < AGAIN_AFTER:
            continue
        if (stopping is not None and stopping()) or loop.time() > deadline:
            log.info("no time left to look again at %s; at the next crawl", source.id)
            continue
        looked += 1
        try:
            proposal = await asyncio.wait_for(_look(config, source, now, fetcher, reader), ONE)
        except TimeoutError:
            proposal = _nothing(source, now, f"detection took longer than {ONE:g}s")
        except Exception as exc:  # a page that breaks detection costs only itself
            log.exception("%s: looking again failed", source.id)
            proposal = _nothing(source, now, f"detection failed: {type(exc).__name__}: {exc}")
        await stored(store.proposals.put, proposal)
        log.warning("%s: %s", source.id, proposal.note)
    return looked


def _nothing(source: Source, now: datetime, why: str) -> Proposal:
    return Proposal(source.id, now, digest(source), "", "{}", 0, "[]", why)


async def _look(
    config: Config, source: Source, now: datetime, fetcher: Fetcher, reader: Reader
) -> Proposal:
    assert source.page is not None  # noqa: S101 (only list page sources come here)
    detector = Detector(config, fetcher, reader, now)
    try:
        found = await detect_source(detector, source.page.url, source.id, source.name, source.group)
    except SourceError as exc:
        return _nothing(source, now, f"detection found nothing: {exc}")
    new = proposed(source, found)
    titles = json.dumps([item.title for item in found.items[:3]], ensure_ascii=False)
    if new == source:
        note = "detection finds the same selectors: the list may be empty for now"
        return Proposal(source.id, now, digest(source), "", "{}", len(found.items), titles, note)
    settings = (
        {"feed": new.feed}
        if new.feed
        else {k: getattr(new.page, k) for k in SETTINGS if new.page is not None}
    )
    note = f"new selectors found: {len(found.items)} items on the first page ({found.paging})"
    return Proposal(
        source.id,
        now,
        digest(source),
        "\n".join(source_entry(new)),
        json.dumps(settings, ensure_ascii=False),
        len(found.items),
        titles,
        note,
    )


def applicable(config: Config, proposals: dict[str, Proposal]) -> list[tuple[Source, Proposal]]:
    """The proposals still made for the sources' entries as they are, in config order."""
    return [
        (source, proposals[source.id])
        for source in config.sources
        if source.id in proposals
        and proposals[source.id].entry
        and proposals[source.id].based_on == digest(source)
    ]


def apply(config: Config, store: Store, source_id: str, now: datetime) -> tuple[str, str]:
    """Write the proposal for `source_id` into channels.yaml in place of its entry
    (the previous file kept beside it); (the kept file's name, the diff). A ConfigError
    when there is no proposal for the entry as it is."""
    from hub.pipeline.preview import save_rules  # noqa: PLC0415 (the site's modules)

    found = {s.id: p for s, p in applicable(config, store.proposals.all())}
    proposal = found.get(source_id)
    if proposal is None:
        raise ConfigError(
            f"no proposal for {source_id!r} (none was made, or its entry changed since)"
        )
    text = config.path.read_text(encoding="utf-8")
    try:
        changed = replace_source(text, source_id, proposal.entry.split("\n"))
    except ValueError as exc:
        raise ConfigError(f"{config.path.name}: {exc}") from exc
    saved = save_rules(config, changed, now)
    store.proposals.drop(source_id)
    return saved

"""What a crawl ends with once its sources are done, through its fetcher: link checks,
the attachments of the posts, and the list pages that found nothing looked at again.
Whatever befalls them, the crawl has done its work and is not failed by them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import TYPE_CHECKING

from hub.config import Config
from hub.fetch import Fetcher
from hub.models import SourceResult
from hub.pipeline.attaching import read_attachments
from hub.pipeline.linking import check_links
from hub.pipeline.reading import Reader
from hub.pipeline.redetecting import redetect

if TYPE_CHECKING:
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
Stopping = Callable[[], bool]


async def after_sources(
    config: Config,
    store: Store,
    now: datetime,
    results: Sequence[SourceResult],
    *,
    fetcher: Fetcher,
    reader: Reader,
    database: Executor,
    stopping: Stopping | None,
) -> None:
    def stopped() -> bool:
        return stopping is not None and stopping()

    reached = reachable(results)
    if config.checks.links.enabled and reached and not stopped():
        try:
            await check_links(
                config, store, now, fetcher=fetcher, database=database, stopping=stopping
            )
        except Exception:
            log.exception("link checks stopped; the crawl itself is done")
    if config.attachments.enabled and reached and not stopped():
        try:
            await read_attachments(
                config, store, now, fetcher=fetcher, database=database, stopping=stopping
            )
        except Exception:
            log.exception("attachments stopped; the crawl itself is done")
    if not stopped():
        await redetect(
            config,
            store,
            now,
            results,
            fetcher=fetcher,
            reader=reader,
            database=database,
            stopping=stopping,
        )


def reachable(results: Sequence[SourceResult]) -> bool:
    """Whether the network looked up: not when no source could be reached (hub's own
    network down), nor when no source was crawled (none was due, or other crawlers had
    them). Link checks and downloads then wait for the next crawl."""
    unreachable = [r for r in results if r.error_kind in ("network", "timeout")]
    return len(unreachable) < len(results)

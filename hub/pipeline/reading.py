"""The parse stage as a crawl runs it: in worker processes, with a budget of time for a
whole document and a smaller one for each item, so that no single item costs more than
itself. An item over its budget is dropped with a note and its source's other items are
kept; a document over its budget fails its source (kind `parse`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from hub import parse
from hub.errors import ParseError, WorkError
from hub.models import Fetched, ListItem, Parsed
from hub.parse import Entries, Entry, Reading
from hub.workers import Workers

T = TypeVar("T")
DOCUMENT_LIMIT = 30.0  # seconds of a worker's time to read a whole feed or list page
ITEM_LIMIT = 5.0  # seconds to make one entry's or one article page's post
BATCH = 50  # entries sent to a worker at once: a call costs more than a usual entry


class Reader:
    """The parse stage behind a set of worker processes."""

    def __init__(
        self,
        workers: Workers,
        *,
        document_limit: float = DOCUMENT_LIMIT,
        item_limit: float = ITEM_LIMIT,
    ) -> None:
        self.workers = workers
        self.document_limit, self.item_limit = document_limit, item_limit

    async def feed(self, fetched: Fetched, reading: Reading) -> Parsed:
        """A feed's posts: its entries read at once, then their posts made a batch at a
        time, each batch within one item's budget; a batch over it is made again one
        entry at a time, so that one entry over budget costs only itself."""
        found: Entries = await self._document(parse.feed_entries, fetched, reading)
        entries = found.entries
        batches = [entries[i : i + BATCH] for i in range(0, len(entries), BATCH)]
        made = await asyncio.gather(*(self._batch(batch, reading) for batch in batches))
        return parse.unique(sum(made, Parsed(notes=found.notes)))

    async def _batch(self, batch: tuple[Entry, ...], reading: Reading) -> Parsed:
        if len(batch) > 1:
            try:
                made: Parsed = await self.workers.run(
                    parse.entry_posts, batch, reading, limit=self.item_limit
                )
            except WorkError:
                pass  # one of them is over budget, or killed its worker: find which
            else:
                return made
        singles = await asyncio.gather(*(self._entry(entry, reading) for entry in batch))
        return sum(singles, Parsed())

    async def list_items(self, fetched: Fetched, reading: Reading) -> list[ListItem]:
        items: list[ListItem] = await self._document(parse.list_items, fetched, reading)
        return items

    async def discover(self, fetched: Fetched) -> str | None:
        found: str | None = await self._document(parse.discover_feed, fetched)
        return found

    async def article(self, fetched: Fetched, item: ListItem, reading: Reading) -> Parsed:
        """An article page's post; a ParseError when the page cannot be read in time."""
        try:
            made: Parsed = await self.workers.run(
                parse.article_post, fetched, item, reading, limit=self.item_limit
            )
        except WorkError as exc:
            raise ParseError(f"{fetched.url} could not be read: {exc}") from exc
        return made

    async def _entry(self, entry: Entry, reading: Reading) -> Parsed:
        try:
            made: Parsed = await self.workers.run(
                parse.entry_post, entry, reading, limit=self.item_limit
            )
        except WorkError as exc:
            item = parse.label(entry.title, entry.guid or entry.link)
            return Parsed(notes=(f"{item}: dropped: {exc}",))
        return made

    async def _document(self, function: Callable[..., T], fetched: Fetched, *args: Any) -> T:
        try:
            return await self.workers.run(function, fetched, *args, limit=self.document_limit)
        except WorkError as exc:
            raise ParseError(f"{fetched.url} could not be read: {exc}") from exc

"""The parse stage as a crawl runs it: in worker processes, with a budget of time for a
whole document, a smaller one for each item, and one for all of a source's items, so
that no single item, nor a source made of them, costs more than its share. An item over
its budget, or one the parse stage fails on, is dropped with a note and its source's
other items are kept; a document over its budget fails its source (kind `parse`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from hub import parse
from hub.errors import HubError, ParseError, WorkError
from hub.models import Fetched, ListItem, Parsed
from hub.parse import Entries, Entry, Reading
from hub.workers import Workers

log = logging.getLogger("hub.pipeline")
T = TypeVar("T")
DOCUMENT_LIMIT = 30.0  # seconds of a worker's time to read a whole feed or list page
ITEM_LIMIT = 5.0  # seconds to make one entry's or one article page's post
SOURCE_LIMIT = 60.0  # seconds for all of one feed's entries; the rest are left for later
BATCH = 50  # entries sent to a worker at once: a call costs more than a usual entry


class Reader:
    """The parse stage behind a set of worker processes."""

    def __init__(
        self,
        workers: Workers,
        *,
        document_limit: float = DOCUMENT_LIMIT,
        item_limit: float = ITEM_LIMIT,
        source_limit: float = SOURCE_LIMIT,
    ) -> None:
        self.workers = workers
        self.document_limit, self.item_limit = document_limit, item_limit
        self.source_limit = source_limit

    async def feed(self, fetched: Fetched, reading: Reading) -> Parsed:
        """A feed's posts: its entries read at once, then their posts made a batch at a
        time, each batch within one item's budget; a batch over it is made again one
        entry at a time, so that one entry over budget costs only itself. Entries not
        begun when the source's budget is spent are left out, with one note."""
        found: Entries = await self._document(parse.feed_entries, fetched, reading)
        entries = found.entries
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.source_limit
        unread = 0

        async def batch(part: tuple[Entry, ...]) -> Parsed:
            nonlocal unread
            if loop.time() > deadline:
                unread += len(part)
                return Parsed(dropped=len(part))
            return await self._batch(part, reading)

        parts = [entries[i : i + BATCH] for i in range(0, len(entries), BATCH)]
        made = sum(await asyncio.gather(*(batch(part) for part in parts)), Parsed())
        notes = found.notes + made.notes
        if unread:
            notes += (
                f"{unread:,} entries not read: the source's budget of {self.source_limit:g}s "
                "was spent (they are read at the next crawl)",
            )
        return parse.unique(Parsed(made.posts, notes, made.dropped))

    async def _batch(self, part: tuple[Entry, ...], reading: Reading) -> Parsed:
        if len(part) > 1:
            try:
                made: Parsed = await self.workers.run(
                    parse.entry_posts, part, reading, limit=self.item_limit
                )
            except Exception:  # noqa: S110 (one entry is over budget, killed its worker,
                pass  # or fails the parse stage: made again one by one, to find which)
            else:
                return made
        singles = await asyncio.gather(*(self._entry(entry, reading) for entry in part))
        return sum(singles, Parsed())

    async def _entry(self, entry: Entry, reading: Reading) -> Parsed:
        item = parse.label(entry.title, entry.guid or entry.link)
        try:
            made: Parsed = await self.workers.run(
                parse.entry_post, entry, reading, limit=self.item_limit
            )
        except WorkError as exc:
            return Parsed(notes=(f"{item}: dropped: {exc}",), dropped=1)
        except HubError as exc:
            return Parsed(notes=(f"{item}: dropped: {exc}",), dropped=1)
        except Exception as exc:  # a bug in hub's parse stage: this entry only pays for it
            log.exception("%s: an entry could not be read", reading.source_id)
            return Parsed(notes=(f"{item}: dropped: {type(exc).__name__}: {exc}",), dropped=1)
        return made

    async def list_items(self, fetched: Fetched, reading: Reading) -> list[ListItem]:
        items: list[ListItem] = await self._document(parse.list_items, fetched, reading)
        return items

    async def feed_title(self, fetched: Fetched, reading: Reading) -> str:
        """A feed's own title, as plain text."""
        found: Entries = await self._document(parse.feed_entries, fetched, reading)
        return found.title

    async def discover(self, fetched: Fetched) -> str | None:
        found: str | None = await self._document(parse.discover_feed, fetched)
        return found

    async def article(self, fetched: Fetched, item: ListItem, reading: Reading) -> Parsed:
        """An article page's post; a ParseError when the page cannot be read (in time,
        or at all: a page the parse stage fails on costs only itself)."""
        try:
            made: Parsed = await self.workers.run(
                parse.article_post, fetched, item, reading, limit=self.item_limit
            )
        except WorkError as exc:
            raise ParseError(f"{fetched.url} could not be read: {exc}") from exc
        except HubError:
            raise  # the parse stage's own word (an empty body, a page nested too deep)
        except Exception as exc:
            log.exception("%s: an article page could not be read", reading.source_id)
            raise ParseError(
                f"{fetched.url} could not be read: {type(exc).__name__}: {exc}"
            ) from exc
        return made

    async def _document(self, function: Callable[..., T], fetched: Fetched, *args: Any) -> T:
        try:
            return await self.workers.run(function, fetched, *args, limit=self.document_limit)
        except WorkError as exc:
            raise ParseError(f"{fetched.url} could not be read: {exc}") from exc

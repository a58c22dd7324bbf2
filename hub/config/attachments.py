"""The `attachments:` part of channels.yaml: how the 附件 of posts are downloaded, read
for search, and kept with the portal (docs/attachments.md)."""

from __future__ import annotations

from pydantic import Field

from hub.config.types import Bytes, Model, Seconds

__all__ = ["Attachments"]


class Attachments(Model):
    """Each post's attachments are fetched after a crawl through its fetcher (the same
    guard, robots.txt and politeness), read in a process capped in time and memory, and
    their text indexed with the post; a copy is kept for the portal within `budget`."""

    enabled: bool = True
    per_run: int = Field(default=100, ge=0, le=10_000)  # downloads a crawl may start
    max_bytes: Bytes = 30 * 1024**2  # a larger file is neither read nor kept
    timeout: Seconds = 30.0  # reading one file's text
    memory: Bytes = 768 * 1024**2  # the reading process's memory
    keep: bool = True  # a copy with the portal, linked beside the original
    budget: Bytes = 5 * 1024**3  # the copies' total size; past it, files are read, not kept

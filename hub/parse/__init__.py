"""Bytes and headers -> normalized Posts: feeds, list pages, article pages. No IO: time
and the source's settings are arguments (`Reading`), failures are ParseErrors.

A face (`hub.lazy`): `read` holds what the crawl asks, in worker processes that import
it once; `selectors` checks a source's CSS selectors without loading the parsers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy import face

if TYPE_CHECKING:  # what the names below are, for type checkers
    from hub.parse.dates import (
        parse_date as parse_date,
    )
    from hub.parse.detect import (
        ListLayout as ListLayout,
    )
    from hub.parse.detect import (
        detect_body as detect_body,
    )
    from hub.parse.detect import (
        detect_list as detect_list,
    )
    from hub.parse.encoding import (
        decode as decode,
    )
    from hub.parse.entry import (
        Entries as Entries,
    )
    from hub.parse.entry import (
        Entry as Entry,
    )
    from hub.parse.entry import (
        Reading as Reading,
    )
    from hub.parse.entry import (
        entry_post as entry_post,
    )
    from hub.parse.entry import (
        entry_posts as entry_posts,
    )
    from hub.parse.entry import (
        unique as unique,
    )
    from hub.parse.html import (
        sanitize as sanitize,
    )
    from hub.parse.html import (
        to_text as to_text,
    )
    from hub.parse.identity import (
        canonical_link as canonical_link,
    )
    from hub.parse.limits import (
        label as label,
    )
    from hub.parse.links import (
        host_of as host_of,
    )
    from hub.parse.links import (
        outbound as outbound,
    )
    from hub.parse.links import (
        same_site as same_site,
    )
    from hub.parse.links import (
        skipped as skipped,
    )
    from hub.parse.read import (
        article_post as article_post,
    )
    from hub.parse.read import (
        discover_feed as discover_feed,
    )
    from hub.parse.read import (
        feed_entries as feed_entries,
    )
    from hub.parse.read import (
        feed_posts as feed_posts,
    )
    from hub.parse.read import (
        item_post_id as item_post_id,
    )
    from hub.parse.read import (
        list_items as list_items,
    )
    from hub.parse.read import (
        list_page_url as list_page_url,
    )
    from hub.parse.read import (
        read_feed as read_feed,
    )
    from hub.parse.read import (
        service_posts as service_posts,
    )
    from hub.parse.selectors import (
        check_source as check_source,
    )

__all__ = [
    "Entries",
    "Entry",
    "ListLayout",
    "Reading",
    "article_post",
    "canonical_link",
    "check_source",
    "decode",
    "detect_body",
    "detect_list",
    "discover_feed",
    "entry_post",
    "entry_posts",
    "feed_entries",
    "feed_posts",
    "host_of",
    "item_post_id",
    "label",
    "list_items",
    "list_page_url",
    "outbound",
    "parse_date",
    "read_feed",
    "same_site",
    "sanitize",
    "service_posts",
    "skipped",
    "to_text",
    "unique",
]
__getattr__ = face(
    __name__,
    {
        "parse_date": "hub.parse.dates",
        "ListLayout": "hub.parse.detect",
        "detect_body": "hub.parse.detect",
        "detect_list": "hub.parse.detect",
        "decode": "hub.parse.encoding",
        "Entries": "hub.parse.entry",
        "Entry": "hub.parse.entry",
        "Reading": "hub.parse.entry",
        "entry_post": "hub.parse.entry",
        "entry_posts": "hub.parse.entry",
        "unique": "hub.parse.entry",
        "sanitize": "hub.parse.html",
        "to_text": "hub.parse.html",
        "canonical_link": "hub.parse.identity",
        "label": "hub.parse.limits",
        "host_of": "hub.parse.links",
        "outbound": "hub.parse.links",
        "same_site": "hub.parse.links",
        "skipped": "hub.parse.links",
        "article_post": "hub.parse.read",
        "discover_feed": "hub.parse.read",
        "feed_entries": "hub.parse.read",
        "feed_posts": "hub.parse.read",
        "item_post_id": "hub.parse.read",
        "list_items": "hub.parse.read",
        "list_page_url": "hub.parse.read",
        "read_feed": "hub.parse.read",
        "service_posts": "hub.parse.read",
        "check_source": "hub.parse.selectors",
    },
)

"""The home page, top down: the 头条 (the editors' choice, else the newest post of the
leading sections), the 通知公告 block, then a box per section, each led by a post that
leads nothing above it (a post in three sections leads one box, not three)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from hub.config import Site
from hub.site.views import ChannelLink, PostView

PER_SECTION = 6  # posts in a section's box
NOTICES = 8  # in the 通知公告 block


def context(
    site: Site,
    channels: Mapping[str, ChannelLink],
    by_channel: Mapping[str, Sequence[PostView]],
    shown: Collection[str],
    chosen: PostView | None,
) -> dict[str, Any]:
    """`chosen`: the editors' 头条, if any; `shown`: the sections the portal shows."""
    leading = [max(by_channel[s], key=_newest) for s in site.lead_sections if by_channel.get(s)]
    headline = chosen or max(leading, key=_newest, default=None)
    notices = site.notices if site.notices in shown else ""
    used = {headline.id} if headline else set()
    boxes = []
    for slug, link in channels.items():
        if slug not in shown or slug == notices:
            continue
        posts = list(by_channel.get(slug, [])[: PER_SECTION + 1])
        lead = next((v for v in posts if v.id not in used), None)
        if lead is not None:
            used.add(lead.id)
        rest = [v for v in posts if v is not lead][: PER_SECTION - 1]
        boxes.append((link, lead, rest))
    return {
        "headline": headline,
        "notices": (channels[notices], list(by_channel[notices][:NOTICES])) if notices else None,
        "sections": boxes,
    }


def _newest(view: PostView) -> tuple[Any, str]:
    return (view.date, view.id)

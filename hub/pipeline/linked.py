"""The findings of checked links (dead, or moved to another site), as the content
checks and the desk read them; light on purpose: no HTTP here, so routing a site's
posts (`hub check`, `hub explain`) never loads the fetch stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hub import parse
from hub.config import Config, LinkChecks
from hub.models import Finding, FindingKind, Link, Severity

if TYPE_CHECKING:
    from hub.store import Store


def skip(settings: LinkChecks) -> Callable[[str], bool]:
    """Whether a link is on one of `skip_hosts`."""
    hosts = tuple(host.lower().rstrip(".") for host in settings.skip_hosts)
    return lambda url: parse.skipped(url, hosts)


Weight = Callable[[FindingKind], Severity]


def link_findings(config: Config, store: Store) -> dict[str, tuple[Finding, ...]]:
    """Post id -> the findings of its dead and moved links, for the posts that have any
    (none when `checks.links.enabled` is off)."""
    settings = config.checks.links
    if not settings.enabled:
        return {}
    skipped = skip(settings)
    found: dict[str, list[Finding]] = {}
    for link in store.links.links(("dead", "moved")):
        if skipped(link.url):
            continue
        finding = link_finding(link, config.checks.weight)
        for post_id in link.posts:
            found.setdefault(post_id, []).append(finding)
    return {post_id: tuple(findings) for post_id, findings in found.items()}


def link_finding(link: Link, weight: Weight) -> Finding:
    """A dead or moved link as a reviewer reads it."""
    checked = f"{link.last_checked:%Y-%m-%d}" if link.last_checked else "never"
    if link.status == "moved":
        where = parse.host_of(link.final_url) or link.final_url
        return Finding(
            "moved-link",
            link.url,
            weight("moved-link"),
            f"it now leads to {where}, another site: remove the link, or link the "
            "page's new address",
            "link",
            note=f"redirected to {link.final_url} (checked {checked})",
        )
    return Finding(
        "dead-link",
        link.url,
        weight("dead-link"),
        "correct the address, or remove the link",
        "link",
        note=f"{link.failures} failed checks in a row, the last on {checked}: {link.note}",
    )


# -- listing ------------------------------------------------------------------------

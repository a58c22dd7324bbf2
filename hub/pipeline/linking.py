"""Link checks (`checks.links`): after a crawl, a few links of stored posts are asked for
through the crawl's own fetcher — the same guard, robots.txt, politeness, deadline and
caps — and what each answer means for the link is decided here, without IO. A link
failing `dead_after` checks in a row (`retry` apart) is dead; one whose redirects end
on another site is moved. Dead and moved links become findings of the posts that carry
them (`link_findings`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from hub import parse
from hub.config import Config
from hub.errors import FetchError
from hub.fetch import Fetcher, retry_after
from hub.models import Fetched, Link, LinkStatus, StoredPost
from hub.pipeline.linked import link_finding, link_findings, skip

if TYPE_CHECKING:
    from hub.store import Store

log = logging.getLogger("hub.pipeline")
Verdict = Literal["ok", "failed", "moved", "unjudged"]
Stopping = Callable[[], bool]
SCANNED_PER_RUN = 2000  # posts whose links are read in one run (a first run catches up)
CONCURRENCY = 4  # link checks under way at once: a slow pace, whatever fetch.concurrency
BUDGET = 120.0  # seconds a crawl's link checks may start within; the rest wait for the next
NO_NETWORK = 3  # this many checks or more all failing to connect: hub's network, not theirs
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Check:
    """What one check of a link found."""

    verdict: Verdict  # unjudged: nothing known of the link (robots.txt, a server busy)
    answer: str  # the HTTP status ("404") or the error's kind ("timeout")
    final_url: str = ""  # where the redirects ended, when they led elsewhere
    note: str = ""
    wait: float | None = None  # seconds the server asked for (Retry-After)


def judge(url: str, fetched: Fetched) -> Check:
    """An answer, as a verdict on the link: moved when it ended on another site; a
    server asking to wait (429, 503 with Retry-After) says nothing of the link; 401 and
    403 say the page is there, behind a login or a firewall; other 4xx and 5xx fail."""
    status = fetched.status
    answer, final = str(status), fetched.url if fetched.url != url else ""
    if not parse.same_site(url, fetched.url):
        return Check("moved", answer, final, f"redirected to {fetched.url} (HTTP {status})")
    asked = fetched.headers.get("retry-after", "")
    if status == 429 or (status == 503 and asked):
        wait = retry_after(asked, fetched.fetched_at)
        return Check("unjudged", answer, final, f"HTTP {status}: the server asked to wait", wait)
    if status < 400 or status in (401, 403):
        return Check("ok", answer, final)
    phrase = f" {fetched.reason}" if fetched.reason else ""
    return Check("failed", answer, final, f"HTTP {status}{phrase}")


def judge_error(error: FetchError) -> Check:
    """No answer: a failure of the link, unless hub itself would not ask (robots.txt, an
    address the guard refuses)."""
    verdict: Verdict = "unjudged" if error.kind in ("robots", "refused-address") else "failed"
    return Check(verdict, error.kind, note=str(error)[:300])


def after_check(link: Link, check: Check, now: datetime, dead_after: int) -> Link:
    """The link as this check leaves it."""
    link = replace(
        link,
        last_checked=now,
        answer=check.answer,
        final_url=check.final_url,
        note=check.note,
        not_before=now + timedelta(seconds=check.wait) if check.wait else None,
    )
    if check.verdict == "unjudged":
        return link
    if check.verdict == "failed":
        failures = link.failures + 1
        status: LinkStatus = "dead" if failures >= dead_after else "failing"
        return replace(link, failures=failures, status=status)
    return replace(link, failures=0, status=check.verdict)


def offline(checks: list[Check]) -> bool:
    """Whether every one of several checks failed to connect: the network hub is on is
    down, and no link is to blame."""
    return len(checks) >= NO_NETWORK and all(
        c.verdict == "failed" and c.answer in ("network", "timeout") for c in checks
    )


def scan(store: Store, now: datetime, limit: int = SCANNED_PER_RUN) -> int:
    """Read the links of the posts stored or changed since their links were last read
    (all of them: `skip_hosts` is applied when links are checked and reported, so a
    host taken off it needs no new crawl). How many links are new."""
    posts = store.links.unscanned(limit)
    return store.links.carry({post.id: (post.hash, parse.outbound(post)) for post in posts}, now)


async def check_links(
    config: Config,
    store: Store,
    now: datetime,
    *,
    fetcher: Fetcher,
    database: Executor,
    stopping: Stopping | None = None,
) -> Counter[LinkStatus]:
    """Check up to `per_run` links that are due, `CONCURRENCY` at a time, starting none
    after `BUDGET` seconds (links on slow servers never hold up a scheduler's next tick
    for long), and record what each check found; the store is used on `database`'s
    thread. Returns how many links of each status the checks left."""
    settings = config.checks.links
    loop = asyncio.get_running_loop()

    async def stored(function: Callable[..., T], *args: Any) -> T:
        return await loop.run_in_executor(database, function, *args)

    await stored(scan, store, now)
    due = await stored(
        store.links.due, now, settings.every, settings.retry, settings.per_run, skip(settings)
    )
    gate, until = asyncio.Semaphore(CONCURRENCY), loop.time() + BUDGET

    async def one(link: Link) -> tuple[Link, Check] | None:
        async with gate:
            if loop.time() >= until or (stopping is not None and stopping()):
                return None
            try:
                return link, judge(link.url, await fetcher.check(link.url, now=now))
            except FetchError as exc:
                return link, judge_error(exc)
            except Exception:  # a bug costs this link its check, nothing more
                log.exception("unexpected error while checking the link %s", link.url)
                return None

    done = [pair for pair in await asyncio.gather(*(one(link) for link in due)) if pair]
    if offline([check for _, check in done]):
        log.warning("links: every check failed to connect; none is counted against its link")
        return Counter()
    checked = [after_check(link, check, now, settings.dead_after) for link, check in done]
    for link in checked:
        await stored(store.links.record, link)
    tally = Counter(link.status for link in checked)
    if checked:
        log.info(
            "links: %d checked: %s",
            len(checked),
            ", ".join(f"{n} {s}" for s, n in sorted(tally.items())),
        )
    return tally


def listed(
    store: Store, statuses: Collection[LinkStatus] = ("failing", "dead", "moved")
) -> list[tuple[Link, list[StoredPost]]]:
    """The links of these statuses with the stored posts that carry them (`hub links`)."""
    links = store.links.links(statuses)
    posts = {p.post.id: p for p in store.posts_of(pid for link in links for pid in link.posts)}
    return [(link, [posts[pid] for pid in link.posts if pid in posts]) for link in links]


__all__ = ["link_finding", "link_findings", "listed", "skip"]  # (the first three: pipeline.linked)

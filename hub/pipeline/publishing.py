"""Publishing: the stored posts routed with the current rules, reprints found, and the
portal (pages, feeds, sitemap, sources.opml) and the search index brought up to date
together; also the audit and the index rebuild, which read the same routed posts."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hub import audit as audit_module
from hub import opml, reprints, search, site
from hub.config import Config
from hub.errors import BuildError
from hub.models import AuditReport, Routed, SourceState
from hub.pipeline import trace
from hub.pipeline.routing import route
from hub.route import post_ref

if TYPE_CHECKING:
    from hub.store import Store


@dataclass(frozen=True)
class PublishResult:
    posts: int
    pages: int  # files in the portal
    written: int  # files this publish rendered; the others were unchanged
    indexed: search.UpdateResult
    seconds: float


def publish(
    config: Config, store: Store, now: datetime, *, full: bool = False, force: bool = False
) -> PublishResult:
    """Bring the portal and the search index up to date: pages whose content did not
    change are kept from the live build, unless `full`. A portal that shows posts is
    never replaced by an empty one unless `force`: that is a mistake far more often
    than a wish (every source gone from channels.yaml, a database lost)."""
    started = time.monotonic()
    store.fill_sketches(reprints.sketch_post)  # posts an earlier hub stored without one
    routed = route(config, store, now)
    shown = len(trace.load(config.data_dir).placements)
    if not routed and shown and not force:
        raise BuildError(
            f"this publish would replace a portal of {shown:,} posts with an empty one; "
            "nothing was changed (`hub publish --force` publishes it all the same)"
        )
    canonical_of = find_reprints(config, routed)
    states = store.states()
    edition = site.Edition(
        config,
        routed,
        states,
        now,
        canonical_of=canonical_of,
        audit=_audit(config, routed, states, canonical_of, now),
        extra={"sources.opml": sources_opml(config, routed, now)},
    )
    with site.staged(edition, full=full) as built:
        # before the switch: a publish that cannot finish (a full disk) keeps the
        # previous site with the previous index. (For the moment between the index's
        # commit and the switch, the search service drops hits not yet on the site.)
        trace.save(config.data_dir, routed, now)  # what the portal shows, for explain/diff
        documents = _documents(config, _originals(routed, canonical_of))
        indexed = search.update(config.index_dir, documents)
    return PublishResult(
        len(routed), built.pages, built.written, indexed, time.monotonic() - started
    )


def sources_opml(config: Config, routed: Sequence[Routed], now: datetime, channel: str = "") -> str:
    """The sources (those that reach `channel`, when given) as OPML 2.0: the portal's
    sources.opml, and `hub sources export`."""
    reaching = {r.post.post.source_id for r in routed if channel in r.channels}
    chosen = [s for s in config.sources if not channel or s.id in reaching]
    listed = (
        opml.Listed(s.id, s.name, s.group, s.feed or "", s.page.url if s.page else "")
        for s in chosen
    )
    return opml.write(config.site.title, listed, now)


def find_reprints(config: Config, routed: Sequence[Routed]) -> dict[str, str]:
    """post id -> its cluster's canonical post id, for posts published more than once;
    editors' overrides (reprint_of:, not_reprint:) decide where they say."""
    names = {s.id: s.name for s in config.sources}
    posts = [r.post for r in routed]
    ids = {ref: p.post.id for p in posts for ref in (p.post.id, post_ref(p.post.url))}
    joined = {
        ids[post_ref(o.post)]: ids[post_ref(o.reprint_of)]
        for o in config.overrides
        if o.reprint_of and post_ref(o.post) in ids and post_ref(o.reprint_of) in ids
    }
    apart = {
        ids[post_ref(o.post)] for o in config.overrides if o.not_reprint and post_ref(o.post) in ids
    }
    return reprints.clusters(
        (
            reprints.Candidate(
                stored.post.id,
                stored.sketch,
                stored.date,
                names.get(stored.post.source_id, stored.post.source_id),
                reprints.origin_named(stored.post.text),
                # long texts are compared by their sketches; short ones must be identical
                "" if stored.sketch else reprints.same_text(stored.post),
            )
            for stored in posts
        ),
        joined=joined,
        apart=apart,
    )


def audit(config: Config, store: Store, now: datetime) -> AuditReport:
    """The consolidation audit (`hub.audit`) of what the portal shows, as /sources/
    shows it: a hidden post counts for no one."""
    routed = route(config, store, now)
    return _audit(config, routed, store.states(), find_reprints(config, routed), now)


def _audit(
    config: Config,
    routed: Sequence[Routed],
    states: Mapping[str, SourceState],
    canonical_of: Mapping[str, str],
    now: datetime,
) -> AuditReport:
    posts = [r.post for r in routed]
    return audit_module.audit(
        config.sources, posts, states, canonical_of, thresholds=config.audit, now=now
    )


def reindex(config: Config, store: Store, now: datetime) -> search.UpdateResult:
    """Rebuild the search index from the database alone: what the live portal shows."""
    routed = route(config, store, now)
    originals = _originals(routed, find_reprints(config, routed))
    return search.update(config.index_dir, _documents(config, originals), rebuild=True)


def index_count(config: Config) -> int:
    return search.count(config.index_dir)


def _originals(routed: Sequence[Routed], canonical_of: dict[str, str]) -> list[Routed]:
    """A reprint is found through its original, so it is not indexed on its own."""
    return [r for r in routed if canonical_of.get(r.post.post.id, r.post.post.id) == r.post.post.id]


def _documents(config: Config, routed: Sequence[Routed]) -> Iterator[search.Document]:
    names = {s.id: (s.name, s.group) for s in config.sources}
    zone = config.site.zone
    for item in routed:
        post = item.post.post
        name, group = names[post.source_id]
        path = site.post_path(post.id, item.post.filed, zone)
        version = hashlib.sha256(
            "\x00".join((post.hash, name, group, path, ",".join(item.channels))).encode()
        ).hexdigest()[:16]
        yield search.Document(
            id=post.id,
            hash=version,
            title=post.title,
            text=post.text,
            department=name,
            source_id=post.source_id,
            group=group,
            sections=item.channels,
            date=item.post.date,
            path=path,
            files=tuple(a.title for a in post.attachments),
        )

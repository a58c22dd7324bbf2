"""Publishing: the stored posts routed with the current rules, reprints found, and the
portal (pages, feeds, sitemap, sources.opml) and the search index brought up to date
together; also the audit and the index rebuild, which read the same routed posts."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub import audit as audit_module
from hub import opml, reprints, search, site
from hub.audited import AuditReport, SectionAudit
from hub.config import SECTION, Config
from hub.decisions import Decision
from hub.errors import BuildError
from hub.models import Attached, Finding, Routed, SourceState, StoredPost
from hub.pipeline import checking, runs, trace
from hub.pipeline.attached import attachments_of, copies
from hub.pipeline.routing import route, services, settle
from hub.route import post_ref
from hub.route.review import Gate

if TYPE_CHECKING:
    from hub.store import Store


@dataclass(frozen=True)
class PublishResult:
    posts: int
    pages: int  # files in the portal
    written: int  # files this publish rendered; the others were unchanged
    indexed: search.UpdateResult
    seconds: float
    held: tuple[Routed, ...] = ()  # posts this publish put on the review queue
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)  # of those
    stale: tuple[SectionAudit, ...] = ()  # sections of the portal no longer up to date
    services: int = 0  # listed on the 办事服务 pages


def publish(
    config: Config, store: Store, now: datetime, *, full: bool = False, force: bool = False
) -> PublishResult:
    """Bring the portal and the search index up to date: pages whose content did not
    change are kept from the live build, unless `full`. A portal that shows posts is
    never replaced by an empty one unless `force`: that is a mistake far more often
    than a wish (every source gone from channels.yaml, a database lost)."""
    started = time.monotonic()
    with runs.publish_lock(config, PUBLISH_WAIT), _no_cycle_collection():
        return _publish(config, store, now, full=full, force=force, started=started)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's collector of reference cycles paused for the publish: it makes hundreds
    of thousands of short-lived objects (pages, their contexts) beside as many kept
    ones (posts, their routing), and the collector walked them all again and again: a
    fifth of a publish. Objects without cycles are freed as ever; cycles wait for the
    collector to run again after the switch."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


PUBLISH_WAIT = 600.0  # seconds a publish waits for the one under way (a desk action's)


def _publish(
    config: Config, store: Store, now: datetime, *, full: bool, force: bool, started: float
) -> PublishResult:
    store.fill_sketches(reprints.SKETCHER)  # posts an earlier hub sketched otherwise, or not
    last = trace.load(config.data_dir)
    live = last.placements
    decisions = store.desk.decisions()
    gated = settle(config, store, now, live, decisions, published_at=last.published_at, keep=True)
    routed = gated.shown
    if not routed and live and not force:
        raise BuildError(
            f"this publish would replace a portal of {len(live):,} posts with an empty one; "
            "nothing was changed (`hub publish --force` publishes it all the same)"
        )
    _settle_review(store, gated, now)
    # for the desk's list of posts to look at: those shown and those waiting
    present = {r.post.post.id for r in (*gated.shown, *gated.waiting)}
    store.findings.mark({pid: f for pid, f in gated.findings.items() if pid in present})
    canonical_of = find_reprints(config, routed, decisions)
    # for the desk's queue: which waiting posts reprint what (the portal's clusters when
    # nothing waits)
    queued = find_reprints(config, [*routed, *gated.waiting], decisions) if gated.waiting else {}
    _save_json(config.data_dir / REPRINTS_FILE, queued or canonical_of)
    states = store.states()
    shown = {r.post.post.id for r in routed}
    audited = _audit(
        config,
        store,
        routed,
        states,
        canonical_of,
        now=now,
        findings={pid: f for pid, f in gated.findings.items() if pid in shown},
    )
    catalogued = services(config, store, now, decisions)
    attached = attachments_of(store, routed)
    edition = site.Edition(
        config,
        routed,
        states,
        now,
        canonical_of=canonical_of,
        audit=audited,
        extra={"sources.opml": sources_opml(config, routed, now)},
        lead=store.desk.setting("lead"),
        services=catalogued,
        copies=copies(config, attached),
    )
    with site.staged(edition, full=full) as built:
        # before the switch: a publish that cannot finish (a full disk) keeps the
        # previous site with the previous index. (For the moment between the index's
        # commit and the switch, the search service drops hits not yet on the site.)
        # what the portal shows, for explain/diff, and the sections its navigation lists
        trace.save(config.data_dir, routed, now, built.shown)
        documents = _documents(config, _originals(routed, canonical_of), attached)
        documents = chain(documents, _service_documents(config, catalogued))
        indexed = search.update(config.index_dir, documents, engine=config.search.engine)
    seconds = time.monotonic() - started
    held = tuple(gated.new_waiting)
    return PublishResult(
        len(routed),
        built.pages,
        built.written,
        indexed,
        seconds,
        held,
        {r.post.post.id: gated.findings.get(r.post.post.id, ()) for r in held},
        tuple(s for s in audited.sections if s.freshness.stale),
        len(catalogued),
    )


REPRINTS_FILE = "reprints.json"  # post id -> its cluster's original, in data/


def _save_json(path: Path, value: object) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(value), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BuildError(f"cannot write {path}: {exc}") from exc


GRANDFATHERED = "already on the portal when its channels began to ask for review"


def _settle_review(store: Store, gated: Gate, now: datetime) -> None:
    """Posts newly held back go on the desk's queue; posts no policy holds any more
    leave it; posts the portal already showed stay, approved on hub's behalf."""
    from hub.store import Actor  # noqa: PLC0415 (the store is imported by whoever opened it)

    if gated.new_waiting:
        store.desk.mark_waiting([r.post.post.id for r in gated.new_waiting], now)
    if gated.released:
        store.desk.release(gated.released)
    if gated.grandfathered:
        versions = {r.post.post.id: r.post.post.hash for r in gated.grandfathered}
        # (a post with an editor's title or summary is approved with them)
        decided = store.desk.decisions_of(list(versions))
        versions = {p: decided[p].version(h) if p in decided else h for p, h in versions.items()}
        store.desk.review(versions, Actor("hub", now), "approved", GRANDFATHERED)


def sources_opml(config: Config, routed: Sequence[Routed], now: datetime, channel: str = "") -> str:
    """The sources (those that reach `channel`, when given) as OPML 2.0: the portal's
    sources.opml, and `hub sources export`."""
    reaching = {r.post.post.source_id for r in routed if channel in r.channels}
    chosen = [s for s in config.sources if not s.services and (not channel or s.id in reaching)]
    listed = (
        opml.Listed(s.id, s.name, s.group, s.feed or "", s.page.url if s.page else "")
        for s in chosen
    )
    return opml.write(config.site.title, listed, now)


def find_reprints(
    config: Config, routed: Sequence[Routed], decisions: Mapping[str, Decision] | None = None
) -> dict[str, str]:
    """post id -> its cluster's canonical post id, for posts published more than once;
    editors' overrides (reprint_of:, not_reprint:) and their merges and splits on the
    desk decide where they say (channels.yaml first)."""
    names = {s.id: s.name for s in config.sources}
    posts = [r.post for r in routed]
    ids = {ref: p.post.id for p in posts for ref in (p.post.id, post_ref(p.post.url))}
    joined = {
        d.post_id: d.reprint_of
        for d in (decisions or {}).values()
        if d.reprint_of and d.post_id in ids and d.reprint_of in ids
    }
    apart = {d.post_id for d in (decisions or {}).values() if d.not_reprint and d.post_id in ids}
    joined |= {
        ids[post_ref(o.post)]: ids[post_ref(o.reprint_of)]
        for o in config.overrides
        if o.reprint_of and post_ref(o.post) in ids and post_ref(o.reprint_of) in ids
    }
    apart |= {
        ids[post_ref(o.post)] for o in config.overrides if o.not_reprint and post_ref(o.post) in ids
    }
    return reprints.clusters(
        (
            _candidate(stored, names.get(stored.post.source_id, stored.post.source_id))
            for stored in posts
        ),
        joined=joined,
        apart=apart,
    )


def _candidate(stored: StoredPost, department: str) -> reprints.Candidate:
    """What clustering needs of a post: made once per stored post in a long-running hub
    (reading its text for the department it names took a tenth of a publish)."""
    known = _CANDIDATES.get(stored.post.id)
    if known is not None and known[0] is stored and known[1].department == department:
        return known[1]
    made = reprints.Candidate(
        stored.post.id,
        stored.sketch,
        stored.date,
        department,
        reprints.origin_named(stored.post.text),
        # long texts are compared by their sketches; short ones must be identical
        "" if stored.sketch else reprints.same_text(stored.post),
        stored.post,  # candidate pairs are compared in full
    )
    if len(_CANDIDATES) >= CANDIDATES_KEPT:
        _CANDIDATES.clear()
    _CANDIDATES[stored.post.id] = (stored, made)
    return made


_CANDIDATES: dict[str, tuple[StoredPost, reprints.Candidate]] = {}
CANDIDATES_KEPT = 2_000_000


def audit(config: Config, store: Store, now: datetime) -> AuditReport:
    """The audit (`hub.audit`) of what the portal shows, as /sources/ shows it (a hidden
    post counts for no one), with the content findings of each post."""
    routed = route(config, store, now)
    canonical_of = find_reprints(config, routed, store.desk.decisions())
    shown = [r.post for r in routed]
    found = checking.findings_of(
        config, shown, store, checking.timings_of(config, store), edits=store.desk.decisions()
    )
    return _audit(config, store, routed, store.states(), canonical_of, now=now, findings=found)


def _audit(
    config: Config,
    store: Store,
    routed: Sequence[Routed],
    states: Mapping[str, SourceState],
    canonical_of: Mapping[str, str],
    *,
    now: datetime,
    findings: Mapping[str, Sequence[Finding]] | None = None,
) -> AuditReport:
    """(The portal's /sources/ shows no findings: a publish does not look for them.)"""
    evidence = audit_module.Evidence(
        [s for s in config.sources if not s.services],  # a catalogue is not an account
        config.channels,
        routed,
        states,
        canonical_of,
        store.fetches(now - timedelta(days=config.audit.window_days)),
        findings or {},
    )
    return audit_module.audit(evidence, thresholds=config.audit, zone=config.site.zone, now=now)


def reindex(config: Config, store: Store, now: datetime) -> search.UpdateResult:
    """Rebuild the search index from the database alone: what the live portal shows."""
    with runs.publish_lock(config, PUBLISH_WAIT):
        routed = route(config, store, now)
        originals = _originals(routed, find_reprints(config, routed, store.desk.decisions()))
        documents = chain(
            _documents(config, originals, attachments_of(store, originals)),
            _service_documents(config, services(config, store, now)),
        )
        return search.update(config.index_dir, documents, rebuild=True, engine=config.search.engine)


def index_count(config: Config) -> int:
    return search.count(config.index_dir)


def _originals(routed: Sequence[Routed], canonical_of: dict[str, str]) -> list[Routed]:
    """A reprint is found through its original, so it is not indexed on its own."""
    return [r for r in routed if canonical_of.get(r.post.post.id, r.post.post.id) == r.post.post.id]


def _documents(
    config: Config, routed: Sequence[Routed], attached: Mapping[str, Attached]
) -> Iterator[search.Document]:
    names = {s.id: (s.name, s.group) for s in config.sources}
    zone = config.site.zone
    for item in routed:
        name, group = names[item.post.post.source_id]
        read = tuple(
            (a.title, attached[a.url])
            for a in item.post.post.attachments
            if a.url in attached and attached[a.url].text
        )
        settings = (name, group, zone, tuple(found.digest for _, found in read))
        known = _DOCUMENTS.get(item.post.post.id)
        if known is not None and known[0] is item and known[1] == settings:
            yield known[2]
            continue
        made = _document(item, name, group, zone, tuple((t, found.text) for t, found in read))
        if len(_DOCUMENTS) >= CANDIDATES_KEPT:
            _DOCUMENTS.clear()
        _DOCUMENTS[item.post.post.id] = (item, settings, made)
        yield made


# post id -> (its routing, its department, group, zone and attachments' digests, its
# document): made once per routing of a post in a long-running hub (routing is kept per
# version of a post)
_DOCUMENTS: dict[str, tuple[Routed, tuple[Any, ...], search.Document]] = {}


def _service_documents(
    config: Config, catalogued: Sequence[StoredPost]
) -> Iterator[search.Document]:
    """The services of the catalogues, found by search under their own filter."""
    groups = {s.id: s.group for s in config.catalogues}
    for stored in catalogued:
        post = stored.post
        path = site.service_path(post.id)
        department = post.author or post.source_id
        parts = (post.hash, department, groups.get(post.source_id, ""), path)
        yield search.Document(
            id=post.id,
            hash=hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16],
            title=post.title,
            text="\n".join((post.text, *post.categories)),
            department=department,
            source_id=post.source_id,
            group=groups.get(post.source_id, ""),
            sections=(SECTION,),
            date=stored.date,
            path=path,
        )


def _document(
    item: Routed, name: str, group: str, zone: tzinfo, attached: tuple[tuple[str, str], ...]
) -> search.Document:
    post = item.post.post
    path = site.post_path(post.id, item.post.filed, zone)
    parts: tuple[str, ...] = (post.hash, name, group, path, ",".join(item.channels))
    parts += (item.title,) if item.title else ()  # an editor's title: indexed anew
    parts += tuple(text for _, text in attached)  # (only then: other posts keep their hash)
    version = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return search.Document(
        id=post.id,
        hash=version,
        title=item.shown_title,
        text=post.text,
        department=name,
        source_id=post.source_id,
        group=group,
        sections=item.channels,
        date=item.post.date,
        path=path,
        files=tuple(a.title for a in post.attachments),
        attached=attached,
    )

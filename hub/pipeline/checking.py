"""Content checks over stored posts, as publishing, the desk and the audit ask for them:
the county's lists read from their files (a list with a mistake stops `hub check` and
every run before anything is written, naming its line), each post's findings, and
whether they hold it for review (`checks.hold`).

A post's text is checked once per content: the findings are kept by the post's hash for
as long as the lists and `checks:` stay the same (in this process), and in the database by
the post's hash and a digest of the lists (`hub.store.findings`): a new process does not
check them again either. A changed list has every post checked again, once."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from importlib.resources import files
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from hub import checks
from hub.checks.lists import BUILTIN_LIST, Entry, ListError, Protected, read_protected, read_words
from hub.config import Config, WordList
from hub.decisions import Decision
from hub.errors import ConfigError
from hub.models import SEVERITIES, Finding, Post, StoredPost
from hub.pipeline import linked

if TYPE_CHECKING:
    from hub.checks.checker import Checker
    from hub.checks.dates import Timing
    from hub.store import Store

MAX_LIST_BYTES = 16 * 1024**2  # a list larger than this is a mistake, not a list
# how posts are checked: a hub that checks otherwise says so here, and the findings kept
# in the database are made again
CHECKS_VERSION = "checks-1"


def list_problems(config: Config) -> list[ConfigError]:
    """Each mistake in the files `checks:` names, at its file and line."""
    try:
        _read_lists(config)
    except ConfigError as exc:
        return [exc, *exc.more]
    return []


def _read(config: Config, name: str, where: tuple[str | int, ...]) -> tuple[Path, str]:
    """A list file's text: a regular file (not a pipe, a device or a folder), UTF-8, at
    most MAX_LIST_BYTES."""
    path = config.root / name
    try:
        if not S_ISREG(path.stat().st_mode):
            raise config.error(where, f"{name} is not a regular file")
        with path.open("rb") as file:
            data = file.read(MAX_LIST_BYTES + 1)
        if len(data) > MAX_LIST_BYTES:
            raise config.error(where, f"{name} is larger than {MAX_LIST_BYTES // 1024**2} MB")
        return path, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise config.error(where, f"{name} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise config.error(where, f"{name} cannot be read: {exc.strerror or exc}") from exc


def _read_lists(config: Config) -> tuple[list[Entry], list[Protected], str]:
    """The lists' entries, the protected terms, and a digest of everything the checks
    of a post's text depend on (the lists as written, `checks:`, hub's own list)."""
    rules, entries, errors = config.checks, list[Entry](), list[ConfigError]()
    digest = hashlib.sha256(rules.model_dump_json().encode())
    digest.update(CHECKS_VERSION.encode())
    if rules.builtin:
        digest.update(files("hub.checks").joinpath(BUILTIN_LIST).read_bytes())
    files_: list[tuple[str, tuple[str | int, ...], WordList | None]] = [
        (w.file, ("checks", "lists", i, "file"), w) for i, w in enumerate(rules.lists)
    ]
    if rules.protected:  # (None: the protected terms)
        files_.append((rules.protected, ("checks", "protected"), None))
    terms: list[Protected] = []
    for name, where, listed in files_:
        try:
            path, text = _read(config, name, where)
            digest.update(text.encode())
            if listed is None:
                terms = list(read_protected(text))
            else:
                severity = listed.severity or rules.weight(listed.kind)
                entries += read_words(text, listed.kind, severity, name)
        except ListError as exc:
            errors.append(ConfigError(str(exc), file=str(path), line=exc.line))
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        raise ConfigError.combine(errors)
    return entries, terms, digest.hexdigest()[:16]


@dataclass
class State:
    """The checks of one set of lists as they are: the checker, the digest of what it
    was built from, the text findings it made by post, and the sources' timings at the
    last check of every post. One per configuration: the live one and a candidate being
    previewed on the desk never share findings."""

    checker: Checker
    digest: str
    texts: dict[str, tuple[str, tuple[Finding, ...]]] = field(default_factory=dict)
    timings: dict[str, Timing] | None = None


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[tuple[object, ...], State] = {}  # the last few, by `_key`


KEPT_STATES = 4  # the live configuration, and candidates previewed beside it
_cache = _Cache()


def _key(config: Config) -> tuple[object, ...]:
    """What the lists' state depends on: `checks:` and each file as it is on disk (its
    change time too: an edit that puts back the modification time still changes it)."""
    names = [w.file for w in config.checks.lists] + [config.checks.protected]
    stamps = []
    for name in filter(None, names):
        try:
            info = (config.root / name).stat()
            stamps.append((name, info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size))
        except OSError:
            stamps.append((name, 0, 0, 0, 0))
    return (str(config.root), config.checks.model_dump_json(), tuple(stamps))


def state(config: Config) -> State:
    """The checks `checks:` asks for, its lists read and compiled (once while they stay
    the same)."""
    key = _key(config)
    with _cache.lock:
        found = _cache.states.get(key)
        if found is None:
            entries, terms, digest = _read_lists(config)
            found = State(checks.Checker.build(config.checks, entries, terms), digest)
            _cache.states[key] = found
            while len(_cache.states) > KEPT_STATES:
                del _cache.states[next(iter(_cache.states))]
        return found


def checker(config: Config) -> Checker:
    return state(config).checker


def findings_of(
    config: Config,
    posts: Sequence[StoredPost],
    store: Store | None = None,
    timing: Mapping[str, Timing] | None = None,
    *,
    keep: bool = False,
    edits: Mapping[str, Decision] | None = None,
) -> dict[str, tuple[Finding, ...]]:
    """Post id -> its findings, for the posts that have any: its text's and its dates'.
    With the `store`, its links' too (`hub.pipeline.linking` checks them after crawls),
    the findings an editor dismissed for a post are left out, and a post's text is not
    checked again when the store kept its findings for this content and these lists;
    `keep` (a publish) keeps what was checked anew. `edits`: the desk's decisions, whose
    titles and summaries are what the portal shows, and are checked too.
    `timing`: what each source's history says of its dates; when not given, `posts` are
    every post there is, it is read from them and kept for `findings_for`."""
    now = state(config)
    check, texts = now.checker, now.texts
    if timing is None:
        timing = now.timings = checks.timings(posts)
    if store is not None:
        _recall(
            store, now, [s.post for s in posts if texts.get(s.post.id, ("",))[0] != s.post.hash]
        )
    fresh: list[tuple[str, str, tuple[Finding, ...]]] = []
    zone = config.site.zone
    dismissed: Mapping[str, set[str]] = store.desk.dismissed() if store is not None else {}
    links = linked.link_findings(config, store) if store is not None else {}
    found: dict[str, tuple[Finding, ...]] = {}
    for stored in posts:
        post = stored.post
        kept = texts.get(post.id)
        if kept is None or kept[0] != post.hash:
            kept = (post.hash, check.text(post))
            texts[post.id] = kept
            fresh.append((post.id, f"{post.hash}:{now.digest}", kept[1]))
        result = (
            kept[1]
            + check.dates(stored, timing.get(post.source_id), lambda d: _day(d, zone))
            + links.get(post.id, ())
        )
        decision = edits.get(post.id) if edits else None
        if decision is not None and (decision.title or decision.summary):
            result += check.edits(decision.title, decision.summary)
        if post.id in dismissed:
            result = tuple(f for f in result if f.key not in dismissed[post.id])
        if result:
            found[post.id] = result
    if keep and store is not None:
        store.findings.keep(fresh)
    return found


def _day(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def _recall(store: Store, now: State, posts: Sequence[Post]) -> None:
    """Into the state: the findings the store kept for these posts' content and lists."""
    if not posts:
        return
    hashes = {p.id: p.hash for p in posts}
    kept = store.findings.kept({p.id: f"{p.hash}:{now.digest}" for p in posts})
    for post_id, findings in kept.items():
        now.texts[post_id] = (hashes[post_id], findings)


def timings_of(config: Config, store: Store) -> Mapping[str, Timing]:
    """The sources' timings of the last check of every post, else read from the store."""
    known = state(config).timings
    return known if known is not None else checks.timings(store.posts())


def findings_for(
    config: Config, store: Store, posts: Sequence[StoredPost]
) -> dict[str, tuple[Finding, ...]]:
    """`findings_of` for a few posts (a page of the desk, an action), with the desk's
    titles and summaries."""
    edits = store.desk.decisions_of([p.post.id for p in posts])
    return findings_of(config, posts, store, timings_of(config, store), edits=edits)


def holding(config: Config, found: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings that hold a post for review where the policy is `flagged`."""
    least = SEVERITIES.index(config.checks.hold)
    return tuple(f for f in found if SEVERITIES.index(f.severity) >= least)

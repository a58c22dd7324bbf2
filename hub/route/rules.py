"""One rule, compiled: does it match a post, with which conditions, or where does it miss."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cached_property, partial

from hub.config import Rule
from hub.models import Condition, StoredPost
from hub.route.patterns import compile_pattern, searched
from hub.text.keywords import fold


@dataclass(frozen=True)
class Facts:
    """What rules look at in one post, computed once per post."""

    post: StoredPost
    group: str
    tags: frozenset[str]
    title_hits: frozenset[str]  # keywords found in the title
    text_hits: frozenset[str]  # keywords found in the text
    now: datetime
    hits: frozenset[str] = frozenset()  # title_hits | text_hits

    @cached_property
    def title(self) -> str:
        """The title folded (only patterns need it: keywords were found already)."""
        return fold(self.post.post.title)

    @cached_property
    def text(self) -> str:
        return fold(self.post.post.text)

    def where(self, keyword: str) -> str:
        if keyword in self.title_hits:
            return "title"
        return "text" if keyword in self.text_hits else ""


@dataclass(frozen=True)
class Outcome:
    """A rule against a post: the conditions that held and the ones that did not."""

    held: tuple[Condition, ...]
    failed: tuple[str, ...]  # in words, e.g. "group is 部门, not 镇街"

    @property
    def matches(self) -> bool:
        return not self.failed


Check = Callable[[Facts], bool]


class CompiledRule:
    """A rule ready to be tested against many posts: `matches` is the fast path routing
    takes; `test` also says which conditions held and which failed, for explanations."""

    def __init__(self, rule: Rule, zone: tzinfo, key: int = 0) -> None:
        self.key = key  # unique within a router
        self.rule, self.zone = rule, zone
        self.keywords = (
            frozenset(rule.keywords) | frozenset(rule.title_keywords) | frozenset(rule.all_keywords)
        )
        self.regex = compile_pattern(searched(rule.regex)) if rule.regex else None
        url = rule.url
        self.url_pattern = compile_pattern(url[3:]) if url.startswith("re:") else None
        self.url_glob = re.compile(fnmatch.translate(url)) if url and not self.url_pattern else None
        self._titled, self._anywhere = frozenset(rule.title_keywords), frozenset(rule.keywords)
        # the most specific keyword explains a placement best (防汛应急演练 over 防汛); on a
        # tie, the one the editor wrote first
        order = {k: n for n, k in enumerate((*rule.title_keywords, *rule.keywords))}
        self._rank = {k: (-len(k), n) for k, n in order.items()}
        self.authors = tuple(fold(a) for a in rule.author)
        self.categories = frozenset(fold(c) for c in rule.category)
        self._checks = self._compile()
        rule = self.rule
        present = (
            (rule.source, self._source),
            (rule.group, self._group),
            (rule.tags, self._tags),
            (rule.category, self._category),
            (rule.author, self._author),
            (rule.url, self._url),
            (rule.max_age is not None or rule.since or rule.until, self._dates),
            (self.keywords, self._keywords),
            (rule.regex, self._regex),
        )
        # only the fields the rule has: explaining a placement stays cheap
        self._parts = tuple(part for given, part in present if given)

    def matches(self, facts: Facts) -> bool:
        return all(check(facts) for check in self._checks)

    def _compile(self) -> tuple[Check, ...]:
        """The rule's conditions as small functions, cheapest and most selective first."""
        rule, checks = self.rule, list[Check]()
        if rule.source:
            sources = frozenset(rule.source)
            checks.append(lambda f: f.post.post.source_id in sources)
        if rule.group:
            groups = frozenset(rule.group)
            checks.append(lambda f: f.group in groups)
        if rule.tags:
            tags = frozenset(rule.tags)
            checks.append(lambda f: not f.tags.isdisjoint(tags))
        if rule.title_keywords:
            titled = frozenset(rule.title_keywords)
            checks.append(lambda f: not f.title_hits.isdisjoint(titled))
        if rule.keywords:
            anywhere = frozenset(rule.keywords)
            checks.append(lambda f: not f.hits.isdisjoint(anywhere))
        if rule.all_keywords:
            every = frozenset(rule.all_keywords)
            checks.append(lambda f: every <= f.hits)
        slow: list[Callable[[Facts, list[Condition], list[str]], None]] = []
        if rule.category:
            slow.append(self._category)
        if rule.author:
            slow.append(self._author)
        if rule.url:
            slow.append(self._url)
        if rule.max_age is not None or rule.since or rule.until:
            slow.append(self._dates)
        if rule.regex:
            slow.append(self._regex)
        checks += [partial(_holds, method) for method in slow]  # explanations thrown away
        return tuple(checks)

    @property
    def needs_keywords(self) -> bool:
        """Whether the rule can only match a post in which one of its keywords occurs."""
        return bool(self.keywords)

    def test(self, facts: Facts) -> Outcome:
        """Every condition of the rule against the post."""
        held: list[Condition] = []
        failed: list[str] = []
        for part in self._parts:
            part(facts, held, failed)
        return Outcome(tuple(held), tuple(failed))

    def _source(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.rule.source:
            sid = facts.post.post.source_id
            if sid in self.rule.source:
                held.append(Condition("source", sid))
            else:
                failed.append(f"source is {sid}, not {' or '.join(self.rule.source)}")

    def _group(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.rule.group:
            if facts.group in self.rule.group:
                held.append(Condition("group", facts.group))
            else:
                failed.append(
                    f"group is {facts.group or 'none'}, not {' or '.join(self.rule.group)}"
                )

    def _tags(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.rule.tags:
            common = sorted(facts.tags & set(self.rule.tags))
            if common:
                held.append(Condition("tags", common[0]))
            else:
                failed.append(f"the source has no tag {' or '.join(self.rule.tags)}")

    def _category(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.categories:
            found = [c for c in facts.post.post.categories if fold(c) in self.categories]
            if found:
                held.append(Condition("category", found[0]))
            else:
                failed.append(f"no category {' or '.join(self.rule.category)}")

    def _author(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.authors:
            author = fold(facts.post.post.author)
            found = [a for a, f in zip(self.rule.author, self.authors, strict=True) if f in author]
            if found:
                held.append(Condition("author", found[0]))
            else:
                failed.append(f"author is not {' or '.join(self.rule.author)}")

    def _url(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        link = facts.post.post.url
        if self.url_pattern is not None or self.url_glob is not None:
            if (
                self.url_pattern.search(link)
                if self.url_pattern is not None
                else self.url_glob is not None and self.url_glob.match(link)
            ):
                held.append(Condition("url", self.rule.url))
            else:
                failed.append(f"the link does not match {self.rule.url}")

    def _dates(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        rule, date = self.rule, facts.post.date
        day = date.astimezone(self.zone).date()
        if rule.max_age is not None:
            if facts.now - date <= timedelta(seconds=rule.max_age):
                held.append(Condition("max_age", f"{day:%Y-%m-%d}"))
            else:
                failed.append(f"published {day:%Y-%m-%d}, older than max_age")
        if rule.since is not None:
            if day >= rule.since:
                held.append(Condition("since", f"{day:%Y-%m-%d}"))
            else:
                failed.append(f"published {day:%Y-%m-%d}, before {rule.since:%Y-%m-%d}")
        if rule.until is not None:
            if day <= rule.until:
                held.append(Condition("until", f"{day:%Y-%m-%d}"))
            else:
                failed.append(f"published {day:%Y-%m-%d}, after {rule.until:%Y-%m-%d}")

    def _keywords(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        rule = self.rule
        if rule.title_keywords:
            found = self._titled & facts.title_hits
            if found:
                held.append(Condition("title_keywords", self._best(found), "title"))
            else:
                failed.append(f"no title keyword ({_listing(rule.title_keywords)})")
        if rule.keywords:
            found = self._anywhere & facts.hits
            if found:
                best = self._best(found)
                held.append(Condition("keywords", best, facts.where(best)))
            else:
                failed.append(f"no keyword ({_listing(rule.keywords)})")
        if rule.all_keywords:
            missing = [k for k in rule.all_keywords if not facts.where(k)]
            if missing:
                failed.append(f"missing {'、'.join(missing)} of all_keywords")
            else:
                held.append(Condition("all_keywords", "、".join(rule.all_keywords)))

    def _best(self, found: frozenset[str]) -> str:
        if len(found) == 1:
            return next(iter(found))
        return min(found, key=self._rank.__getitem__)

    def _regex(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.regex is not None:
            for where, text in (("title", facts.title), ("text", facts.text)):
                if found := self.regex.search(text):
                    held.append(Condition("regex", found.group(0), where))
                    return
            failed.append(f"regex {self.rule.regex} finds nothing")


def _holds(check: Callable[[Facts, list[Condition], list[str]], None], facts: Facts) -> bool:
    failed: list[str] = []
    check(facts, [], failed)
    return not failed


def _listing(keywords: tuple[str, ...], most: int = 5) -> str:
    shown = "、".join(keywords[:most])
    return shown + (f" … {len(keywords)} in all" if len(keywords) > most else "")

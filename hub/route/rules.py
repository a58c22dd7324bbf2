"""One rule, compiled: does it match a post, with which conditions, or where does it miss."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hub.config import Rule
from hub.models import Condition, StoredPost
from hub.route.keywords import fold

KEYWORD_FIELDS = ("title_keywords", "keywords", "all_keywords")


@dataclass(frozen=True)
class Facts:
    """What rules look at in one post, computed once per post."""

    post: StoredPost
    group: str
    tags: frozenset[str]
    title_hits: frozenset[str]  # keywords found in the title
    text_hits: frozenset[str]  # keywords found in the text
    title: str  # folded
    text: str  # folded
    now: datetime

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


class CompiledRule:
    """A rule ready to be tested against many posts."""

    def __init__(self, rule: Rule, zone: tzinfo) -> None:
        self.rule, self.zone = rule, zone
        self.keywords = (
            frozenset(rule.keywords) | frozenset(rule.title_keywords) | frozenset(rule.all_keywords)
        )
        self.regex = re.compile(fold(rule.regex)) if rule.regex else None
        url = rule.url
        self.url = (
            re.compile(url[3:] if url.startswith("re:") else fnmatch.translate(url))
            if url
            else None
        )
        self.authors = tuple(fold(a) for a in rule.author)
        self.categories = frozenset(fold(c) for c in rule.category)

    @property
    def needs_keywords(self) -> bool:
        """Whether the rule can only match a post in which one of its keywords occurs."""
        return bool(self.keywords)

    def test(self, facts: Facts) -> Outcome:
        """Every condition of the rule against the post."""
        held: list[Condition] = []
        failed: list[str] = []
        for check in (
            self._source,
            self._group,
            self._tags,
            self._category,
            self._author,
            self._url,
            self._dates,
            self._keywords,
            self._regex,
        ):
            check(facts, held, failed)
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
        if self.url is not None:
            if (
                self.url.search(facts.post.post.url)
                if self.rule.url.startswith("re:")
                else self.url.match(facts.post.post.url)
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
            found = [k for k in rule.title_keywords if k in facts.title_hits]
            if found:
                held.append(Condition("title_keywords", _longest(found), "title"))
            else:
                failed.append(f"no title keyword ({_listing(rule.title_keywords)})")
        if rule.keywords:
            found = [k for k in rule.keywords if facts.where(k)]
            if found:
                best = _longest(found)
                held.append(Condition("keywords", best, facts.where(best)))
            else:
                failed.append(f"no keyword ({_listing(rule.keywords)})")
        if rule.all_keywords:
            missing = [k for k in rule.all_keywords if not facts.where(k)]
            if missing:
                failed.append(f"missing {'、'.join(missing)} of all_keywords")
            else:
                held.append(Condition("all_keywords", "、".join(rule.all_keywords)))

    def _regex(self, facts: Facts, held: list[Condition], failed: list[str]) -> None:
        if self.regex is not None:
            for where, text in (("title", facts.title), ("text", facts.text)):
                if found := self.regex.search(text):
                    held.append(Condition("regex", found.group(0), where))
                    return
            failed.append(f"regex {self.rule.regex} finds nothing")


def _longest(keywords: list[str]) -> str:
    """The most specific keyword explains a placement best (防汛应急演练 over 防汛)."""
    return max(keywords, key=len)


def _listing(keywords: tuple[str, ...], most: int = 5) -> str:
    shown = "、".join(keywords[:most])
    return shown + (f" … {len(keywords)} in all" if len(keywords) > most else "")

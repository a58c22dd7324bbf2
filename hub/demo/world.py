"""The demo county's publishing history as a deterministic function of (seed, day).

Nothing is stored: the posts of any source on any day are regenerated on demand, so the
world is the same in every run, and posts "appear" as the clock passes their time.
An optional pulse adds a post somewhere every few minutes, so a live demo shows new
posts arriving.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache

from hub.demo import county, phrases
from hub.demo.county import SOURCES, TOWNS, ZOMBIE_SINCE, DemoSource

LOCAL = timezone(timedelta(hours=8), "CST")
FIRST_DAY = date(2025, 1, 1)  # nothing was published before this day
REPRINTED_TOPICS = {"tongzhi", "pingan", "yiye", "xingfu", "qingfeng", "shizheng"}
# Post numbers within a day: own < 199 = weekly < 200 <= pulse < 800 <= reprints.
WEEKLY_INDEX = 199
PULSE_SLOT_BASE = 200


@dataclass(frozen=True)
class DemoPost:
    source: DemoSource
    num: int  # day * 1000 + index within the day: unique per source, used in URLs
    time: datetime  # aware, UTC
    topic: str
    title: str
    paragraphs: tuple[str, ...]
    origin: DemoSource | None = None  # for a reprint, the department it came from


def day_of(moment: datetime) -> int:
    return (moment.astimezone(LOCAL).date() - FIRST_DAY).days


def day_start(day: int) -> datetime:
    return datetime.combine(FIRST_DAY + timedelta(days=day), time(0), LOCAL)


def short_name(source: DemoSource) -> str:
    return source.name.removesuffix("人民政府").removesuffix("办事处")


class World:
    """Every source's posts at any moment of the clock."""

    def __init__(
        self,
        seed: int = 7,
        clock: Callable[[], datetime] | None = None,
        pulse: timedelta | None = None,
        pulse_since: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock or (lambda: datetime.now(UTC))
        self.pulse = pulse
        self.pulse_since = pulse_since or self.clock()
        # Keyed by id: sources hold dicts and are not hashable themselves.
        self._day_cache = lru_cache(maxsize=50000)(self._posts_on)

    def now(self) -> datetime:
        return self.clock()

    def posts_on(self, source: DemoSource, day: int) -> list[DemoPost]:
        """All posts of a source dated on `day`, visible or not yet, oldest first."""
        return self._day_cache(source.id, day)

    def _posts_on(self, source_id: str, day: int) -> list[DemoPost]:
        source = county.source(source_id)
        posts = self._own(source, day) + self._pulse(source, day)
        if source.group == county.TOWN:
            posts += self._reprints_for(source, day)
        return sorted(posts, key=lambda p: (p.time, p.num))

    def latest(self, source: DemoSource, count: int, skip: int = 0) -> list[DemoPost]:
        """The newest `count` posts visible now, after skipping `skip` newer ones."""
        now = self.now()
        found: list[DemoPost] = []
        day = day_of(now)
        while day >= 0 and len(found) < count + skip:
            found += [p for p in reversed(self.posts_on(source, day)) if p.time <= now]
            day -= 1
        return found[skip : skip + count]

    def oldest(self, source: DemoSource) -> DemoPost | None:
        """The source's first post (what a list page pins on top for years)."""
        for day in range(day_of(self.now()) + 1):
            if posts := self.posts_on(source, day):
                return posts[0]
        return None

    def total(self, source: DemoSource, horizon_days: int = 120) -> int:
        """How many posts the source's list pages hold: the `horizon_days` before its
        newest post (a dormant source's pages still list its old posts)."""
        now = self.now()
        newest = self.latest(source, 1)
        if not newest:
            return 0
        last = day_of(newest[0].time)
        return sum(
            1
            for d in range(max(0, last - horizon_days), last + 1)
            for p in self.posts_on(source, d)
            if p.time <= now
        )

    def find(self, source: DemoSource, num: int) -> DemoPost | None:
        """A visible post by its number."""
        for post in self.posts_on(source, num // 1000):
            if post.num == num and post.time <= self.now():
                return post
        return None

    # -- generation -------------------------------------------------------------------

    def _rng(self, *parts: object) -> random.Random:
        return random.Random("/".join(str(p) for p in (self.seed, *parts)))

    def _own(self, source: DemoSource, day: int) -> list[DemoPost]:
        start = day_start(day)
        if source.status == "zombie" and start + timedelta(days=1) > ZOMBIE_SINCE:
            return []  # dormant since then: nothing on that day or after
        rng = self._rng(source.id, day)
        rate = source.rate * (0.3 if start.weekday() >= 5 else 1.2)
        posts = []
        for index in range(_poisson(rng, rate)):
            minutes = rng.randint(8 * 60, 18 * 60 + 30)
            moment = start + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            posts.append(self._compose(source, day * 1000 + index, moment.astimezone(UTC)))
        if source.weekly and start.weekday() == 0:
            moment = (start + timedelta(hours=8, minutes=30)).astimezone(UTC)
            posts.append(self._compose(source, day * 1000 + WEEKLY_INDEX, moment, source.weekly))
        return posts

    def _pulse(self, source: DemoSource, day: int) -> list[DemoPost]:
        if self.pulse is None or source.status != "ok":
            return []
        step = self.pulse.total_seconds()
        first = max(day_start(day), self.pulse_since)
        last = day_start(day + 1)
        posts: list[DemoPost] = []
        slot = math.ceil((first - self.pulse_since).total_seconds() / step)
        while (moment := self.pulse_since + timedelta(seconds=slot * step)) < last:
            active = [s for s in SOURCES if s.status == "ok"]
            if self._rng("pulse", slot).choice(active) == source:
                index = PULSE_SLOT_BASE + len(posts)
                posts.append(self._compose(source, day * 1000 + index, moment.astimezone(UTC)))
            slot += 1
        return posts

    def _reprints_for(self, town: DemoSource, day: int) -> list[DemoPost]:
        reprints: list[DemoPost] = []
        for origin in (s for s in SOURCES if s.reprints):
            for origin_day in (day - 2, day - 1, day):
                for post in self._own(origin, origin_day):
                    rng = self._rng("reprint", origin.id, post.num)
                    if post.topic not in REPRINTED_TOPICS or rng.random() > 0.35:
                        continue
                    towns = rng.sample(TOWNS, rng.randint(2, 4))
                    delay = timedelta(minutes=rng.randint(40, 30 * 60))
                    moment = post.time + delay
                    if town in towns and day_of(moment) == day:
                        num = day * 1000 + 800 + len(reprints)
                        line = phrases.REPRINT_LINE.format(origin=origin.name)
                        reprints.append(
                            DemoPost(
                                town,
                                num,
                                moment,
                                post.topic,
                                post.title,
                                (*post.paragraphs, line),
                                origin,
                            )
                        )
        return reprints

    def _compose(self, source: DemoSource, num: int, moment: datetime, topic: str = "") -> DemoPost:
        rng = self._rng(source.id, "post", num)
        topics, weights = zip(*source.topics.items(), strict=True)
        topic = topic or rng.choices(topics, weights)[0]
        titles, sentences = phrases.TOPICS[topic]
        towns = rng.sample(TOWNS, 2)
        local = moment.astimezone(LOCAL)
        slots = {
            "org": source.name,
            "unit": short_name(source),
            "town": short_name(source if source in TOWNS else towns[0]),
            "town2": short_name(towns[1]),
            "place": rng.choice(phrases.PLACES),
            "theme": rng.choice(phrases.THEMES),
            "leader": rng.choice(phrases.LEADERS),
            "scenic": rng.choice(phrases.SCENIC),
            "job": rng.choice(phrases.JOBS),
            "n": rng.randint(2, 60),
            "year": local.year,
            "month": local.month,
            "week": local.isocalendar().week,
        }
        title = rng.choice(titles).format(**slots)
        picked = rng.sample(sentences, min(len(sentences), rng.randint(2, 4)))
        lead = rng.choice(phrases.LEADS).format(
            **slots, day=local.day, people=rng.randint(12, 400), hours=rng.randint(2, 9)
        )
        body = (lead, *(s.format(**{**slots, "n": rng.randint(2, 300)}) for s in picked))
        return DemoPost(source, num, moment, topic, title, body)


def _poisson(rng: random.Random, rate: float) -> int:
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k

"""The simulated county: deterministic, alive as the clock moves, and realistically messy."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from hub.demo import SOURCES, CountyServer, World
from hub.demo.county import ZOMBIE_SINCE, source
from hub.demo.render import article_path, entry_path
from tests.conftest import START, Clock


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_county_is_big_and_varied_enough() -> None:
    assert len(SOURCES) >= 40
    shapes = {s.shape for s in SOURCES}
    assert shapes == {"rss", "atom", "trs", "hanweb"}
    assert sum(s.gbk for s in SOURCES) >= 3
    statuses = [s.status for s in SOURCES]
    assert statuses.count("zombie") >= 2 and "error500" in statuses and "gone404" in statuses
    assert len({s.id for s in SOURCES}) == len(SOURCES)


def test_same_seed_and_clock_give_the_same_world() -> None:
    one, two = World(clock=lambda: START), World(clock=lambda: START)
    for each in SOURCES[:10]:
        assert one.latest(each, 20) == two.latest(each, 20)
    assert World(seed=8, clock=lambda: START).latest(SOURCES[0], 5) != one.latest(SOURCES[0], 5)


def test_posts_appear_as_time_passes() -> None:
    clock = Clock()
    world = World(clock=clock)
    town = source("baisha")
    before = world.latest(town, 50)
    clock.advance(timedelta(days=3))
    after = world.latest(town, 50)
    assert after[0].time > START and after[len(after) - len(before) :] != before
    assert all(p.time <= clock() for p in after)
    assert {p.num for p in before} <= {p.num for p in world.latest(town, 200)}


def test_a_pulse_adds_posts_every_few_minutes() -> None:
    clock = Clock()
    world = World(clock=clock, pulse=timedelta(minutes=2), pulse_since=START)
    clock.advance(timedelta(hours=1))
    fresh = [p for s in SOURCES for p in world.latest(s, 40) if p.time > START]
    pulsed = [p for p in fresh if 200 <= p.num % 1000 < 800]
    assert len(pulsed) == 30  # one per two minutes, each at some live source


def test_zombies_stopped_publishing_and_reprints_name_their_origin() -> None:
    world = World(clock=lambda: START)
    for zombie in (s for s in SOURCES if s.status == "zombie"):
        assert world.latest(zombie, 1)[0].time < ZOMBIE_SINCE
    reprints = [p for t in SOURCES if t.group == "镇街" for p in world.latest(t, 20) if p.origin]
    assert len(reprints) >= 5
    assert all(p.paragraphs[-1] == f"来源：{p.origin.name}" for p in reprints if p.origin)


def test_the_server_plays_each_shape(county: CountyServer) -> None:
    status, headers, body = fetch(county.base_url + entry_path(source("chengguan")))
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    assert b"<rss" in body
    status, headers, body = fetch(county.base_url + entry_path(source("shimen")))
    assert headers["Content-Type"] == "text/html"  # GBK with no charset in the header
    assert b"charset=gb2312" in body and "石门镇".encode("gb18030") in body
    status, _, _ = fetch(county.base_url + entry_path(source("qxj")))
    assert status == 500
    status, _, _ = fetch(county.base_url + entry_path(source("kxj")))
    assert status == 404


def test_listed_articles_can_be_followed(county: CountyServer) -> None:
    post = county.world.latest(source("liutang"), 1)[0]
    status, _, body = fetch(county.base_url + article_path(post))
    assert status == 200 and post.title in body.decode()
    assert b'<div id="zoom">' in body
    status, _, _ = fetch(county.base_url + article_path(post).replace("art_", "art_9"))
    assert status == 404


def test_unpublished_posts_are_not_served_yet(county: CountyServer, clock: Clock) -> None:
    world = county.world
    clock.advance(timedelta(days=2))
    future = world.latest(source("baisha"), 1)[0]
    clock.advance(timedelta(days=-2))
    status, _, _ = fetch(county.base_url + article_path(future))
    assert status == 404


@pytest.mark.parametrize("sid", ["chengguan", "baisha"])
def test_conditional_get_answers_304(county: CountyServer, sid: str) -> None:
    url = county.base_url + entry_path(source(sid))
    _, headers, _ = fetch(url)
    status, _, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, _ = fetch(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304

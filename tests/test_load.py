"""`hub serve` under load while the site is republished: many readers of pages, the
search page and the search API, from their own connections, while `hub publish --full`
swaps the whole site again and again in other processes. Bounded in count and time;
zero errors and zero 404s. (Its figures are the benchmark's: bench/load.py.)"""

from __future__ import annotations

from pathlib import Path

from bench import load


def test_readers_see_no_error_and_no_404_while_publishes_swap_the_site(tmp_path: Path) -> None:
    config = load.demo_site(tmp_path)
    chosen = load.targets(config.site_dir)
    first_build = config.site_dir.resolve()
    with load.served(config.path) as (host, port):
        publisher, done = load.publishing(config.path, rounds=3, pause=0.2)
        seen = load.read(
            host, port, chosen, readers=16, seconds=120, most=50_000, until=done.is_set
        )
        publisher.join()
    assert seen.errors == []
    assert config.site_dir.resolve() != first_build  # the site was swapped under them
    assert seen.requests > 300
    assert {"page", "post", "search", "api", "feed"} <= set(seen.by_kind)

"""Benchmarks on the simulated county and on real prose: prints a table of figures and
ratios.

    python bench/run.py                      # all rows (search at 10,000 and 100,000 posts)
    python bench/run.py --repeat 3           # best of three for each timed step
    python bench/run.py --search-sizes 10000 # a shorter run: search at 10,000 posts only

Figures are wall-clock seconds on this machine, one core unless a row says otherwise;
compare rows of one run, not runs of different machines. Later issues add rows here,
never timed assertions in tests.
"""

from __future__ import annotations

import argparse
import logging
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    audit,
    checks,
    crawl,
    desk,
    detect,
    extract,
    faults,
    freshness,
    load,
    nginx,
    parsing,
    portal,
    reprints,
    routing,
    search,
    startup,
    weight,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each step")
    parser.add_argument(
        "--search-sizes",
        default=",".join(map(str, search.SIZES)),
        help="corpus sizes for the search rows, comma-separated",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(
        f"hub benchmarks · Python {platform.python_version()} · {platform.machine()} · "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    rows = [
        *crawl.rows(args.repeat),
        *faults.rows(args.repeat),
        *parsing.rows(args.repeat),
        *routing.rows(args.repeat),
        *reprints.rows(args.repeat),
        *portal.rows(args.repeat),
        *search.rows(args.repeat, tuple(int(n) for n in args.search_sizes.split(","))),
        *load.rows(args.repeat),
        *nginx.rows(args.repeat),
        *freshness.rows(args.repeat),
        *desk.rows(args.repeat),
        *startup.rows(args.repeat),
        *audit.rows(args.repeat),
        *checks.rows(args.repeat),
        *weight.rows(args.repeat),
        *detect.rows(args.repeat),
        *extract.rows(args.repeat),
    ]
    width = max(len(r.name) for r in rows)
    print(f"{'benchmark':<{width}}  {'figure':>12}  unit        note")
    for row in rows:
        print(f"{row.name:<{width}}  {row.value:>12,.1f}  {row.unit:<10}  {row.note}")


if __name__ == "__main__":
    main()

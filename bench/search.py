"""Search at county and province size, on each engine in the same run with the same
posts and queries: indexing, query latency at 10,000 and 100,000 posts of real prose,
an incremental update of 100 posts, `/api/search` requests/s under 32 connections
against `hub serve` (wrk), and the same corpus in a minimal baseline — raw Whoosh with
jieba's own ChineseAnalyzer, one text field per field, whoosh's query parser and
highlighter — so the ratios show what hub's analysis (words + character pairs,
folding) costs and what it finds that the baseline misses.

    python -m bench.search                               # 10,000 and 100,000 posts
    python -m bench.search --sizes 2000                  # a quick look
    python -m bench.search --engines tantivy --no-baseline --sizes 100000
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench import api
from bench.common import START, Row, best, prose, timed
from hub import search
from hub.demo import SOURCES
from hub.models import SEARCH_ENGINES, SearchEngine

SIZES = (10_000, 100_000)
INCREMENT = 100
ROUNDS = 3  # each query is timed this many times; every timing counts for p50/p95
PER_PAGE = 10
SECTIONS = ("shizheng", "zhenjie", "bumen", "yiju", "yiye", "yiyou", "pingan", "qingfeng")

# What residents type: words, departments, phrases, exclusions, alternatives, words that
# span jieba's cuts (县应急 is not a word), traditional script, and filters.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("防汛", {}),
    ("乡村振兴", {}),
    ("就业", {}),
    ("营商环境", {}),
    ("生态环境保护", {}),
    ("义务教育", {}),
    ("医疗保险", {}),
    ("食品安全", {}),
    ("社会保障", {}),
    ("农村 改革", {}),
    ("经济 -农业", {}),
    ("粮食 OR 能源", {}),
    ('"深化改革"', {}),
    ('"全面建成小康社会"', {}),
    ("县应急", {}),
    ("保障房", {}),
    ("科技创新", {"sort": "newest"}),
    ("扶贫", {"section": "yiye"}),
    ("基础设施建设", {"group": "部门"}),
    ("发展", {}),  # in nearly every post: the worst case for scoring and sorting
    ("改革开放", {"since": "2025"}),
    ("國有企業", {}),  # traditional script
    ("县人民医院", {}),
    ("交通", {"page": "3"}),
]


@dataclass(frozen=True)
class Corpus:
    documents: list[search.Document]

    @classmethod
    def make(cls, size: int, first: int = 0, seed: int = 7) -> Corpus:
        """`size` posts of 2-4 real paragraphs each, from 51 departments over three years."""
        texts, rng = prose(), random.Random(seed + first)
        live = [s for s in SOURCES if s.status == "ok"]
        docs = []
        for n in range(first, first + size):
            paragraphs = [texts[rng.randrange(len(texts))] for _ in range(rng.randint(2, 4))]
            lead = paragraphs[0]
            cut = rng.randrange(0, max(1, len(lead) - 30))
            source = live[n % len(live)]
            docs.append(
                search.Document(
                    id=f"p{n:07d}",
                    hash="1",
                    title=lead[cut : cut + rng.randint(12, 28)].strip("，。；：、"),
                    text="\n".join(paragraphs),
                    department=source.name,
                    source_id=source.id,
                    group=source.group,
                    sections=tuple(rng.sample(SECTIONS, rng.randint(1, 2))),
                    date=START - timedelta(minutes=15 * n),
                    path=f"p/{n}.html",
                )
            )
        return cls(docs)


# -- hub ----------------------------------------------------------------------------------


def hub_index(folder: Path, corpus: Corpus, engine: SearchEngine) -> float:
    _, seconds = timed(lambda: search.update(folder, corpus.documents, engine=engine))
    return seconds


def hub_query(
    folder: Path,
    text: str,
    params: dict[str, str],
    names: search.synonyms.Synonyms = search.synonyms.BUILTIN,
) -> int:
    """One page as the portal shows it: hits with marked titles and snippets."""
    since = params.get("since")
    request = search.Request(
        text,
        section=params.get("section", ""),
        group=params.get("group", ""),
        since=START.replace(year=int(since), month=1, day=1) if since else None,
        sort="newest" if params.get("sort") == "newest" else "relevance",
        page=int(params.get("page", "1")),
        per_page=PER_PAGE,
    )
    results = search.search(folder, request, names)
    for hit in results.hits:
        search.to_html(hit.snippet), search.to_html(hit.title_marked)
    return results.total


# -- the baseline: what one would write with the libraries alone ------------------------


class Baseline:
    """Raw Whoosh with jieba's ChineseAnalyzer: title and text fields, the default query
    parser (AND), whoosh's own highlighter for snippets."""

    def __init__(self, folder: Path) -> None:
        from whoosh import fields, index  # noqa: PLC0415

        analyzer = _jieba_analyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
            text=fields.TEXT(analyzer=analyzer, stored=True),
            department=fields.TEXT(analyzer=analyzer, stored=True),
            sections=fields.KEYWORD(stored=True, commas=True),
            group=fields.ID(stored=True),
            date=fields.DATETIME(stored=True, sortable=True),
        )
        folder.mkdir(parents=True, exist_ok=True)
        self.index = index.create_in(str(folder), schema)

    def add(self, corpus: Corpus) -> None:
        writer = self.index.writer(limitmb=256)
        for doc in corpus.documents:
            writer.update_document(
                id=doc.id,
                title=doc.title,
                text=doc.text,
                department=doc.department,
                sections=",".join(doc.sections),
                group=doc.group,
                date=doc.date.replace(tzinfo=None),
            )
        writer.commit()

    def query(self, text: str, params: dict[str, str]) -> int:
        from whoosh import index, qparser, query  # noqa: PLC0415

        ix = index.open_dir(self.index.storage.folder)  # as a server answering a request
        parser = qparser.MultifieldParser(["title", "text", "department"], ix.schema)
        parsed = parser.parse(text.replace(" -", " NOT "))
        filters = [
            query.Term(field, params[key])
            for key, field in (("section", "sections"), ("group", "group"))
            if key in params
        ]
        page = int(params.get("page", "1"))
        sort = "date" if params.get("sort") == "newest" else None
        with ix.searcher() as searcher:
            results = searcher.search_page(
                parsed,
                page,
                pagelen=PER_PAGE,
                filter=query.And(filters) if filters else None,
                sortedby=sort,
                reverse=bool(sort),
            )
            for hit in results:
                hit.highlights("text"), hit["title"]
            return int(results.total)


def _jieba_analyzer() -> Any:
    """jieba's whoosh analyzer. Importing jieba.analyse leaves its IDF table's file open
    (jieba's own leak): closed here, where the warning about it is not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import jieba  # noqa: PLC0415 (bench-only dependency)
        from jieba.analyse import ChineseAnalyzer  # noqa: PLC0415

        gc.collect()
    jieba.setLogLevel(logging.WARNING)  # its own handler prints DEBUG lines otherwise
    return ChineseAnalyzer()


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Figures:
    index_seconds: float
    latencies: list[float]  # seconds, every timing of every query
    totals: dict[str, int]  # query: matches


def measure(index: Callable[[], float], query: Callable[[str, dict[str, str]], int]) -> Figures:
    seconds = index()
    totals = {text: query(text, params) for text, params in QUERIES}  # warms the caches
    latencies = [
        timed(partial(query, text, params))[1] for _ in range(ROUNDS) for text, params in QUERIES
    ]
    return Figures(seconds, latencies, totals)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def incremental(folder: Path, corpus: Corpus) -> tuple[float, search.UpdateResult]:
    """100 posts more, as one publish brings them: the whole set goes to update()."""
    newer = Corpus.make(INCREMENT, first=len(corpus.documents))
    everything = [*newer.documents, *corpus.documents]
    result, seconds = timed(lambda: search.update(folder, everything))
    assert result.added == INCREMENT, result  # noqa: S101 (the bench checks what it timed)
    return seconds, result


def size_rows(
    size: int, engines: tuple[SearchEngine, ...] = SEARCH_ENGINES, baseline: bool = True
) -> list[Row]:
    corpus = Corpus.make(size)
    found: list[Row] = []
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        figures = {}
        for engine in engines:
            folder = root / engine / "index"
            figures[engine] = measure(
                partial(hub_index, folder, corpus, engine), partial(hub_query, folder)
            )
            step, _ = incremental(folder, corpus)
            mb = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
            served = api.requests_per_second(folder, corpus.documents, QUERIES)
            found += engine_rows(engine, size, figures[engine], step=step, mb=mb, served=served)
            found.append(expansion_row(engine, size, folder))
        if len(engines) > 1:
            found.append(compared(size, figures))
        if baseline:
            base_folder = Baseline(root / "baseline")
            base = measure(lambda: timed(lambda: base_folder.add(corpus))[1], base_folder.query)
            base_mb = sum(f.stat().st_size for f in (root / "baseline").rglob("*")) / 1e6
            found += baseline_rows(size, figures[engines[0]], base, base_mb)
    return found


def engine_rows(
    engine: SearchEngine, size: int, hub: Figures, *, step: float, mb: float, served: api.Served
) -> list[Row]:
    p50, p95 = percentile(hub.latencies, 0.5), percentile(hub.latencies, 0.95)
    slowest = max(QUERIES, key=lambda q: statistics.mean(_per_query(hub, q[0])))[0]
    return [
        Row(
            f"{engine}: search index, {size:,} posts",
            size / hub.index_seconds,
            "docs/s",
            f"{hub.index_seconds:.1f}s, {mb:.0f} MB",
        ),
        Row(
            f"{engine}: search query p50, {size:,} posts",
            p50 * 1000,
            "ms",
            f"p95 {p95 * 1000:.1f} ms, max {max(hub.latencies) * 1000:.0f} ms "
            f"({slowest}); {len(QUERIES)} queries x {ROUNDS}, a page with snippets",
        ),
        Row(
            f"{engine}: search update +{INCREMENT} posts, {size:,}",
            step,
            "s",
            f"{INCREMENT / step:.0f} docs/s, the whole set compared by version",
        ),
        Row(
            f"{engine}: /api/search, {size:,} posts",
            served.per_second,
            "req/s",
            f"{api.CONNECTIONS} connections, {served.seconds:.0f}s of the {len(QUERIES)} "
            f"queries in turn (wrk), p50 {served.p50_ms:.0f} ms, p99 {served.p99_ms:.0f} ms, "
            f"{served.errors} errors",
        ),
    ]


def relevance_queries() -> list[str]:
    """The relevance set's queries, every group (tests/test_search_relevance.py): words,
    names, and the departments by their short names, aliases and synonyms."""
    from tests.test_search_relevance import GROUPS  # noqa: PLC0415 (the tests' set)

    return [text for queries, _ in GROUPS.values() for text, _, _ in queries]


def demo_names() -> search.synonyms.Synonyms:
    """What `hub serve` expands with for the demo county: the table, its synonym group
    and its sources' aliases."""
    from hub.config import loads  # noqa: PLC0415
    from hub.demo import channels_yaml  # noqa: PLC0415
    from hub.pipeline.searching import names  # noqa: PLC0415

    return names(loads(channels_yaml(), Path("channels.yaml")))


def expansion_row(engine: SearchEngine, size: int, folder: Path) -> Row:
    """The relevance set's queries with short names expanded and without, each timed
    ROUNDS times in turn in the same run: what expansion costs a query, over all of them
    and over those it changes (a query that finds nothing also pays for did-you-mean)."""
    texts, on, off = relevance_queries(), demo_names(), search.synonyms.NONE
    changed = {t for t in texts if on.expand(search.parse(t)) != search.parse(t)}
    more = sum(1 for t in changed if hub_query(folder, t, {}, on) > hub_query(folder, t, {}, off))
    timings: dict[bool, list[tuple[str, float]]] = {True: [], False: []}
    for _ in range(ROUNDS):
        for text in texts:
            for expanded, names in ((True, on), (False, off)):
                seconds = timed(partial(hub_query, folder, text, {}, names))[1]
                timings[expanded].append((text, seconds))

    def ms(expanded: bool, only: set[str] | None = None) -> tuple[float, float]:
        values = [s for t, s in timings[expanded] if only is None or t in only]
        return percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000

    (p50, p95), (o50, o95) = ms(True), ms(False)
    (c50, c95), (d50, d95) = ms(True, changed), ms(False, changed)
    return Row(
        f"{engine}: query p50, names expanded, {size:,}",
        p50,
        "ms",
        f"p95 {p95:.1f} ms; not expanded {o50:.1f} / {o95:.1f} ms; the {len(changed)} of "
        f"{len(texts)} relevance queries expansion changes: {c50:.1f} / {c95:.1f} ms against "
        f"{d50:.1f} / {d95:.1f} ms ({c50 / d50:.2f}x / {c95 / d95:.2f}x), {more} find more",
    )


def compared(size: int, figures: dict[SearchEngine, Figures]) -> Row:
    """The engines side by side: the ratio of their p95, and whether they count alike."""
    whoosh, tantivy = figures["whoosh"], figures["tantivy"]
    alike = sum(1 for q in whoosh.totals if whoosh.totals[q] == tantivy.totals[q])
    ratio = percentile(whoosh.latencies, 0.95) / percentile(tantivy.latencies, 0.95)
    return Row(
        f"  whoosh/tantivy query p95, {size:,}",
        ratio,
        "x",
        f"index {whoosh.index_seconds / tantivy.index_seconds:.1f}x; "
        f"same totals for {alike} of {len(QUERIES)} queries",
    )


def baseline_rows(size: int, hub: Figures, base: Figures, base_mb: float) -> list[Row]:
    p50, p95 = percentile(hub.latencies, 0.5), percentile(hub.latencies, 0.95)
    b50, b95 = percentile(base.latencies, 0.5), percentile(base.latencies, 0.95)
    missed = [q for q, n in base.totals.items() if n == 0 and hub.totals[q] > 0]
    fewer = sum(1 for q, n in base.totals.items() if n < hub.totals[q])
    return [
        Row(
            f"  baseline: whoosh + jieba, {size:,}",
            size / base.index_seconds,
            "docs/s",
            f"{base.index_seconds:.1f}s, {base_mb:.0f} MB; "
            f"hub's index took {hub.index_seconds / base.index_seconds:.2f}x its time",
        ),
        Row(
            f"  baseline query p50, {size:,}",
            b50 * 1000,
            "ms",
            f"p95 {b95 * 1000:.0f} ms; hub/baseline p50 {p50 / b50:.2f}x, p95 {p95 / b95:.2f}x",
        ),
        Row(
            f"  baseline finds fewer, {size:,}",
            fewer,
            "queries",
            f"of {len(QUERIES)}; nothing at all for {', '.join(missed) or 'none'}",
        ),
    ]


def _per_query(figures: Figures, text: str) -> Iterator[float]:
    index = [q for q, _ in QUERIES].index(text)
    return iter(figures.latencies[index :: len(QUERIES)])


def segmentation_rows(repeat: int) -> list[Row]:
    """rjieba (what hub segments with) beside jieba itself, on the same real prose, in
    the search mode the index uses; tests/test_search_analysis.py checks the cuts are
    the same."""
    import rjieba  # noqa: PLC0415

    _jieba_analyzer()  # loads jieba, quietly
    import jieba  # noqa: PLC0415

    texts = prose()
    chars = sum(map(len, texts))
    jieba.lcut_for_search(texts[0]), rjieba.cut_for_search(texts[0])  # dictionaries loaded
    _, ours = best(lambda: [rjieba.cut_for_search(t) for t in texts], repeat)
    _, theirs = best(lambda: [jieba.lcut_for_search(t) for t in texts], repeat)
    return [
        Row(
            "segmentation, rjieba (search mode)",
            chars / ours / 1e6,
            "M chars/s",
            f"{chars:,} characters in {ours:.2f}s; {theirs / ours:.1f}x jieba's speed",
        ),
        Row("  baseline: jieba", chars / theirs / 1e6, "M chars/s", f"{theirs:.2f}s"),
    ]


def rows(
    repeat: int,
    sizes: tuple[int, ...] = SIZES,
    engines: tuple[SearchEngine, ...] = SEARCH_ENGINES,
    baseline: bool = True,
) -> list[Row]:
    """Segmentation, then indexing and queries at each size on each engine (queries are
    timed ROUNDS times each already; each size is indexed once per engine)."""
    sized = (row for size in sizes for row in size_rows(size, engines, baseline))
    return [*segmentation_rows(repeat), *sized]


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--engines", default=",".join(SEARCH_ENGINES))
    parser.add_argument("--no-baseline", action="store_true", help="skip raw whoosh + jieba")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("jieba").setLevel(logging.ERROR)
    started = time.perf_counter()
    engines = tuple(e for e in SEARCH_ENGINES if e in args.engines.split(","))
    sizes = tuple(int(s) for s in args.sizes.split(","))
    table = rows(1, sizes, engines, baseline=not args.no_baseline)
    width = max(len(r.name) for r in table)
    for row in table:
        print(f"{row.name:<{width}}  {row.value:>10,.1f}  {row.unit:<8}  {row.note}")
    print(f"({time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()

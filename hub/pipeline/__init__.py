"""The one place where the stages meet: crawl (fetch -> parse -> store) and publish
(store -> route -> site + search). Time is an argument; nothing here reads the clock.

This face only names what its modules define, and imports a module when one of its
names is first used (`hub.lazy`), so that a command pays only for the stages it runs:

- `project`: channels.yaml loaded and checked, the database, the writer lock;
- `crawling` (with the pure `decide`): every source fetched, parsed and stored;
- `routing`: the stored posts routed with the rules on disk and the desk's decisions,
  and sorted by review;
- `publishing`: reprints, the portal and the index, sources.opml, the audit;
- `linking`: the checks of posts' links after a crawl, and their findings;
- `reporting`: the audit's self-check report as an .xlsx workbook or a printable page;
- `searching`: the search service of `hub serve` and `hub search`;
- `checking`: content checks over the stored posts (the county's lists read), and which
  findings hold a post for review;
- `editorial`: explain, route diff, check warnings, OPML import;
- `detecting` and `trial`: a source made from a column's address, and one source run
  without storing anything (`hub sources add`, `hub sources test`);
- `preview`: a candidate channels.yaml tried apart from the live site, and saved;
- `runs` and `trace`: the record of every run, and of what each publish placed where;
- `alerting`: a run's alerts told to the editors when it ends (e-mail, group robots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy import face

if TYPE_CHECKING:  # what the names below are, for type checkers
    from hub.pipeline import (
        alerting as alerting,
    )
    from hub.pipeline import (
        checking as checking,
    )
    from hub.pipeline import (
        detecting as detecting,
    )
    from hub.pipeline import (
        editorial as editorial,
    )
    from hub.pipeline import (
        linking as linking,
    )
    from hub.pipeline import (
        redetecting as redetecting,
    )
    from hub.pipeline import (
        runs as runs,
    )
    from hub.pipeline import (
        trace as trace,
    )
    from hub.pipeline import (
        trial as trial,
    )
    from hub.pipeline.crawling import (
        Progress as Progress,
    )
    from hub.pipeline.crawling import (
        Stopping as Stopping,
    )
    from hub.pipeline.crawling import (
        crawl as crawl,
    )
    from hub.pipeline.crawling import (
        parse_workers as parse_workers,
    )
    from hub.pipeline.decide import (
        is_due as is_due,
    )
    from hub.pipeline.preview import (
        restore_rules as restore_rules,
    )
    from hub.pipeline.preview import (
        save_rules as save_rules,
    )
    from hub.pipeline.preview import (
        try_rules as try_rules,
    )
    from hub.pipeline.project import (
        crawl_lock as crawl_lock,
    )
    from hub.pipeline.project import (
        existing_store as existing_store,
    )
    from hub.pipeline.project import (
        load as load,
    )
    from hub.pipeline.project import (
        loads as loads,
    )
    from hub.pipeline.project import (
        open_store as open_store,
    )
    from hub.pipeline.project import (
        stamp as stamp,
    )
    from hub.pipeline.project import (
        status as status,
    )
    from hub.pipeline.project import (
        user_agent as user_agent,
    )
    from hub.pipeline.project import (
        writer_lock as writer_lock,
    )
    from hub.pipeline.publishing import (
        REPRINTS_FILE as REPRINTS_FILE,
    )
    from hub.pipeline.publishing import (
        PublishResult as PublishResult,
    )
    from hub.pipeline.publishing import (
        audit as audit,
    )
    from hub.pipeline.publishing import (
        find_reprints as find_reprints,
    )
    from hub.pipeline.publishing import (
        index_count as index_count,
    )
    from hub.pipeline.publishing import (
        publish as publish,
    )
    from hub.pipeline.publishing import (
        reindex as reindex,
    )
    from hub.pipeline.publishing import (
        sources_opml as sources_opml,
    )
    from hub.pipeline.reporting import (
        ReportFormat as ReportFormat,
    )
    from hub.pipeline.reporting import (
        write_report as write_report,
    )
    from hub.pipeline.routing import (
        channel_counts as channel_counts,
    )
    from hub.pipeline.routing import (
        due as due,
    )
    from hub.pipeline.routing import (
        route as route,
    )
    from hub.pipeline.routing import (
        router as router,
    )
    from hub.pipeline.routing import (
        settle as settle,
    )
    from hub.pipeline.runs import (
        Tally as Tally,
    )
    from hub.pipeline.runs import (
        recorded as recorded,
    )
    from hub.pipeline.searching import (
        SearchService as SearchService,
    )

__all__ = [
    "REPRINTS_FILE",
    "Progress",
    "PublishResult",
    "ReportFormat",
    "SearchService",
    "Stopping",
    "Tally",
    "alerting",
    "audit",
    "channel_counts",
    "checking",
    "crawl",
    "crawl_lock",
    "detecting",
    "due",
    "editorial",
    "existing_store",
    "find_reprints",
    "index_count",
    "is_due",
    "linking",
    "load",
    "loads",
    "open_store",
    "parse_workers",
    "publish",
    "recorded",
    "redetecting",
    "reindex",
    "restore_rules",
    "route",
    "router",
    "runs",
    "save_rules",
    "settle",
    "sources_opml",
    "stamp",
    "status",
    "trace",
    "trial",
    "try_rules",
    "user_agent",
    "write_report",
    "writer_lock",
]
__getattr__ = face(
    __name__,
    {
        "alerting": "hub.pipeline.alerting",
        "checking": "hub.pipeline.checking",
        "detecting": "hub.pipeline.detecting",
        "redetecting": "hub.pipeline.redetecting",
        "editorial": "hub.pipeline.editorial",
        "linking": "hub.pipeline.linking",
        "runs": "hub.pipeline.runs",
        "trace": "hub.pipeline.trace",
        "trial": "hub.pipeline.trial",
        "Progress": "hub.pipeline.crawling",
        "Stopping": "hub.pipeline.crawling",
        "crawl": "hub.pipeline.crawling",
        "parse_workers": "hub.pipeline.crawling",
        "is_due": "hub.pipeline.decide",
        "crawl_lock": "hub.pipeline.project",
        "existing_store": "hub.pipeline.project",
        "save_rules": "hub.pipeline.preview",
        "restore_rules": "hub.pipeline.preview",
        "try_rules": "hub.pipeline.preview",
        "load": "hub.pipeline.project",
        "loads": "hub.pipeline.project",
        "open_store": "hub.pipeline.project",
        "stamp": "hub.pipeline.project",
        "status": "hub.pipeline.project",
        "user_agent": "hub.pipeline.project",
        "writer_lock": "hub.pipeline.project",
        "PublishResult": "hub.pipeline.publishing",
        "REPRINTS_FILE": "hub.pipeline.publishing",
        "audit": "hub.pipeline.publishing",
        "ReportFormat": "hub.pipeline.reporting",
        "write_report": "hub.pipeline.reporting",
        "find_reprints": "hub.pipeline.publishing",
        "index_count": "hub.pipeline.publishing",
        "publish": "hub.pipeline.publishing",
        "reindex": "hub.pipeline.publishing",
        "sources_opml": "hub.pipeline.publishing",
        "channel_counts": "hub.pipeline.routing",
        "due": "hub.pipeline.routing",
        "settle": "hub.pipeline.routing",
        "route": "hub.pipeline.routing",
        "router": "hub.pipeline.routing",
        "Tally": "hub.pipeline.runs",
        "recorded": "hub.pipeline.runs",
        "SearchService": "hub.pipeline.searching",
    },
)

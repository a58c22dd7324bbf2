"""The desk's 来源 page: every source's health for every user; a source added by its
column's address, detected and previewed before an admin adds it to channels.yaml; the
selectors hub proposes for a redesigned list, applied by an admin; each on the log, and
nothing of it for a user who is not an admin."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from hub import pipeline
from hub.models import Proposal
from hub.pipeline.redetecting import digest
from hub.store import LogQuery
from tests.cms import columns, serve
from tests.test_desk import Site, site  # noqa: F401 (the fixture)

COLUMN = next(c for c in columns() if c.style == "trs-classic")


@pytest.fixture
def corpus() -> Iterator[str]:
    with serve([COLUMN]) as (base, _):
        yield base


def _open_fetch(made: Site) -> None:
    """The desk's site may fetch 127.0.0.1, where the corpus is served."""
    path = made.config.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "fetch: {allow_private: true, delay: 0s}\n", encoding="utf-8")


def test_an_admin_adds_a_source_by_its_address_after_a_preview(
    site: Site,  # noqa: F811
    corpus: str,
) -> None:
    _open_fetch(site)
    client, csrf = site.login("admin")
    assert "全部来源" in client.get("/sources").text
    url = corpus + COLUMN.list_path
    answer = client.post(
        "/sources",
        data={"csrf": csrf, "what": "detect", "url": url, "group": "部门", "id": "fgw"},
    )
    assert answer.status_code == 200, answer.text[:500]
    page = answer.text
    assert "item: ul.list &gt; li" in page and "article: .TRS_Editor" in page
    assert COLUMN.items[0].title in page  # the preview
    before = site.config.path.read_text(encoding="utf-8")
    assert "fgw" not in before  # nothing written by detecting
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post("/sources", data={"csrf": csrf, "what": "save", "token": token[1]})
    assert answer.status_code == 303
    added = pipeline.load(site.config.path).source("fgw")
    assert added.group == "部门" and added.page is not None and added.page.item == "ul.list > li"
    assert "已添加来源" in client.get(answer.headers["location"]).text
    logged = site.store.desk.entries(LogQuery(action="source-add"))
    assert [e.user for e in logged] == ["admin"] and "fgw" in logged[0].reason
    # the token is spent: a second add is refused
    again = client.post("/sources", data={"csrf": csrf, "what": "save", "token": token[1]})
    assert again.status_code == 400


def test_a_bad_address_is_said_on_the_page(site: Site) -> None:  # noqa: F811
    client, csrf = site.login("admin")
    answer = client.post("/sources", data={"csrf": csrf, "what": "detect", "url": "ftp://x"})
    assert answer.status_code == 400 and "http://" in answer.text
    # the guard: a private address is refused before any packet (allow_private is off)
    answer = client.post(
        "/sources", data={"csrf": csrf, "what": "detect", "url": "http://10.0.0.7/list.html"}
    )
    assert answer.status_code == 400 and "private or local address" in answer.text


def test_an_admin_applies_proposed_selectors_and_no_one_else_may(
    site: Site,  # noqa: F811
    corpus: str,
) -> None:
    path = site.config.path
    text = path.read_text(encoding="utf-8").replace(
        "sources:\n",
        "sources:\n  - id: fgw\n    name: 县发展和改革局\n    page:\n"
        f"      url: {corpus}{COLUMN.list_path}\n      item: ul.old > li\n",
    )
    path.write_text(text, encoding="utf-8")
    config = pipeline.load(path)
    source = config.source("fgw")
    new = source.model_copy(
        update={"page": source.page.model_copy(update={"item": "ul.list > li"})}
    )  # type: ignore[union-attr]
    entry = "- id: fgw\n  name: 县发展和改革局\n  page:\n" + (
        f"    url: {corpus}{COLUMN.list_path}\n    item: ul.list > li\n    title: a\n    link: a\n"
    )
    site.store.proposals.put(
        Proposal(
            "fgw", site.clock(), digest(source), entry, json.dumps({}), 20, '["标题"]', "found"
        )
    )
    editor, editor_csrf = site.login("editor")
    page = editor.get("/sources").text
    assert "ul.list &gt; li" in page and "请管理员采用" in page
    refused = editor.post("/sources", data={"csrf": editor_csrf, "what": "apply", "source": "fgw"})
    assert refused.status_code == 403
    assert pipeline.load(path).source("fgw").page.item == "ul.old > li"  # type: ignore[union-attr]
    admin, csrf = site.login("admin")
    answer = admin.post("/sources", data={"csrf": csrf, "what": "apply", "source": "fgw"})
    assert answer.status_code == 303, answer.text[:300]
    assert pipeline.load(path).source("fgw") == new
    assert site.store.proposals.all() == {}
    assert [e.action for e in site.store.desk.entries(LogQuery(action="source-apply"))] == [
        "source-apply"
    ]

"""The desk's 来源 page: every source's health, the selectors hub proposes for a list
page whose own found nothing (an admin applies them), and a source added by pasting a
column's address (admins): detected, shown with a preview of what it reads, and only
then written into channels.yaml, keeping the previous file. Every change is logged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from hub import pipeline
from hub.config import source_entry
from hub.errors import ConfigError, SourceError, StoreError
from hub.serve.desk.pages import back, page
from hub.store import Actor

if TYPE_CHECKING:
    from hub.pipeline.detecting import Detection
    from hub.serve.desk.app import Ctx

URL_CHARS = 2048
PREVIEW = 10


def sources(ctx: Ctx) -> Response:
    """GET: the list and the form; POST (admins): detect, add, apply."""
    if ctx.request.method == "GET":
        return _page(ctx)
    if ctx.user.role != "admin":
        return _page(ctx, 403, error="只有管理员可以添加来源或采用新的选择器。")
    doing = {"detect": _detect, "save": _save, "apply": _apply}.get(ctx.form.get("what", ""))
    if doing is None:
        return _page(ctx, 400, error="未知的操作。")
    try:
        return doing(ctx)
    except (SourceError, ConfigError) as exc:
        return _page(ctx, 400, error=str(exc), asked=_asked(ctx))


def _asked(ctx: Ctx) -> dict[str, str]:
    return {k: ctx.form.get(k, "").strip()[:URL_CHARS] for k in ("url", "name", "group", "id")}


def _detect(ctx: Ctx) -> Response:
    asked = _asked(ctx)
    if not asked["url"].startswith(("http://", "https://")):
        return _page(ctx, 400, error="请填写以 http:// 或 https:// 开头的栏目地址。", asked=asked)
    config = ctx.desk.config()
    found = pipeline.detecting.detect(
        config,
        asked["url"],
        ctx.now,
        source_id=asked["id"],
        name=asked["name"],
        group=asked["group"],
    )
    problem = pipeline.detecting.unread(found)
    token = "" if problem else ctx.desk.detections.put(found.source)
    error = f"不能添加：{problem}" if problem else ""
    return _page(ctx, found=found, token=token, rows=_rows(found, ctx), asked=asked, error=error)


def _save(ctx: Ctx) -> Response:
    source = ctx.desk.detections.take(ctx.form.get("token", ""))
    if source is None:
        return _page(ctx, 400, error="这次识别已过期，请重新识别。")
    config = ctx.desk.config()
    comment = (
        f"added on the desk by {ctx.user.name} on {ctx.now.astimezone(config.site.zone):%Y-%m-%d}"
    )
    kept, diff = pipeline.detecting.save_source(config, source, comment, ctx.now)
    _record(ctx, "source-add", kept, diff, source.id)
    ctx.desk.config()  # read at once: the next crawl reads it
    return back(ctx, "/sources", f"已添加来源 {source.name}（{source.id}），上一版保存为 {kept}")


def _apply(ctx: Ctx) -> Response:
    source_id = ctx.form.get("source", "")
    config = ctx.desk.config()
    kept, diff = pipeline.redetecting.apply(config, ctx.desk.store, source_id, ctx.now)
    _record(ctx, "source-apply", kept, diff, source_id)
    ctx.desk.config()
    return back(ctx, "/sources", f"已采用 {source_id} 的新选择器，上一版保存为 {kept}")


def _record(ctx: Ctx, action: str, kept: str, diff: str, source_id: str) -> None:
    actor = Actor(ctx.user.name, ctx.now, ctx.address)
    try:
        ctx.desk.store.desk.record(
            actor, action, reason=source_id, before={"kept": kept}, after={"diff": diff}
        )
    except StoreError:  # no record, no change: the previous file goes back
        pipeline.restore_rules(ctx.desk.config(), kept)
        raise


def _rows(found: Detection, ctx: Ctx) -> list[tuple[str, str, str]]:
    zone = ctx.desk.config().site.zone
    rows = []
    for line in pipeline.detecting.preview(found.items, found.samples, PREVIEW):
        body = (
            f"✗ {line.error}"
            if line.error
            else ("（未读取）" if line.text is None else line.text[:60])
        )
        when = line.published
        day = when.astimezone(zone).strftime("%Y-%m-%d") if when else "（无日期）"
        rows.append((day, line.title, body))
    return rows


def _page(ctx: Ctx, status: int = 200, **context: Any) -> Response:
    config = ctx.desk.config()
    store = ctx.desk.store
    proposals = [
        (source, proposal, json.loads(proposal.titles))
        for source, proposal in pipeline.redetecting.applicable(config, store.proposals.all())
    ]
    found: Detection | None = context.get("found")
    entry = "\n".join(source_entry(found.source)) if found is not None else ""
    return page(
        ctx,
        "sources.html",
        status,
        **{
            "states": pipeline.status(config, store),
            "proposals": proposals,
            "entry": entry,
            "found": None,
            "token": "",
            "rows": [],
            "asked": {},
            "error": "",
            **context,
        },
    )

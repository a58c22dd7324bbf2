"""Routing from the desk (admins): try a candidate channels.yaml — its mistakes with
their lines, what it would move, the portal it would publish, built apart — then save
it, keeping the previous file; the desk and a running `hub schedule` read it at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from hub import pipeline
from hub.errors import ConfigError, StoreError
from hub.serve import site_file
from hub.serve.desk.pages import NotFoundError, back, page
from hub.store import Actor

if TYPE_CHECKING:
    from hub.serve.desk.app import Ctx

TEXT_CHARS = 2_000_000  # a channels.yaml larger than this is refused


def routing(ctx: Ctx) -> Response:
    """GET: the file on disk in an editor; POST: try it (what=preview) or save it."""
    config = ctx.desk.config()
    if ctx.request.method == "GET":
        text = config.path.read_text(encoding="utf-8")
        return page(ctx, "routing.html", text=text, errors=[], diff=None, preview="")
    text = ctx.form.get("text", "").replace("\r\n", "\n")
    if len(text) > TEXT_CHARS:
        refused = ["the file is too large"]
        return page(ctx, "routing.html", 400, text="", errors=refused, diff=None, preview="")
    store, now = ctx.desk.store, ctx.now
    what = ctx.form.get("what", "preview")
    try:
        if what == "save":
            kept, diff = pipeline.save_rules(config, text, now)
            actor = Actor(ctx.user.name, now, ctx.address)
            reason = ctx.form.get("reason", "")[:500]
            try:
                store.desk.record(
                    actor,
                    "routing-save",
                    reason=reason,
                    before={"kept": kept},
                    after={"diff": diff},
                )
            except StoreError:  # no record, no change: the previous file goes back
                pipeline.restore_rules(config, kept)
                raise
            ctx.desk.config()  # read at once: the next publish uses it
            ctx.desk.publisher.ask()
            return back(ctx, "/routing", f"已保存 channels.yaml（上一版保存为 {kept}）")
        token, folder = ctx.desk.previews.new()
        address = f"{ctx.request.base_url}routing/preview/{token}/"
        tried = pipeline.try_rules(config, text, store, now, (folder, address))
    except ConfigError as exc:
        errors = str(exc).splitlines()
        return page(ctx, "routing.html", 400, text=text, errors=errors, diff=None, preview="")
    built = f"/routing/preview/{token}/"
    return page(ctx, "routing.html", text=text, errors=[], diff=tried.diff, preview=built)


def preview_file(ctx: Ctx) -> Response:
    folder = ctx.desk.previews.folder(ctx.request.path_params["token"])
    if folder is None:
        raise NotFoundError("这个预览已过期，请重新预览。")
    return site_file(folder / "site", ctx.request)

"""The desk's pages and actions, one function each: a request in, a response out. The
guard (`app`) has already checked the session, the CSRF token and the role."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from hub.decisions import ROLES, Decision, may
from hub.errors import HubError
from hub.serve.desk import auth
from hub.serve.desk.actions import NEEDS, Doing, RefusedError, act
from hub.serve.desk.state import Desk, assets
from hub.serve.desk.views import LOG_PER_PAGE, PER_PAGE, Views, chosen, csv_lines, log_query
from hub.store import Actor

if TYPE_CHECKING:
    from hub.serve.desk.app import Ctx


class NotFoundError(HubError):
    pass


def render(desk: Desk, name: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    return HTMLResponse(desk.templates.render(name, context), status_code=status)


def page(ctx: Ctx, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    base = {
        "user": ctx.user,
        "csrf": ctx.csrf,
        "may": lambda action: may(ctx.user.role, NEEDS.get(action, action)),  # type: ignore[arg-type]
        "flash": ctx.desk.cookies.read_note(ctx.query("done")),
        "config_error": ctx.desk.config_error if ctx.user.role == "admin" else "",
        "publisher": ctx.desk.publisher,
        "path": ctx.request.url.path,
    }
    return render(ctx.desk, name, {**base, **context}, status)


def refused(desk: Desk, status: int, message: str) -> HTMLResponse:
    return render(desk, "problem.html", {"message": message, "user": None}, status)


def problem(ctx: Ctx, status: int, message: str) -> HTMLResponse:
    return page(ctx, "problem.html", status, message=message)


def forbidden(ctx: Ctx) -> HTMLResponse:
    return problem(ctx, 403, "您的角色不能进行这项操作。如需要，请联系管理员。")


def back(ctx: Ctx, path: str, done: str) -> RedirectResponse:
    note = ctx.desk.cookies.note(done)
    return RedirectResponse(f"{path}?{urlencode({'done': note})}", status_code=303)


# logging in and out ----------------------------------------------------------------------


def login(desk: Desk, request: Request, form: Mapping[str, str]) -> Response:
    """GET: the form; POST: check it. The form carries its own CSRF token (a cookie and
    a field that must match), so that no other site can log a browser in."""
    from hub.serve.desk.app import LOGIN_COOKIE, same_origin, set_session_cookie  # noqa: PLC0415

    config = desk.config()
    target = request.query_params.get("next", "/")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    if request.method == "GET":
        token = secrets.token_urlsafe(24)
        context = {"token": token, "next": target, "user": None, "name": "", "error": ""}
        response = render(desk, "login.html", context)
        secure = config.desk.secure_cookies
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure)
        return response
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    sent, expected = str(form.get("token", "")), request.cookies.get(LOGIN_COOKIE, "")
    origin_ok = same_origin(request, config.desk.public_url)
    if not sent or not expected or not auth.same(sent, expected) or not origin_ok:
        return refused(desk, 403, "登录表单已过期，请刷新页面后重新登录。")
    now = desk.clock()
    address = request.client.host if request.client else ""
    actor = Actor(name or "(无用户名)", now, address)
    wait = desk.limiter.blocked(name, address)
    if wait is not None:
        desk.store.desk.record(actor, "login-refused", reason="too many failed logins")
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        context = {"token": sent, "next": target, "user": None, "name": name}
        context["error"] = f"登录失败次数过多，请 {minutes} 分钟后再试。"
        return render(desk, "login.html", context, 429)
    user = desk.store.people.user(name)
    right = auth.verify_password(user.password_hash if user else "", password)  # always run
    if user is None or user.disabled or not right:
        desk.limiter.failed(name, address)
        desk.store.desk.record(actor, "login-failed")
        context = {"token": sent, "next": target, "user": None, "name": name}
        context["error"] = "用户名或密码不正确。"
        return render(desk, "login.html", context, 401)
    desk.limiter.succeeded(name)
    if auth.needs_rehash(user.password_hash):
        desk.store.people.rehash(user.name, auth.hash_password(password))
    cookie, token = desk.cookies.issue()
    csrf = secrets.token_urlsafe(32)
    desk.store.people.open_session(auth.token_hash(token), user.name, csrf, now)
    desk.store.desk.record(Actor(user.name, now, address), "login")
    answer = RedirectResponse(target, status_code=303)
    set_session_cookie(answer, cookie, config.desk.secure_cookies)
    answer.delete_cookie(LOGIN_COOKIE)
    return answer


def logout(ctx: Ctx) -> Response:
    from hub.serve.desk.app import COOKIE  # noqa: PLC0415

    token = ctx.desk.cookies.token(ctx.request.cookies.get(COOKIE, ""))
    if token is not None:
        ctx.desk.store.people.close_session(auth.token_hash(token))
    ctx.desk.store.desk.record(Actor(ctx.user.name, ctx.now, ctx.address), "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# the queue and the posts ---------------------------------------------------------------


def home(ctx: Ctx) -> Response:
    return RedirectResponse("/queue", status_code=303)


def queue(ctx: Ctx) -> Response:
    number = ctx.page_number()
    entries, total = Views(ctx.desk.config(), ctx.desk.store, ctx.now).queue(number)
    return page(ctx, "queue.html", entries=entries, total=total, number=number, per=PER_PAGE)


def review(ctx: Ctx) -> Response:
    """Approve or reject the posts ticked on the queue, at once."""
    verdict = ctx.form.get("verdict", "")
    ids = chosen(ctx.lists.get("ids", []))
    if verdict not in ("approve", "reject"):
        raise RefusedError("choose 通过 or 退回")
    if not ids:
        raise RefusedError("tick at least one post")
    reason = ctx.form.get("reason", "").strip()[:500]
    if verdict == "reject" and not reason:
        raise RefusedError("a rejection needs a reason, for the department and the log")
    store = ctx.desk.store
    found = store.posts_of(ids[: PER_PAGE * 4])
    decided = store.desk.decisions_of([p.post.id for p in found])
    # only the versions the reviewer saw: a post changed since waits for another look
    versions = {
        p.post.id: seen
        for p in found
        if (seen := ctx.form.get(f"v-{p.post.id}", ""))
        == decided.get(p.post.id, Decision(p.post.id)).version(p.post.hash)
    }
    actor = Actor(ctx.user.name, ctx.now, ctx.address)
    store.desk.review(versions, actor, "approved" if verdict == "approve" else "rejected", reason)
    ctx.desk.publisher.ask()
    done = f"{'已通过' if verdict == 'approve' else '已退回'} {len(versions)} 篇"
    if len(versions) < len(found):
        done += f"；{len(found) - len(versions)} 篇在您打开之后有改动，未处理，请再看一遍"
    return back(ctx, "/queue", done)


def posts(ctx: Ctx) -> Response:
    number, words = ctx.page_number(), ctx.query("q").strip()[:100]
    entries, total = Views(ctx.desk.config(), ctx.desk.store, ctx.now).posts(words, number)
    return page(
        ctx, "posts.html", entries=entries, total=total, number=number, per=PER_PAGE, q=words
    )


def findings(ctx: Ctx) -> Response:
    number = ctx.page_number()
    entries, total = Views(ctx.desk.config(), ctx.desk.store, ctx.now).flagged(number)
    return page(ctx, "findings.html", entries=entries, total=total, number=number, per=PER_PAGE)


def _post(ctx: Ctx) -> Any:
    found = ctx.desk.store.find(ctx.request.path_params["post_id"])
    if found is None:
        raise NotFoundError("没有这篇稿件。")
    return found


def post(ctx: Ctx) -> Response:
    config = ctx.desk.config()
    views = Views(config, ctx.desk.store, ctx.now)
    entry = views.one(_post(ctx))
    history = ctx.desk.store.desk.entries(
        log_query({"post": entry.post.post.id}, config.site.zone), 50
    )
    attachments = entry.post.post.attachments
    return page(
        ctx,
        "post.html",
        entry=entry,
        attached=ctx.desk.store.attachments.of(a.url for a in attachments) if attachments else {},
        channels=config.channels,
        lead=ctx.desk.store.desk.setting("lead") == entry.post.post.id,
        history=history,
    )


def action(ctx: Ctx) -> Response:
    name = ctx.request.path_params["action"]
    if name not in NEEDS:
        raise NotFoundError("没有这项操作。")
    if not may(ctx.user.role, NEEDS[name]):
        return forbidden(ctx)
    found = _post(ctx)
    actor = Actor(ctx.user.name, ctx.now, ctx.address)
    doing = Doing(ctx.desk.config(), ctx.desk.store, actor, name, found, ctx.form, ctx.user.role)
    done = act(doing)
    ctx.desk.publisher.ask()
    return back(ctx, f"/posts/{found.post.id}", done)


# the log -----------------------------------------------------------------------------------


def log_page(ctx: Ctx) -> Response:
    zone = ctx.desk.config().site.zone
    filters = {k: ctx.query(k)[:100] for k in ("user", "action", "post", "since", "until")}
    query = log_query(filters, zone)
    number = ctx.page_number()
    entries = ctx.desk.store.desk.entries(query, LOG_PER_PAGE, (number - 1) * LOG_PER_PAGE)
    total = ctx.desk.store.desk.count(query)
    export = "/log.csv?" + urlencode({k: v for k, v in filters.items() if v})
    return page(
        ctx,
        "log.html",
        entries=entries,
        total=total,
        number=number,
        per=LOG_PER_PAGE,
        filters=filters,
        export=export,
    )


def log_csv(ctx: Ctx) -> Response:
    zone = ctx.desk.config().site.zone
    filters = {k: ctx.query(k)[:100] for k in ("user", "action", "post", "since", "until")}
    lines = csv_lines(ctx.desk.store.desk.export(log_query(filters, zone)), zone)
    stamp = ctx.now.astimezone(zone).strftime("%Y%m%d-%H%M")
    headers = {"content-disposition": f'attachment; filename="hub-log-{stamp}.csv"'}
    return StreamingResponse(_chunks(lines), media_type="text/csv; charset=utf-8", headers=headers)


def _chunks(lines: Iterator[str], size: int = 2000) -> Iterator[bytes]:
    """Lines sent a few thousand at a time: each chunk of a streamed answer costs a hop
    to a worker thread and back."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    if batch:
        yield "".join(batch).encode("utf-8")


# users -------------------------------------------------------------------------------------


def users(ctx: Ctx) -> Response:
    people, actor = ctx.desk.store.people, Actor(ctx.user.name, ctx.now, ctx.address)
    if ctx.request.method == "POST":
        done = _change_user(ctx, actor)
        return back(ctx, "/users", done)
    return page(ctx, "users.html", people=people.users(), roles=ROLES)


def _change_user(ctx: Ctx, actor: Actor) -> str:
    people, form = ctx.desk.store.people, ctx.form
    if (
        form.get("what") in ("add", "password")
        and len(form.get("password", "")) < auth.MIN_PASSWORD
    ):
        raise RefusedError(f"a password needs at least {auth.MIN_PASSWORD} characters")
    name, what = form.get("name", "").strip(), form.get("what", "")
    role = form.get("role", "")
    if what == "add":
        if role not in ROLES:
            raise RefusedError("a new user needs a role")
        try:
            name = auth.check_name(name)
        except HubError as exc:
            raise RefusedError(str(exc)) from exc
        if people.user(name) is not None:
            raise RefusedError(f"there is already a user named {name!r}")
        people.add(name, role, auth.hash_password(form.get("password", "")), actor)
        return f"已添加用户 {name}"
    if people.user(name) is None:
        raise NotFoundError("没有这个用户。")
    if name == ctx.user.name and what in ("disable", "role"):
        raise RefusedError("you cannot disable yourself or change your own role")
    if what == "role" and role in ROLES:
        people.update(name, actor, "user-role", role=role)
    elif what in ("disable", "enable"):
        people.update(name, actor, f"user-{what}", disabled=what == "disable")
    elif what == "password":
        people.update(
            name, actor, "user-passwd", password_hash=auth.hash_password(form.get("password", ""))
        )
    else:
        raise RefusedError("unknown change")
    return f"已修改用户 {name}"


# small things -------------------------------------------------------------------------------


def status(ctx: Ctx) -> Response:
    """What the publisher is doing, for the page's script."""
    publisher = ctx.desk.publisher
    return JSONResponse(
        {"asked": publisher.asked, "done": publisher.done, "error": publisher.error},
        headers={"cache-control": "no-store"},
    )


async def stylesheet(request: Request) -> Response:
    return FileResponse(assets() / "desk.css", headers={"cache-control": "no-cache"})


async def script(request: Request) -> Response:
    return FileResponse(assets() / "desk.js", headers={"cache-control": "no-cache"})

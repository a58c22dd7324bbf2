"""The editors' desk over HTTP: sessions, CSRF, roles, and the pages and actions.

Every page but /login needs a session (else: a redirect to /login). Every POST needs the
session's CSRF token (a hidden field, or the X-CSRF-Token header) and a same-origin
Origin header when the browser sends one (else: 403, and nothing changes). Each action
checks the user's role on the server (403 when it may not). Every action and every
login, failed or not, is on the desk's log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from hub.decisions import User, may
from hub.errors import HubError
from hub.serve.desk import pages, rules, sourcing
from hub.serve.desk.actions import DeniedError, RefusedError
from hub.serve.desk.auth import same, token_hash
from hub.serve.desk.state import Desk

COOKIE = "hub_desk"
LOGIN_COOKIE = "hub_desk_login"  # the login form's CSRF token, before any session
TOUCH_EVERY = timedelta(seconds=60)  # a session's last use is written at most this often
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Ctx:
    """One request at the desk, once it is let in."""

    request: Request
    desk: Desk
    user: User
    csrf: str
    form: dict[str, str]
    lists: dict[str, list[str]]
    now: datetime

    @property
    def address(self) -> str:
        return self.request.client.host if self.request.client else ""

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def page_number(self) -> int:
        value = self.query("page", "1")
        ok = value.isascii() and value.isdigit() and 0 < int(value) < 100_000
        return int(value) if ok else 1


Handler = Callable[[Ctx], Response]


MAX_BODY = 2 * 1024 * 1024  # bytes of a form: a channels.yaml, a page of ticked posts
MAX_LOGIN = 16 * 1024


def _too_large(request: Request, limit: int) -> Response | None:
    """A POST without a length, or over `limit`, is refused before it is read."""
    length = request.headers.get("content-length", "")
    if not (length.isascii() and length.isdigit()):
        return PlainTextResponse("a form needs a Content-Length\n", status_code=411)
    if int(length) > limit:
        return PlainTextResponse("the form is too large\n", status_code=413)
    return None


async def _read(request: Request, fields: int) -> tuple[dict[str, str], dict[str, list[str]]]:
    data = await request.form(max_files=0, max_fields=fields)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    lists = {k: [v for v in data.getlist(k) if isinstance(v, str)] for k in data}
    return form, lists


def make_app(desk: Desk) -> Starlette:
    def guarded(handler: Handler, role: str = "editor") -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            response = await _answer(request, handler, role)
            response.headers.update(HEADERS)
            return response

        async def _answer(request: Request, handler: Handler, role: str) -> Response:
            if request.method == "POST":
                refused = _too_large(request, MAX_BODY)
                if refused is not None:
                    return refused
            now = desk.clock()
            session = await run_in_threadpool(_session, desk, request, now)
            if session is None:  # no session, no reading: a stranger's body costs nothing
                return _to_login(request)
            form: dict[str, str] = {}
            lists: dict[str, list[str]] = {}
            if request.method == "POST":
                form, lists = await _read(request, 2000)
            incoming = Incoming(request, form, lists, now)
            return await run_in_threadpool(_guard, desk, incoming, session, handler, role)

        return endpoint

    async def login_page(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            refused = _too_large(request, MAX_LOGIN)
            if refused is not None:
                return refused
            form, _ = await _read(request, 20)
        response = await run_in_threadpool(pages.login, desk, request, form)
        response.headers.update(HEADERS)
        return response

    return Starlette(
        routes=[
            Route("/login", login_page, methods=["GET", "POST"]),
            Route("/logout", guarded(pages.logout), methods=["POST"]),
            Route("/", guarded(pages.home)),
            Route("/queue", guarded(pages.queue), methods=["GET"]),
            Route("/queue", guarded(pages.review, "reviewer"), methods=["POST"]),
            Route("/posts", guarded(pages.posts)),
            Route("/findings", guarded(pages.findings)),
            Route("/posts/{post_id}", guarded(pages.post)),
            Route("/posts/{post_id}/{action}", guarded(pages.action), methods=["POST"]),
            Route("/log", guarded(pages.log_page)),
            Route("/log.csv", guarded(pages.log_csv)),
            Route("/users", guarded(pages.users, "admin"), methods=["GET", "POST"]),
            Route("/routing", guarded(rules.routing, "admin"), methods=["GET", "POST"]),
            Route("/routing/preview/{token}/{path:path}", guarded(rules.preview_file, "admin")),
            Route("/status", guarded(pages.status)),
            Route("/sources", guarded(sourcing.sources), methods=["GET", "POST"]),
            Route("/desk.css", pages.stylesheet),
            Route("/desk.js", pages.script),
        ],
    )


@dataclass(frozen=True)
class Incoming:
    request: Request
    form: dict[str, str]
    lists: dict[str, list[str]]
    now: datetime


CSRF_REFUSED = "这个请求没有有效的安全令牌（CSRF），未做任何修改。请刷新页面后重试。"


def _guard(
    desk: Desk, incoming: Incoming, session: tuple[User, str], handler: Handler, role: str
) -> Response:
    """The request of a signed-in user: its CSRF token, its role, then the handler."""
    user, csrf = session
    if incoming.request.method == "POST" and not _csrf_ok(desk, incoming, csrf):
        return pages.refused(desk, 403, CSRF_REFUSED)
    ctx = Ctx(incoming.request, desk, user, csrf, incoming.form, incoming.lists, incoming.now)
    if not may(user.role, role):  # type: ignore[arg-type]
        return pages.forbidden(ctx)
    try:
        return handler(ctx)
    except HubError as exc:
        status = {RefusedError: 400, DeniedError: 403, pages.NotFoundError: 404}.get(type(exc), 500)
        return pages.problem(ctx, status, str(exc))


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _csrf_ok(desk: Desk, incoming: Incoming, csrf: str) -> bool:
    sent = incoming.form.get("csrf") or incoming.request.headers.get("x-csrf-token", "")
    public = desk.config().desk.public_url
    return bool(sent) and same(sent, csrf) and same_origin(incoming.request, public)


def _session(desk: Desk, request: Request, now: datetime) -> tuple[User, str] | None:
    """The signed-in user and the session's CSRF token, or None."""
    token = desk.cookies.token(request.cookies.get(COOKIE, ""))
    if token is None:
        return None
    key = token_hash(token)
    found = desk.store.people.session(key)
    if found is None:
        return None
    name, csrf, seen = found
    if now - seen > timedelta(seconds=desk.config().desk.idle):
        desk.store.people.close_session(key)
        return None
    user = desk.store.people.user(name)
    if user is None or user.disabled:
        return None
    if now - seen > TOUCH_EVERY:
        desk.store.people.touch(key, now)
    return user, csrf


def same_origin(request: Request, public_url: str = "") -> bool:
    """A browser's Origin (or Referer), when it sends one, names this desk: its address
    as the browser reached it (`desk.public_url`, behind a proxy), else the Host."""
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin or origin == "null":
        return not origin
    expected = urlsplit(public_url).netloc if public_url else request.headers.get("host", "")
    return urlsplit(origin).netloc == expected


def set_session_cookie(response: Response, value: str, secure: bool) -> None:
    """A browser-session cookie: the server ends the session after `desk.idle` without
    use (and the browser when it closes)."""
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", secure=secure)

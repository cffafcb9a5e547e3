"""Endpoint wrappers: every /staff page checks the session and role; every POST also the
session's CSRF token.

Handlers are plain synchronous functions ``handler(cx) -> Response`` run in a
worker thread (they use the sync DB session); the wrapper does the async parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot.console import session as sess
from bot.console.scope import StaffUser
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db.session import transaction

Endpoint = Callable[[Request], Any]


@dataclass
class Cx:
    """One console request: who, what they sent, and the app's runtime."""

    request: Request
    rt: Runtime
    user: StaffUser
    csrf: str
    form: Mapping[str, str] = field(default_factory=dict)
    session_key: str = ""  # the server-side session this request belongs to

    def param(self, name: str) -> str:
        return str(self.request.path_params.get(name, ""))

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def field(self, name: str, default: str = "") -> str:
        return self.form.get(name, default).strip()


Handler = Callable[[Cx], Response]


def forbidden(message: str = "无权访问") -> Response:
    return PlainTextResponse(f"403 {message}", status_code=403)


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def cookies(request: Request) -> sess.Cookies:
    s = runtime(request).settings
    return sess.cookies_for(request, s.cookie_secure, s.public_url)


def client_address(request: Request) -> str:
    """The client's address (a trusted proxy's X-Forwarded-For already applied)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Login:
    user: StaffUser
    session_key: str


def load_login(rt: Runtime, request: Request) -> Login | None:
    token = sess.session_token(request, cookies(request))
    if not token:
        return None
    with transaction(rt.sessions) as session:
        opened = staff_repo.session_of(session, token, rt.clock.now())
        if opened is None:
            return None
        s = opened.staff
        return Login(StaffUser(s.id, s.username, s.display_name, s.role, s.region_code), opened.key)


def _to_login(request: Request) -> Response:
    return RedirectResponse("/staff/login?next=" + quote(request.url.path), status_code=303)


def page(handler: Handler, role: str = "staff") -> Endpoint:
    """A GET endpoint for logged-in staff of at least ``role``."""

    async def endpoint(request: Request) -> Response:
        rt = runtime(request)
        login = await run_in_threadpool(load_login, rt, request)
        if login is None:
            return _to_login(request)
        if not login.user.at_least(role):
            return forbidden("您的角色无权使用此功能")
        csrf = sess.csrf_token(rt.settings.secret_key, login.session_key)
        cx = Cx(request, rt, login.user, csrf, session_key=login.session_key)
        return secured(await run_in_threadpool(handler, cx))

    return endpoint


def action(handler: Handler, role: str = "staff") -> Endpoint:
    """A POST endpoint: a session, then its CSRF token (403 without), then the role."""

    async def endpoint(request: Request) -> Response:
        rt = runtime(request)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        token = form.get(sess.CSRF_FIELD) or request.headers.get(sess.CSRF_HEADER)
        login = await run_in_threadpool(load_login, rt, request)
        if login is None:
            return RedirectResponse("/staff/login", status_code=303)  # nothing ran
        if not sess.csrf_ok(rt.settings.secret_key, login.session_key, token):
            return forbidden("表单已失效（CSRF 校验失败），请刷新页面后重试")
        if not login.user.at_least(role):
            return forbidden("您的角色无权执行此操作")
        cx = Cx(request, rt, login.user, str(token), form, login.session_key)
        return secured(await run_in_threadpool(handler, cx))

    return endpoint


def secured(response: Response) -> Response:
    """Console responses hold personal data: never cached. (Every response of the app also
    gets the security headers of ``bot.web.headers``.)"""
    response.headers.setdefault("Cache-Control", "no-store")
    return response

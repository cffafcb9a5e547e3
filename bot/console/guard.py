"""Endpoint wrappers: every /staff page checks the session and role; every POST the CSRF token.

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
from db.models import Staff
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
    set_csrf_cookie: bool = False

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


def load_user(rt: Runtime, request: Request) -> StaffUser | None:
    data = sess.read_session(request, rt.settings.secret_key)
    if data is None:
        return None
    with transaction(rt.sessions) as session:
        staff = session.get(Staff, data.staff_id)
        if (
            staff is None
            or not staff.active
            or sess.fingerprint(staff.password_hash) != data.fingerprint
        ):
            return None
        return StaffUser(
            staff.id, staff.username, staff.display_name, staff.role, staff.region_code
        )


def page(handler: Handler, role: str = "staff") -> Endpoint:
    """A GET endpoint for logged-in staff of at least ``role``."""

    async def endpoint(request: Request) -> Response:
        rt = runtime(request)
        user = await run_in_threadpool(load_user, rt, request)
        if user is None:
            return RedirectResponse("/staff/login?next=" + quote(request.url.path), status_code=303)
        if not user.at_least(role):
            return forbidden("您的角色无权使用此功能")
        nonce = sess.csrf_cookie(request)
        cx = Cx(request, rt, user, "", set_csrf_cookie=nonce is None)
        nonce = nonce or sess.new_nonce()
        cx.csrf = sess.csrf_token(rt.settings.secret_key, nonce)
        response = await run_in_threadpool(handler, cx)
        if cx.set_csrf_cookie:
            sess.set_cookie(request, response, sess.CSRF_COOKIE, nonce, sess.SESSION_HOURS * 3600)
        return secured(response)

    return endpoint


def action(handler: Handler, role: str = "staff") -> Endpoint:
    """A POST endpoint: CSRF first (403 without a valid token), then session and role."""

    async def endpoint(request: Request) -> Response:
        rt = runtime(request)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        token = form.get(sess.CSRF_FIELD) or request.headers.get(sess.CSRF_HEADER)
        if not sess.csrf_ok(rt.settings.secret_key, sess.csrf_cookie(request), token):
            return forbidden("表单已失效（CSRF 校验失败），请刷新页面后重试")
        user = await run_in_threadpool(load_user, rt, request)
        if user is None:
            return RedirectResponse("/staff/login", status_code=303)
        if not user.at_least(role):
            return forbidden("您的角色无权执行此操作")
        cx = Cx(request, rt, user, str(token), form)
        return secured(await run_in_threadpool(handler, cx))

    return endpoint


def secured(response: Response) -> Response:
    """Headers for every console response: no framing, no caching of PII, local assets only."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    )
    return response

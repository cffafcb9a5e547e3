"""Log in, log out, change password. Failed logins count toward a lockout (db.staff)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.console import session as sess
from bot.console.guard import Cx, forbidden, runtime, secured
from bot.console.views import back, render
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db.session import transaction

LOCKED_TEXT = (
    f"登录失败次数过多，账户已临时锁定 {staff_repo.LOCK_MINUTES} 分钟，请稍后再试或联系管理员。"
)
FAILED_TEXT = "用户名或密码不正确。"


def _safe_next(target: str) -> str:
    return target if target.startswith("/staff") and not target.startswith("//") else "/staff"


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    rt = runtime(request)
    nonce = sess.csrf_cookie(request) or sess.new_nonce()
    html = request.app.state.templates.get_template("staff/login.html").render(
        csrf=sess.csrf_token(rt.settings.secret_key, nonce),
        error=error,
        next=_safe_next(request.query_params.get("next", "/staff")),
    )
    response = HTMLResponse(html, status_code=status)
    if sess.csrf_cookie(request) != nonce:
        sess.set_cookie(request, response, sess.CSRF_COOKIE, nonce, sess.SESSION_HOURS * 3600)
    return secured(response)


async def login_page(request: Request) -> Response:
    return _login_page(request)


def _check(rt: Runtime, username: str, password: str) -> tuple[int, str] | str:
    """(staff id, password hash) on success, otherwise the message to show."""
    with transaction(rt.sessions) as session:
        staff = staff_repo.authenticate(session, username, password)
        if staff is not None:
            return staff.id, staff.password_hash
        known = staff_repo.by_username(session, username)
        return LOCKED_TEXT if known is not None and staff_repo.is_locked(known) else FAILED_TEXT


async def login_submit(request: Request) -> Response:
    rt = runtime(request)
    form = await request.form()
    token = form.get(sess.CSRF_FIELD)
    if not sess.csrf_ok(
        rt.settings.secret_key, sess.csrf_cookie(request), token if isinstance(token, str) else None
    ):
        return secured(forbidden("表单已失效（CSRF 校验失败），请刷新页面后重试"))
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:256]
    result = await run_in_threadpool(_check, rt, username, password)
    if isinstance(result, str):
        return _login_page(request, result, 401)
    response = RedirectResponse(_safe_next(str(form.get("next", "/staff"))), status_code=303)
    sess.start_session(request, response, rt.settings.secret_key, result[0], result[1])
    return secured(response)


def logout(cx: Cx) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    sess.end_session(response)
    return response


def password_page(cx: Cx) -> Response:
    return render(cx, "password.html", error="")


def password_submit(cx: Cx) -> Response:
    old, new, again = cx.form.get("old", ""), cx.form.get("new", ""), cx.form.get("again", "")
    error = ""
    with transaction(cx.rt.sessions) as session:
        staff = staff_repo.by_username(session, cx.user.username)
        if staff is None or staff_repo.authenticate(session, cx.user.username, old) is None:
            error = "原密码不正确。"
        elif new != again:
            error = "两次输入的新密码不一致。"
        else:
            try:
                staff_repo.set_password(session, staff, new, cx.user.actor)
            except staff_repo.StaffError:
                error = "新密码至少 8 位。"
            else:
                password_hash = staff.password_hash
    if error:
        return render(cx, "password.html", status_code=422, error=error)
    response = back("/staff", "password")
    sess.start_session(cx.request, response, cx.rt.settings.secret_key, cx.user.id, password_hash)
    return response

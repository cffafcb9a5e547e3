"""Log in, log out, change password.

Failed logins are throttled per username and per client address (``db.staff``); every
refusal says the same for a known and an unknown name, after the same argon2 work.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.console import session as sess
from bot.console.guard import Cx, client_address, cookies, forbidden, runtime, secured
from bot.console.views import back, render
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db.session import transaction

LOCKED_TEXT = (
    f"登录失败次数过多，已临时锁定 {staff_repo.LOCK_MINUTES} 分钟，请稍后再试或请管理员解锁。"
)
FAILED_TEXT = "用户名或密码不正确。"
HTTPS_TEXT = "本系统须通过 https 地址登录（当前为 http），否则浏览器不会保存登录状态。"
_NEXT = re.compile(r"/staff(?:/[\w\-./]*)?(?:\?[\w\-.=&%]*)?")


def _safe_next(target: str) -> str:
    """Only a plain path inside the console (no //, .., backslash or scheme)."""
    ok = _NEXT.fullmatch(target) and "//" not in target and ".." not in target
    return target if ok else "/staff"


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    rt = runtime(request)
    c = cookies(request)
    nonce = sess.login_nonce(request, c) or sess.new_nonce()
    html = request.app.state.templates.get_template("staff/login.html").render(
        csrf=sess.login_token(rt.settings.secret_key, nonce),
        error=error,
        notice=HTTPS_TEXT if c.secure and request.url.scheme != "https" else "",
        lock_minutes=staff_repo.LOCK_MINUTES,
        next=_safe_next(request.query_params.get("next", "/staff")),
    )
    response = HTMLResponse(html, status_code=status)
    if sess.login_nonce(request, c) != nonce:
        sess.set_login_nonce(response, c, nonce)
    return secured(response)


async def login_page(request: Request) -> Response:
    return _login_page(request)


def _log_in(rt: Runtime, username: str, password: str, client: str) -> str | tuple[str]:
    """(session token,) on success, otherwise the message to show."""
    now = rt.clock.now()
    attempt = staff_repo.begin_login(rt.sessions, username, client, now)
    if attempt is None:
        return LOCKED_TEXT
    ok = staff_repo.check_password(attempt, password)
    with transaction(rt.sessions) as session:
        staff = staff_repo.finish_login(session, attempt, ok, password, now)
        if staff is None:
            if attempt.last_chance:
                rt.metrics.lockouts.inc()  # this failure reached a limit: a lock starts
                return LOCKED_TEXT
            return FAILED_TEXT
        token = staff_repo.start_session(session, staff, client, now)
    with transaction(rt.sessions) as session:
        staff_repo.forget_old(session, now)
    return (token,)


async def login_submit(request: Request) -> Response:
    rt = runtime(request)
    c = cookies(request)
    form = await request.form()
    token = form.get(sess.CSRF_FIELD)
    if not sess.login_token_ok(
        rt.settings.secret_key,
        sess.login_nonce(request, c),
        token if isinstance(token, str) else None,
    ):
        return secured(forbidden("表单已失效（CSRF 校验失败），请刷新页面后重试"))
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:256]
    result = await run_in_threadpool(_log_in, rt, username, password, client_address(request))
    if isinstance(result, str):
        return _login_page(request, result, 401)
    response = RedirectResponse(_safe_next(str(form.get("next", "/staff"))), status_code=303)
    sess.set_session(response, c, result[0])
    return secured(response)


def logout(cx: Cx) -> Response:
    with transaction(cx.rt.sessions) as session:
        staff_repo.end_session(session, cx.session_key)
        staff_repo.audit(session, cx.user.actor, "logout", cx.user.username)
    response = RedirectResponse("/staff/login", status_code=303)
    sess.clear_session(response, cookies(cx.request))
    return response


def password_page(cx: Cx) -> Response:
    return render(cx, "password.html", error="")


def _change_password(cx: Cx, old: str, new: str, again: str) -> str | tuple[str]:
    """(new session token,) on success, else the error. Wrong old passwords count toward the
    name's login limit (a borrowed session cannot guess the password)."""
    now = cx.rt.clock.now()
    key = staff_repo.user_key(cx.user.username)
    with transaction(cx.rt.sessions) as session:
        if staff_repo.count_attempt(session, key, staff_repo.MAX_FAILURES, now) > (
            staff_repo.MAX_FAILURES
        ):
            return LOCKED_TEXT
        staff = staff_repo.by_username(session, cx.user.username)
        current = staff.password_hash if staff else ""
    right = staff_repo.verify_password(current, old)  # argon2 outside any transaction
    with transaction(cx.rt.sessions) as session:
        if not right:
            staff_repo.audit(session, cx.user.actor, "password_change_failed", cx.user.username)
            return "原密码不正确。"
        staff_repo.clear(session, key)
    if new != again:
        return "两次输入的新密码不一致。"
    with transaction(cx.rt.sessions) as session:
        staff = staff_repo.by_username(session, cx.user.username)
        if staff is None or staff.password_hash != current:
            return "原密码不正确。"
        try:
            staff_repo.set_password(session, staff, new, cx.user.actor)  # ends every session
        except staff_repo.StaffError:
            return "新密码至少 8 位。"
        return (staff_repo.start_session(session, staff, client_address(cx.request), now),)


def password_submit(cx: Cx) -> Response:
    result = _change_password(
        cx, cx.form.get("old", ""), cx.form.get("new", ""), cx.form.get("again", "")
    )
    if isinstance(result, str):
        return render(cx, "password.html", status_code=422, error=result)
    response = back("/staff", "password")
    sess.set_session(response, cookies(cx.request), result[0])  # this browser stays logged in
    return response

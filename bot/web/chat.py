"""The web chat `/chat`: the same engine, keyed by a signed cookie id."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.shell import handle
from intents.turn import Inbound

COOKIE = "vetbot_chat"
MAX_TEXT = 2000


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.runtime.settings.secret_key, salt="chat")


def chat_user(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _signer(request).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


async def chat_page(request: Request) -> Response:
    user = chat_user(request) or "w-" + secrets.token_hex(8)
    html = request.app.state.templates.get_template("chat.html").render(title="退役军人服务助手")
    response = HTMLResponse(html)
    _set_cookie(request, response, user)
    return response


async def chat_send(request: Request) -> Response:
    user = chat_user(request)
    if user is None:
        return JSONResponse({"error": "请刷新页面后再试"}, status_code=400)
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "invalid JSON"}, status_code=400)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return JSONResponse({"error": "missing 'text'"}, status_code=422)
    rt = request.app.state.runtime
    inbound = Inbound(channel="web", user_id=user, text=text[:MAX_TEXT], at=dt.datetime.now(dt.UTC))
    handled = await run_in_threadpool(handle, rt, inbound)
    return JSONResponse({"replies": [{"text": r.text, "options": list(r.options)} for r in handled.replies]})


def _set_cookie(request: Request, response: Response, user: str) -> None:
    response.set_cookie(
        COOKIE,
        _signer(request).dumps(user),
        max_age=60 * 60 * 24 * 30,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )

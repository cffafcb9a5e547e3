"""The web chat `/chat`: the same engine, keyed by a signed cookie id."""

from __future__ import annotations

import json
import re
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, handle
from bot.shell.inbox import receive
from db import conversations
from db.models import Message
from db.session import transaction
from intents.turn import Inbound

COOKIE = "vetbot_chat"
MAX_TEXT = 2000
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the page's id for one message (kept on retries)


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
    inbound = Inbound(channel="web", user_id=user, text=text[:MAX_TEXT], at=rt.clock.now())
    handled = await run_in_threadpool(_store_and_handle, rt, inbound, _message_key(user, body))
    return JSONResponse(
        {"replies": [{"text": r.text, "options": list(r.options)} for r in handled.replies]}
    )


def _message_key(user: str, body: dict[str, object]) -> str:
    """The page sends an id with each message and keeps it when it resends after a network
    error, so a resent message is answered once; without one, every message is new."""
    raw = body.get("id")
    client_id = raw if isinstance(raw, str) and CLIENT_ID.fullmatch(raw) else secrets.token_hex(8)
    return f"{user}:{client_id}"


def _store_and_handle(rt: Runtime, inbound: Inbound, key: str) -> Handled:
    receive(rt, [(inbound, key)])  # durable first: a crash mid-step is finished after restart
    try:
        return handle(rt, inbound, dedupe_key=key)
    except IntegrityError:  # the same message sent twice at once: the other one won
        return handle(rt, inbound, dedupe_key=key)


async def chat_poll(request: Request) -> Response:
    """GET /chat/poll?after=ID: what staff sent to this web user since ID (replies,
    notices, the satisfaction question). Without ``after`` only the cursor is returned."""
    user = chat_user(request)
    if user is None:
        return JSONResponse({"after": 0, "messages": []})
    raw = request.query_params.get("after", "")
    after = int(raw) if raw.isdigit() else None
    rows, cursor = await run_in_threadpool(_staff_lines, request.app.state.runtime, user, after)
    return JSONResponse({"after": cursor, "messages": rows})


def _staff_lines(rt: Runtime, user: str, after: int | None) -> tuple[list[dict[str, object]], int]:
    with transaction(rt.sessions) as session:
        conv = conversations.find(session, "web", user)
        if conv is None:
            return [], after or 0
        staff_out = select(Message).where(
            Message.conversation_id == conv.id,
            Message.direction == "out",
            Message.sender.startswith("staff:"),
        )
        if after is None:
            last = session.scalar(
                select(func.max(Message.id)).where(Message.conversation_id == conv.id)
            )
            return [], int(last or 0)
        rows = list(
            session.scalars(staff_out.where(Message.id > after).order_by(Message.id).limit(50))
        )
        lines = [{"text": m.text, "options": json.loads(m.options_json or "[]")} for m in rows]
        return lines, rows[-1].id if rows else after


def _set_cookie(request: Request, response: Response, user: str) -> None:
    response.set_cookie(
        COOKIE,
        _signer(request).dumps(user),
        max_age=60 * 60 * 24 * 30,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )

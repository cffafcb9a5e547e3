"""The web chat `/chat`: the same engine, keyed by a signed cookie id."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.process.runtime import Runtime
from bot.shell.inbound import handle, read_state
from bot.shell.inbox import receive
from db import conversations
from db.models import Conversation, Message, Staff
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


STALE = "这个问题已经结束了。请看下面最新的消息，或直接打字告诉我您要办什么。"
HISTORY = 60  # lines shown when the page opens
SEEN_EVERY = dt.timedelta(seconds=10)  # how often an open page's poll is written down


async def chat_send(request: Request) -> Response:
    """POST /chat/send {text, id?, offered?}: ``offered`` is the id of the message whose
    option button was tapped; a button of an earlier question is answered :data:`STALE`
    instead of being read as a choice in whatever step is current."""
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
    offered = body.get("offered")
    if isinstance(offered, int) and await run_in_threadpool(_is_stale, rt, user, offered):
        return JSONResponse({"replies": [{"text": STALE, "options": []}], "stale": True})
    inbound = Inbound(channel="web", user_id=user, text=text[:MAX_TEXT], at=rt.clock.now())
    replies = await run_in_threadpool(_store_and_handle, rt, inbound, _message_key(user, body))
    return JSONResponse({"replies": replies})


def _message_key(user: str, body: dict[str, object]) -> str:
    """The page sends an id with each message and keeps it when it resends after a network
    error, so a resent message is answered once; without one, every message is new."""
    raw = body.get("id")
    client_id = raw if isinstance(raw, str) and CLIENT_ID.fullmatch(raw) else secrets.token_hex(8)
    return f"{user}:{client_id}"


def _store_and_handle(rt: Runtime, inbound: Inbound, key: str) -> list[dict[str, object]]:
    before = _last_id(rt, inbound.user_id)
    receive(rt, [(inbound, key)])  # durable first: a crash mid-step is finished after restart
    try:
        handled = handle(rt, inbound, dedupe_key=key)
    except IntegrityError:  # the same message sent twice at once: the other one won
        handled = handle(rt, inbound, dedupe_key=key)
    out: list[dict[str, object]] = [
        {"text": r.text, "options": list(r.options)} for r in handled.replies
    ]
    ids = _bot_lines_after(rt, inbound.user_id, before)
    if len(ids) == len(out):  # the stored lines of these replies: their options are tied to them
        for line, msg_id in zip(out, ids, strict=True):
            line["id"] = msg_id
    return out


def _last_id(rt: Runtime, user: str) -> int:
    with transaction(rt.sessions) as session:
        conv = conversations.find(session, "web", user)
        if conv is None:
            return 0
        last = session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conv.id)
        )
        return int(last or 0)


def _bot_lines_after(rt: Runtime, user: str, after: int) -> list[int]:
    with transaction(rt.sessions) as session:
        conv = conversations.find(session, "web", user)
        if conv is None:
            return []
        stmt = select(Message.id).where(
            Message.conversation_id == conv.id,
            Message.id > after,
            Message.direction == "out",
            Message.sender == "bot",
        )
        return list(session.scalars(stmt.order_by(Message.id)))


def _is_stale(rt: Runtime, user: str, offered: int) -> bool:
    """True when a newer message with options (or a later question) replaced ``offered``."""
    with transaction(rt.sessions) as session:
        conv = conversations.find(session, "web", user)
        if conv is None:
            return False
        return offered != _live_offer(session, conv.id)


def _live_offer(session: Session, conversation_id: int) -> int | None:
    """The newest message that offered options: only its buttons still answer a question."""
    stmt = select(func.max(Message.id)).where(
        Message.conversation_id == conversation_id,
        Message.direction == "out",
        Message.options_json != "[]",
    )
    found = session.scalar(stmt)
    return int(found) if found is not None else None


async def chat_poll(request: Request) -> Response:
    """GET /chat/poll?after=ID: what staff sent to this web user since ID (replies,
    notices, the satisfaction question). Without ``after``: the conversation so far
    (the last :data:`HISTORY` lines, staff replies included), so a reload loses nothing.
    ``human`` says whether a staff member owns the conversation (人工服务中);
    ``offer`` is the id of the message whose options still answer."""
    user = chat_user(request)
    if user is None:
        return JSONResponse({"after": 0, "messages": [], "human": False, "offer": None})
    raw = request.query_params.get("after", "")
    after = int(raw) if raw.isdigit() else None
    view = await run_in_threadpool(_lines, request.app.state.runtime, user, after)
    return JSONResponse(view)


def _lines(rt: Runtime, user: str, after: int | None) -> dict[str, object]:
    with transaction(rt.sessions) as session:
        conv = conversations.find(session, "web", user)
        if conv is None:
            return {"after": after or 0, "messages": [], "human": False, "offer": None}
        _seen(conv, rt)
        stmt = select(Message).where(Message.conversation_id == conv.id)
        if after is None:
            rows = list(session.scalars(stmt.order_by(Message.id.desc()).limit(HISTORY)))[::-1]
            last = rows[-1].id if rows else 0
        else:
            staff_out = stmt.where(
                Message.id > after, Message.direction == "out", Message.sender.startswith("staff:")
            )
            rows = list(session.scalars(staff_out.order_by(Message.id).limit(50)))
            last = rows[-1].id if rows else after
        names = _staff_names(session, rt, {m.sender for m in rows})
        return {
            "after": last,
            "messages": [_line(m, names) for m in rows],
            "human": read_state(conv, rt.vault).handoff_ticket is not None,
            "offer": _live_offer(session, conv.id),
        }


def _seen(conv: Conversation, rt: Runtime) -> None:
    """The page is open: note it (at most every :data:`SEEN_EVERY`) for the ticket page."""
    now = aware(rt.clock.now())
    if conv.seen_at is None or now - aware(conv.seen_at) >= SEEN_EVERY:
        conv.seen_at = now


def aware(at: dt.datetime) -> dt.datetime:
    """SQLite gives datetimes back without their zone (they are stored in UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _line(m: Message, names: dict[str, str]) -> dict[str, object]:
    """One message as the page shows it: who (me / bot / staff / notice), from whom, text."""
    if m.direction == "in":
        who, sender = "me", ""
    elif not m.sender.startswith("staff:"):
        who, sender = "bot", ""
    elif m.intent == "staff":  # 书面告知, the satisfaction question, 人工服务已结束
        who, sender = "notice", "服务通知"
    else:
        who, sender = "staff", names.get(m.sender, "工作人员")
    options = json.loads(m.options_json or "[]")
    return {"id": m.id, "who": who, "from": sender, "text": m.text, "options": options}


def _staff_names(session: Session, rt: Runtime, senders: set[str]) -> dict[str, str]:
    """ "staff:dongxw" → "工作人员 东城镇小王（东城镇）": a reply is visibly from a person."""
    usernames = [s.removeprefix("staff:") for s in senders if s.startswith("staff:")]
    if not usernames:
        return {}
    out: dict[str, str] = {}
    for person in session.scalars(select(Staff).where(Staff.username.in_(usernames))):
        unit = _unit(rt, person.region_code)
        out[f"staff:{person.username}"] = f"工作人员 {person.display_name}" + (
            f"（{unit}）" if unit else ""
        )
    return out


def _unit(rt: Runtime, code: str) -> str:
    regions = rt.ctx.regions
    return regions.get(code).name if code in regions else ""


def _set_cookie(request: Request, response: Response, user: str) -> None:
    response.set_cookie(
        COOKIE,
        _signer(request).dumps(user),
        max_age=60 * 60 * 24 * 30,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )

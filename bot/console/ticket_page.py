"""The ticket page: conversation, event log, actions; and the live-message poll."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from bot.console import scope
from bot.console.guard import Cx
from bot.console.views import SATISFACTION, back, local_time, render
from bot.shell.inbound import read_state
from bot.tickets import actions
from bot.tickets.sla import is_done, sla
from bot.web.chat import aware
from db import conversations, tickets
from db.models import Conversation, Message, Staff, Ticket
from db.session import transaction

MESSAGE_LIMIT = 300
ON_PAGE = dt.timedelta(seconds=30)  # a web chat page polls every 3 s; longer silence: closed


def _load(cx: Cx, session: Session) -> Ticket | Response:
    """The ticket, or the same 404 whether it does not exist or is outside the user's area
    (a 403 would tell which numbers exist elsewhere)."""
    ticket = tickets.by_number(session, cx.param("number"))
    if ticket is None or not scope.can_view(cx.rt.ctx.regions, cx.user, ticket):
        return Response("404 工单不存在或不在您的辖区", status_code=404, media_type="text/plain")
    return ticket


def message_dict(m: Message) -> dict[str, object]:
    return {
        "id": m.id,
        "direction": m.direction,
        "sender": m.sender,
        "text": m.text,
        "options": json.loads(m.options_json or "[]"),
        "at": local_time(m.created_at),
    }


def _messages(session: Session, ticket: Ticket, after: int = 0) -> list[Message]:
    if ticket.conversation_id is None:
        return []
    return conversations.messages(session, ticket.conversation_id, after)[-MESSAGE_LIMIT:]


def _in_handoff(cx: Cx, session: Session, ticket: Ticket) -> bool:
    if ticket.conversation_id is None:
        return False
    conv = session.get(Conversation, ticket.conversation_id)
    return conv is not None and read_state(conv, cx.rt.vault).handoff_ticket == ticket.number


def web_away(rt: Any, session: Session, ticket: Ticket) -> str:
    """For a web chat user not on the page now: when they last were (or "" when they are,
    or the veteran is on WeChat/Telegram, where messages arrive as they are sent)."""
    conv = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    if conv is None or conv.channel != "web":
        return ""
    if conv.seen_at is None:
        return "没有记录"
    seen = aware(conv.seen_at)
    return "" if aware(rt.clock.now()) - seen < ON_PAGE else local_time(seen)


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        s.id: s.display_name for s in session.scalars(select(Staff).where(Staff.id.in_(wanted)))
    }


def _region_name(cx: Cx, code: str | None) -> str:
    regions = cx.rt.ctx.regions
    return regions.full_name(code) if code and code in regions else (code or "")


def _event_labels(cx: Cx, session: Session, events: list[Any]) -> dict[str, str]:
    """Readable labels for the raw values in the event log: staff ids → names,
    region codes → units ("990101/1" → "东城镇/张三")."""
    raw = {v for e in events for v in (e.from_value, e.to_value) if v}
    parts = {p for v in raw for p in v.split("/")}
    names = _names(session, {int(p) for p in parts if p.isdigit()})
    regions = cx.rt.ctx.regions

    def label(part: str) -> str:
        if part.isdigit() and int(part) in names:
            return names[int(part)]
        return regions.full_name(part) or part if part in regions else part

    return {v: "/".join(label(p) for p in v.split("/") if p != "-") for v in raw}


def show(cx: Cx, error: str = "", pii: dict[str, str] | None = None, status: int = 200) -> Response:
    with transaction(cx.rt.sessions) as session:
        ticket = _load(cx, session)
        if isinstance(ticket, Response):
            return ticket
        regions = cx.rt.ctx.regions
        context = {
            "t": ticket,
            "details": json.loads(ticket.details_json or "{}"),
            "sla": sla(ticket, cx.rt.clock.today(), cx.rt.ctx.deadlines.calendar),
            "messages": [message_dict(m) for m in _messages(session, ticket)],
            "events": (events := tickets.events(session, ticket.id)),
            "labels": _event_labels(cx, session, events),
            "names": _names(session, {ticket.owner_id, ticket.leader_id}),
            "pii": pii or actions.masked(cx.rt, ticket),
            "revealed": pii is not None,
            "can_reveal": scope.can_reveal(cx.user, ticket),
            "can_act": scope.can_act(cx.user, ticket),
            "can_claim": scope.can_claim(cx.user, ticket),
            "handoff": _in_handoff(cx, session, ticket),
            "away": web_away(cx.rt, session, ticket),
            "is_open": not is_done(ticket),
            "unit": regions.full_name(ticket.queue) if ticket.queue in regions else ticket.queue,
            "region": _region_name(cx, ticket.region_code),
            "targets": scope.transfer_targets(regions, cx.user),
            "leaders": actions.leaders(session),
            "satisfaction_options": SATISFACTION,
            "error": error,
        }
    return render(cx, "ticket.html", status_code=status, **context)


def page(cx: Cx) -> Response:
    return show(cx)


def _do(cx: Cx, name: str, session: Session, ticket: Ticket) -> None:
    """One form of the page → one action of ``bot.tickets.actions`` (its rules, its errors)."""
    rt, user, f = cx.rt, cx.user, cx.field
    handlers: dict[str, Callable[[], None]] = {
        "claim": lambda: actions.claim(rt, session, ticket, user),
        "reply": lambda: actions.reply(rt, session, ticket, user, f("text")),
        "note": lambda: actions.note(session, ticket, user, f("text")),
        "transfer": lambda: actions.transfer(
            rt, session, ticket, user, f("unit"), f("person"), f("reason")
        ),
        "escalate": lambda: actions.escalate(rt, session, ticket, user, f("reason")),
        "leader": lambda: actions.set_leader(session, ticket, user, f("leader")),
        "accept": lambda: actions.accept(rt, session, ticket, user, f("notice")),
        "not_accept": lambda: actions.not_accept(rt, session, ticket, user, f("notice")),
        "extend": lambda: actions.extend(rt, session, ticket, user, _int(f("days")), f("reason")),
        "resolve": lambda: actions.resolve(rt, session, ticket, user, f("text")),
        "reopen": lambda: actions.reopen(rt, session, ticket, user, f("reason")),
        "close": lambda: actions.close(rt, session, ticket, user, f("reason")),
        "release": lambda: actions.release(rt, session, ticket, user),
    }
    if name not in handlers:
        raise actions.ActionError("未知操作。")
    handlers[name]()


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def act(cx: Cx) -> Response:
    """POST /staff/tickets/{number}/{action}: one action, then back to the page."""
    name = cx.param("action")
    try:
        with transaction(cx.rt.sessions) as session:
            ticket = _load(cx, session)
            if isinstance(ticket, Response):
                return ticket
            _do(cx, name, session, ticket)
            still_mine = scope.can_view(cx.rt.ctx.regions, cx.user, ticket)
    except actions.ActionError as exc:
        return show(cx, error=str(exc), status=422)
    kick(cx)
    if not still_mine:  # transferred or escalated out of the user's area
        return back("/staff/queue/unit", name)
    return back(f"/staff/tickets/{cx.param('number')}", name)


def kick(cx: Cx) -> None:
    """Wake the outbox worker: what the action queued for the veteran goes out now."""
    worker = getattr(cx.request.app.state, "delivery", None)
    if worker is not None:
        worker.kick()


def reveal(cx: Cx) -> Response:
    try:
        with transaction(cx.rt.sessions) as session:
            ticket = _load(cx, session)
            if isinstance(ticket, Response):
                return ticket
            pii = actions.reveal(cx.rt, session, ticket, cx.user)
    except actions.ActionError as exc:
        return show(cx, error=str(exc), status=403)
    return show(cx, pii=pii)


def poll(cx: Cx) -> Response:
    """GET /staff/tickets/{number}/messages?after=ID: new conversation lines (JSON)."""
    with transaction(cx.rt.sessions) as session:
        ticket = _load(cx, session)
        if isinstance(ticket, Response):
            return ticket
        after = _int(cx.query("after", "0"))
        rows = [message_dict(m) for m in _messages(session, ticket, after)]
        return JSONResponse(
            {"messages": rows, "status": ticket.status, "handoff": _in_handoff(cx, session, ticket)}
        )

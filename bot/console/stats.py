"""Figures for the dashboard and the monthly/annual report (one query, counted in Python).

One definition of 超期 everywhere (``late``): an open ticket is overdue when its running
deadline has passed (the 15-day 告知 while a petition awaits 受理, then its 办理期限 —
the same rule as the 已超期 queue and the escalation sweep); a finished ticket was late
when it was answered or closed after that deadline. Tickets are counted for a unit when
it handles them now (承办单位) or first received them (首办单位), so a ticket escalated
upwards stays in the numbers of the unit it came from."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from bot.console.conversation_scope import ConversationScope
from db.models import Conversation, Message, Ticket, TicketEvent
from db.ticket_queries import deadline_of, is_overdue
from db.tickets import OPEN
from knowledge.clock import CHINA
from knowledge.text import normalize

TREND_WEEKS = 8
TOP_QUESTIONS = 10


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    total: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_unit: Counter[str] = field(default_factory=Counter)  # handling unit now (承办)
    by_origin: Counter[str] = field(default_factory=Counter)  # unit that first received it
    satisfaction: Counter[str] = field(default_factory=Counter)
    done: int = 0
    on_time: int = 0
    open_overdue: int = 0
    trend: list[tuple[dt.date, int]] = field(default_factory=list)
    top_questions: list[tuple[str, int]] = field(default_factory=list)
    inbound: int = 0
    unanswered: int = 0

    @property
    def sla_rate(self) -> float | None:
        """None when nothing was finished in the period (shown as "—", not "0%")."""
        return self.on_time / self.done if self.done else None

    @property
    def unanswered_rate(self) -> float | None:
        return self.unanswered / self.inbound if self.inbound else None


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def finished_on(t: Ticket) -> dt.date | None:
    """The day the ticket was answered (答复) or closed, in China."""
    return t.replied_on or local_day(t.closed_at)


def late(t: Ticket, today: dt.date) -> bool:
    """超期: open past its running deadline, or finished after it."""
    if t.status in OPEN:
        return is_overdue(t, today)
    due, done = t.due_on or t.accept_due_on, finished_on(t)
    return due is not None and done is not None and done > due


def local_day(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(CHINA).date()


def _first_received_in(units: set[str]) -> Select[Any]:
    return select(TicketEvent.ticket_id).where(
        TicketEvent.action == "created", TicketEvent.to_value.in_(units)
    )


def tickets_in(session: Session, units: set[str], start: dt.date, end: dt.date) -> list[Ticket]:
    """Tickets received in the period that ``units`` handle now or first received."""
    mine = or_(Ticket.queue.in_(units), Ticket.id.in_(_first_received_in(units)))
    stmt = (
        select(Ticket)
        .where(mine, Ticket.received_on >= start, Ticket.received_on <= end)
        .order_by(Ticket.id)
    )
    return list(session.scalars(stmt))


def origins(session: Session, tickets: list[Ticket]) -> dict[int, str]:
    """Ticket id → the unit that first received it."""
    ids = [t.id for t in tickets]
    if not ids:
        return {}
    stmt = select(TicketEvent.ticket_id, TicketEvent.to_value).where(
        TicketEvent.action == "created", TicketEvent.ticket_id.in_(ids)
    )
    found = {tid: str(unit) for tid, unit in session.execute(stmt) if unit}
    return {t.id: found.get(t.id, t.queue) for t in tickets}


def overdue_on(rows: list[Ticket], day: dt.date) -> int:
    """Tickets that were open and past their deadline at the end of ``day``."""
    count = 0
    for t in rows:
        done = finished_on(t)
        due = deadline_of(t) if t.status in OPEN else (t.due_on or t.accept_due_on)
        if t.received_on <= day and due is not None and due < day and (done is None or done > day):
            count += 1
    return count


def figures(
    session: Session,
    units: set[str],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    conversations: ConversationScope,
) -> Figures:
    """Tickets owned by ``units``; messages of the ``conversations`` in scope."""
    rows = tickets_in(session, units, start - dt.timedelta(weeks=TREND_WEEKS), end)
    period = [t for t in rows if t.received_on >= start]
    first = origins(session, period)
    fig = Figures(start, end, total=len(period))
    for t in period:
        fig.by_kind[t.kind] += 1
        fig.by_status[t.status] += 1
        fig.by_unit[t.queue] += 1
        fig.by_origin[first[t.id]] += 1
        if t.satisfaction:
            fig.satisfaction[t.satisfaction] += 1
        if t.status not in OPEN and finished_on(t) is not None:
            fig.done += 1
            fig.on_time += not late(t, today)
    last = min(end, today)
    fig.trend = [
        (d, overdue_on(rows, d))
        for d in (last - dt.timedelta(weeks=w) for w in range(TREND_WEEKS - 1, -1, -1))
    ]
    _questions(session, fig, conversations)
    return fig


def _utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time.min, CHINA).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, CHINA).astimezone(dt.UTC)
    return lo, hi


def _questions(session: Session, fig: Figures, conversations: ConversationScope) -> None:
    """Veterans' messages in the period: how many, how many the bot could not answer
    (``unknown``, as recorded for curators: not the menu shown for an empty message),
    and the questions it answered most from the KB."""
    lo, hi = _utc_bounds(fig.start, fig.end)
    stmt = select(Message.intent, Message.text).where(
        Message.direction == "in", Message.created_at >= lo, Message.created_at < hi
    )
    in_scope = conversations.condition()
    if in_scope is not None:
        stmt = stmt.join(Conversation, Conversation.id == Message.conversation_id).where(in_scope)
    answered: Counter[str] = Counter()
    for intent, text in session.execute(stmt):
        fig.inbound += 1
        if intent == "faq":
            answered[text] += 1
        elif intent == "unknown" and normalize(text):
            fig.unanswered += 1
    top = sorted(answered.items(), key=lambda item: (-item[1], item[0]))
    fig.top_questions = top[:TOP_QUESTIONS]

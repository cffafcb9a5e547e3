"""Figures for the dashboard and the monthly/annual report (one query, counted in Python)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.conversation_scope import ConversationScope
from db.models import Conversation, Message, Ticket
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
    by_unit: Counter[str] = field(default_factory=Counter)
    satisfaction: Counter[str] = field(default_factory=Counter)
    done: int = 0
    on_time: int = 0
    open_overdue: int = 0
    trend: list[tuple[dt.date, int]] = field(default_factory=list)
    top_questions: list[tuple[str, int]] = field(default_factory=list)
    inbound: int = 0
    unanswered: int = 0

    @property
    def sla_rate(self) -> float:
        return self.on_time / self.done if self.done else 0.0

    @property
    def unanswered_rate(self) -> float:
        return self.unanswered / self.inbound if self.inbound else 0.0


def local_day(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(CHINA).date()


def tickets_in(session: Session, units: set[str], start: dt.date, end: dt.date) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.queue.in_(units), Ticket.received_on >= start, Ticket.received_on <= end)
        .order_by(Ticket.id)
    )
    return list(session.scalars(stmt))


def overdue_on(rows: list[Ticket], day: dt.date) -> int:
    """Tickets that were open and past their deadline at the end of ``day``."""
    count = 0
    for t in rows:
        closed = local_day(t.closed_at)
        if (
            t.received_on <= day
            and t.due_on is not None
            and t.due_on < day
            and (closed is None or closed > day)
        ):
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
    fig = Figures(start, end, total=len(period))
    for t in period:
        fig.by_kind[t.kind] += 1
        fig.by_status[t.status] += 1
        fig.by_unit[t.queue] += 1
        if t.satisfaction:
            fig.satisfaction[t.satisfaction] += 1
        closed = local_day(t.closed_at)
        if t.status not in OPEN and t.due_on is not None and closed is not None:
            fig.done += 1
            fig.on_time += closed <= t.due_on
        elif t.status in OPEN and t.due_on is not None and t.due_on < today:
            fig.open_overdue += 1
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

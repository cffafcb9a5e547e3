"""What is waiting, read for /readyz and /metrics: outbox rows due and failed, tickets open
and overdue per queue. Plain counts (no personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import OutboxMessage, Ticket

WAITING = ("pending", "sending")


@dataclass(frozen=True)
class Outbox:
    waiting: dict[str, int]  # channel → rows not yet sent (pending or sending)
    given_up: dict[str, int]  # status (failed | undeliverable) → rows
    oldest_due_seconds: float  # how long the most overdue waiting row has been due


@dataclass(frozen=True)
class Tickets:
    open: dict[str, int]  # queue (region code) → open tickets
    overdue: dict[str, int]  # queue → open tickets past their due date


def outbox(session: Session, now: dt.datetime) -> Outbox:
    waiting = dict(
        session.execute(
            select(OutboxMessage.channel, func.count())
            .where(OutboxMessage.status.in_(WAITING))
            .group_by(OutboxMessage.channel)
        ).all()
    )
    given_up = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(("failed", "undeliverable")))
            .group_by(OutboxMessage.status)
        ).all()
    )
    due = session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now
        )
    )
    age = max(0.0, (now - _aware(due)).total_seconds()) if due is not None else 0.0
    return Outbox(_ints(waiting), _ints(given_up), age)


def tickets(session: Session, today: dt.date) -> Tickets:
    still_open = Ticket.closed_at.is_(None)
    opened = session.execute(
        select(Ticket.queue, func.count()).where(still_open).group_by(Ticket.queue)
    ).all()
    late = session.execute(
        select(Ticket.queue, func.count())
        .where(still_open, Ticket.due_on.is_not(None), Ticket.due_on < today)
        .group_by(Ticket.queue)
    ).all()
    return Tickets(_ints(dict(opened)), _ints(dict(late)))


def _ints(rows: Mapping[Any, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in rows.items()}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

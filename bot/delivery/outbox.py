"""Outbox rows: claiming due rows safely across processes, and recording what happened.

Claiming: a row is due when it is ``pending`` and its ``next_attempt_at`` has come, or
when it is ``sending`` but its lease ran out (a worker died mid-send). Rows for one
recipient go out in order: a row is not claimed while an older row for the same
(channel, recipient) is still pending or sending. PostgreSQL claims with
``FOR UPDATE SKIP LOCKED``; SQLite with one atomic ``UPDATE … RETURNING``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.delivery.outcome import Item, Outcome
from db import tickets
from db.crypto import redact
from db.models import Conversation, OutboxMessage, Ticket

LEASE = dt.timedelta(minutes=2)  # longer than any send's timeouts


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base·2^(n-1), capped, with ±jitter; then give up."""

    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 3600.0
    jitter: float = 0.2

    def delay(self, attempts: int) -> dt.timedelta:
        seconds = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        spread = seconds * self.jitter
        return dt.timedelta(seconds=seconds + random.uniform(-spread, spread))


def _due(now: dt.datetime) -> Select[int]:
    row = OutboxMessage
    older = aliased(OutboxMessage)
    blocked = exists().where(
        older.channel == row.channel,
        older.recipient == row.recipient,
        older.id < row.id,
        older.status.in_(("pending", "sending")),
    )
    ready = or_(
        and_(row.status == "pending", row.next_attempt_at <= now),
        and_(row.status == "sending", row.next_attempt_at <= now),
    )
    return select(row.id).where(ready, ~blocked).order_by(row.id)


def claim(session: Session, now: dt.datetime, limit: int = 20) -> list[Item]:
    """Take up to ``limit`` due rows for this worker (at most one per recipient)."""
    claim_values = {
        "status": "sending",
        "attempts": OutboxMessage.attempts + 1,
        "next_attempt_at": now + LEASE,
    }
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                _due(now).limit(limit).with_for_update(skip_locked=True, of=OutboxMessage)
            )
        )
        if not ids:
            return []
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim_values)
        )
    else:
        subquery = _due(now).limit(limit).scalar_subquery()
        stmt = update(OutboxMessage).where(OutboxMessage.id.in_(subquery)).values(**claim_values)
        ids = list(session.scalars(stmt.returning(OutboxMessage.id)))
        if not ids:
            return []
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    )
    return [_item(r) for r in rows]


def _item(row: OutboxMessage) -> Item:
    return Item(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        kind=row.kind,
        text=row.text,
        options=Item.options_from(row.options_json),
        attempts=row.attempts,
        ticket_id=row.ticket_id,
    )


def record(
    session: Session, item: Item, outcome: Outcome, now: dt.datetime, policy: RetryPolicy
) -> str:
    """Store the outcome of a send; returns the row's new status."""
    row = session.get(OutboxMessage, item.id, with_for_update=True)
    if row is None or row.status != "sending":
        return row.status if row else "missing"  # someone else finished it
    row.last_error = outcome.error
    if outcome.status == "sent":
        row.status, row.sent_at = "sent", now
        row.text = redact(row.text)  # delivered: keep no ID numbers, phones or lookup codes at rest
    elif outcome.status == "retry" and item.attempts < policy.max_attempts:
        row.status, row.next_attempt_at = "pending", now + policy.delay(item.attempts)
        if outcome.remaining is not None:
            row.text = outcome.remaining
    else:
        row.status = "undeliverable" if outcome.status == "undeliverable" else "failed"
        _flag_ticket(session, row)
    return row.status


def _flag_ticket(session: Session, row: OutboxMessage) -> None:
    """A veteran could not be reached: the ticket shows it, for staff to call back (回访)."""
    if row.kind != "message":
        return
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else _open_ticket_of(session, row)
    if ticket is None:
        return
    ticket.undeliverable = True
    tickets.log(
        session,
        ticket,
        "system",
        "undeliverable",
        to_value=row.channel,
        note=f"消息未送达（{row.last_error[:200]}），请电话回访",
    )


def _open_ticket_of(session: Session, row: OutboxMessage) -> Ticket | None:
    stmt = (
        select(Ticket)
        .join(Conversation, Ticket.conversation_id == Conversation.id)
        .where(
            Conversation.channel == row.channel,
            Conversation.user_id == row.recipient,
            Ticket.closed_at.is_(None),
        )
        .order_by(Ticket.id.desc())
    )
    return session.scalars(stmt).first()

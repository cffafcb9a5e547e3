"""Reading tickets: queue lists, overdue and due-soon sweeps, exports, and the
candidates for duplicate detection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session

from db.models import Ticket
from db.tickets import OPEN


def deadline_column() -> ColumnElement[dt.date | None]:
    """The deadline a ticket runs against: the 15-day 告知 while a petition is new, else due_on."""
    return case(
        (and_(Ticket.status == "new", Ticket.accept_due_on.is_not(None)), Ticket.accept_due_on),
        else_=Ticket.due_on,
    )


def deadline_of(ticket: Ticket) -> dt.date | None:
    if ticket.status == "new" and ticket.accept_due_on is not None:
        return ticket.accept_due_on
    return ticket.due_on


def is_overdue(ticket: Ticket, today: dt.date) -> bool:
    due = deadline_of(ticket)
    return ticket.status in OPEN and due is not None and due < today


def is_due_soon(ticket: Ticket, today: dt.date, within_days: int) -> bool:
    due = deadline_of(ticket)
    return (
        ticket.status in OPEN
        and due is not None
        and today <= due <= today + dt.timedelta(days=within_days)
    )


def overdue_filter(today: dt.date) -> ColumnElement[bool]:
    return and_(Ticket.status.in_(OPEN), deadline_column() < today)


def listing(
    session: Session, queue: str | None = None, overdue_on: dt.date | None = None, limit: int = 500
) -> list[Ticket]:
    """Open tickets (all of them with ``overdue_on``: only those overdue on that day), oldest first."""
    stmt = select(Ticket).where(
        Ticket.status.in_(OPEN) if overdue_on is None else overdue_filter(overdue_on)
    )
    if queue:
        stmt = stmt.where(Ticket.queue == queue)
    return list(
        session.scalars(stmt.order_by(deadline_column().nulls_last(), Ticket.id).limit(limit))
    )


def received_between(session: Session, first: dt.date, last: dt.date) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.received_on >= first, Ticket.received_on <= last)
        .order_by(Ticket.id)
    )
    return list(session.scalars(stmt))


def lockable(stmt: Select[Ticket]) -> Select[Ticket]:
    """Rows a sweeper claims: FOR UPDATE SKIP LOCKED on PostgreSQL (ignored by SQLite,
    whose BEGIN IMMEDIATE already serialises writers)."""
    return stmt.with_for_update(skip_locked=True)


def to_escalate(
    session: Session, today: dt.date, again_after: dt.timedelta, limit: int = 200
) -> list[Ticket]:
    """Overdue tickets not escalated in the last ``again_after``, locked for this transaction."""
    fresh = or_(Ticket.escalated_on.is_(None), Ticket.escalated_on <= today - again_after)
    stmt = select(Ticket).where(overdue_filter(today), fresh).order_by(Ticket.id).limit(limit)
    return list(session.scalars(lockable(stmt)))


def to_flag_due_soon(
    session: Session, today: dt.date, within_days: int, limit: int = 200
) -> list[Ticket]:
    due = deadline_column()
    stmt = (
        select(Ticket)
        .where(
            Ticket.status.in_(OPEN),
            Ticket.due_soon.is_(False),
            due >= today,
            due <= today + dt.timedelta(days=within_days),
        )
        .order_by(Ticket.id)
        .limit(limit)
    )
    return list(session.scalars(lockable(stmt)))


def same_person_open(
    session: Session, kind: str, id_hash: str | None, phone_hash: str | None, since: dt.date
) -> Sequence[Ticket]:
    """Open tickets of this kind received since ``since`` with the same ID hash or phone hash."""
    keys = [c == v for c, v in ((Ticket.id_hash, id_hash), (Ticket.phone_hash, phone_hash)) if v]
    if not keys:
        return []
    stmt = (
        select(Ticket)
        .where(
            Ticket.kind == kind, Ticket.status.in_(OPEN), Ticket.received_on >= since, or_(*keys)
        )
        .order_by(Ticket.id.desc())
    )
    return list(session.scalars(stmt))

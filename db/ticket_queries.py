"""Reading tickets: queue lists, overdue and due-soon sweeps, exports, and the
candidates for duplicate detection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session

from db.models import Staff, Ticket
from db.tickets import OPEN, Status

DUE_SOON_DAYS = 3  # calendar days before the deadline: flagged, listed and coloured "soon"


def deadline_column() -> ColumnElement[dt.date | None]:
    """The deadline a ticket runs against: the 15-day 告知 while a petition is new, else due_on."""
    return case(
        (
            and_(Ticket.status == Status.NEW.value, Ticket.accept_due_on.is_not(None)),
            Ticket.accept_due_on,
        ),
        else_=Ticket.due_on,
    )


def deadline_of(ticket: Ticket) -> dt.date | None:
    if ticket.status == Status.NEW and ticket.accept_due_on is not None:
        return ticket.accept_due_on
    return ticket.due_on


def is_overdue(ticket: Ticket, today: dt.date) -> bool:
    due = deadline_of(ticket)
    return ticket.status in OPEN and due is not None and due < today


def is_due_soon(ticket: Ticket, today: dt.date, within_days: int = DUE_SOON_DAYS) -> bool:
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
    session: Session, today: dt.date, within_days: int = DUE_SOON_DAYS, limit: int = 200
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


def leaders(session: Session) -> list[Staff]:
    """Who may be named 包案领导: active leaders and admins, by name."""
    stmt = (
        select(Staff)
        .where(Staff.role.in_(("leader", "admin")), Staff.active.is_(True))
        .order_by(Staff.display_name)
    )
    return list(session.scalars(stmt))


def latest_follow_up(session: Session, parent: Ticket, stages: Iterable[str]) -> Ticket | None:
    """The newest 复查/复核 ticket filed against ``parent``."""
    stmt = (
        select(Ticket)
        .where(
            Ticket.parent_id == parent.id,
            Ticket.kind == "petition",
            Ticket.stage.in_(tuple(stages)),
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def recently_answered(session: Session, conversation_id: int, since: dt.datetime) -> int | None:
    """The conversation's ticket answered (办结) or archived most recently since ``since``."""
    stmt = (
        select(Ticket.id)
        .where(
            Ticket.conversation_id == conversation_id,
            Ticket.status.in_((Status.REPLIED.value, Status.CLOSED.value)),
            Ticket.updated_at >= since,
        )
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def open_in_units(session: Session, units: Iterable[str], limit: int = 10) -> list[Ticket]:
    """A unit's open tickets: urgent first, then the nearest deadline."""
    stmt = (
        select(Ticket)
        .where(Ticket.queue.in_(tuple(units)), Ticket.status.in_(OPEN))
        .order_by(Ticket.urgent.desc(), deadline_column().nulls_last(), Ticket.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def open_of_conversation(
    session: Session, conversation_id: int, kind: str, since: dt.date
) -> Ticket | None:
    """The conversation's newest open ticket of ``kind`` received since ``since``."""
    stmt = (
        select(Ticket)
        .where(
            Ticket.conversation_id == conversation_id,
            Ticket.kind == kind,
            Ticket.status.in_(OPEN),
            Ticket.received_on >= since,
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()

"""Keep personal data no longer than needed (个人信息保护法), keep logs at least
six months (网络安全法第二十一条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import AuditLog, Ticket, TicketEvent

MIN_LOG_DAYS = 180


@dataclass(frozen=True)
class Purged:
    tickets: int
    audit_rows: int


def purge(session: Session, now: dt.datetime, pii_days: int, log_days: int) -> Purged:
    """Erase personal data of tickets closed more than ``pii_days`` ago and drop
    audit rows older than ``log_days`` (never less than 180 days)."""
    pii_cutoff = now - dt.timedelta(days=pii_days)
    ids = list(
        session.scalars(
            select(Ticket.id).where(
                Ticket.status == "closed",
                Ticket.closed_at.is_not(None),
                Ticket.closed_at < pii_cutoff,
                (Ticket.name_enc.is_not(None))
                | (Ticket.id_number_enc.is_not(None))
                | (Ticket.phone_enc.is_not(None)),
            )
        )
    )
    if ids:
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(
                name_enc=None,
                id_number_enc=None,
                phone_enc=None,
                id_hash=None,
                phone_hash=None,
                lookup_hash=None,
            )
        )
        session.add_all(
            TicketEvent(
                ticket_id=i, actor="system", action="pii_purged", note=f"retention {pii_days} days"
            )
            for i in ids
        )
    log_cutoff = now - dt.timedelta(days=max(log_days, MIN_LOG_DAYS))
    result = session.execute(delete(AuditLog).where(AuditLog.created_at < log_cutoff))
    return Purged(len(ids), int(result.rowcount or 0))  # type: ignore[attr-defined]

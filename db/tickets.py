"""Tickets: numbering, creation, events. (Routing and deadlines: db.routing, db.sla.)"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.crypto import PiiVault
from db.models import Counter, Ticket, TicketEvent

PREFIX = {
    "petition": "XF",
    "consultation": "ZX",
    "home_visit": "SM",
    "card_preapp": "YD",
    "status_request": "CX",
    "callback": "HD",
    "crisis": "JJ",
}


def next_number(session: Session, kind: str, day: dt.date) -> str:
    """XF-YYYYMMDD-NNNN: a per-day counter row, incremented atomically in the DB."""
    name = f"{PREFIX.get(kind, 'GD')}-{day:%Y%m%d}"
    result = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        _insert_counter(session, name)
    value = session.scalars(select(Counter.value).where(Counter.name == name)).one()
    return f"{name}-{value:04d}"


def _insert_counter(session: Session, name: str) -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(Counter(name=name, value=1))
            session.flush()
    except IntegrityError:  # another transaction created it first
        session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))


@dataclass(frozen=True)
class NewTicket:
    kind: str
    queue: str
    summary: str
    received_on: dt.date
    region_code: str | None = None
    category: str | None = None
    details: dict[str, Any] | None = None
    pii: dict[str, str] | None = None
    urgent: bool = False
    conversation_id: int | None = None
    due_on: dt.date | None = None
    accept_due_on: dt.date | None = None
    parent_id: int | None = None
    lookup_hash: str | None = None


def create(session: Session, vault: PiiVault, new: NewTicket, actor: str = "bot") -> Ticket:
    pii = new.pii or {}
    ticket = Ticket(
        number=next_number(session, new.kind, new.received_on),
        kind=new.kind,
        status="new",
        urgent=new.urgent,
        category=new.category,
        summary=new.summary,
        details_json=json.dumps(new.details or {}, ensure_ascii=False),
        region_code=new.region_code,
        queue=new.queue,
        conversation_id=new.conversation_id,
        parent_id=new.parent_id,
        name_enc=vault.encrypt(pii.get("name")),
        id_number_enc=vault.encrypt(pii.get("id_number")),
        phone_enc=vault.encrypt(pii.get("phone")),
        id_hash=vault.hash(pii.get("id_number")),
        phone_hash=vault.hash(pii.get("phone")),
        lookup_hash=new.lookup_hash,
        received_on=new.received_on,
        due_on=new.due_on,
        accept_due_on=new.accept_due_on,
    )
    session.add(ticket)
    session.flush()
    log(session, ticket, actor, "created", to_value=new.queue, note=new.summary[:500])
    return ticket


def log(
    session: Session,
    ticket: Ticket,
    actor: str,
    action: str,
    from_value: str | None = None,
    to_value: str | None = None,
    note: str = "",
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id, actor=actor, action=action, from_value=from_value, to_value=to_value, note=note
    )
    session.add(event)
    return event


def by_number(session: Session, number: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.number == number)).first()


def events(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)))

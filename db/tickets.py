"""Tickets (工单): numbering, creation, the status machine, ownership (首问负责),
transfers, 包案领导 and the append-only event log.

Deadlines are computed by the caller (``intents.deadlines``) and passed in: ``db``
imports nothing of ours. Queries for lists and sweeps: ``db.ticket_queries``;
复查/复核 follow-ups: ``db.follow_ups``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.crypto import PiiVault
from db.models import Counter, Ticket, TicketEvent, utcnow

PREFIX = {
    "petition": "XF",
    "consultation": "ZX",
    "home_visit": "SM",
    "card_preapp": "YD",
    "status_request": "CX",
    "callback": "HD",
    "crisis": "JJ",
}
KIND_NAMES = {
    "petition": "信访",
    "consultation": "咨询",
    "home_visit": "上门服务",
    "card_preapp": "优待证预申请",
    "status_request": "进度查询",
    "callback": "回电",
    "crisis": "紧急",
}


def next_number(session: Session, kind: str, day: dt.date) -> str:
    """XF-YYYYMMDD-NNNN: a per-day counter row, incremented atomically in the DB."""
    name = f"{PREFIX.get(kind, 'GD')}-{day:%Y%m%d}"
    result = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
    )
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
    stage: str = "initial"


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
        address_enc=vault.encrypt(pii.get("address")),
        id_hash=vault.hash(pii.get("id_number")),
        phone_hash=vault.hash(pii.get("phone")),
        lookup_hash=new.lookup_hash,
        received_on=new.received_on,
        due_on=new.due_on,
        accept_due_on=new.accept_due_on,
        stage=new.stage,
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
        ticket_id=ticket.id,
        actor=actor,
        action=action,
        from_value=from_value,
        to_value=to_value,
        note=note,
    )
    session.add(event)
    return event


def by_number(session: Session, number: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.number == number)).first()


def events(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
    )


# ---- the status machine -------------------------------------------------------


class Status(StrEnum):
    """A ticket's status (stored as its value, e.g. ``"accepted"``)."""

    NEW = "new"
    ACCEPTED = "accepted"  # 受理 (petitions)
    NOT_ACCEPTED = "not_accepted"  # 不予受理, told in writing (petitions)
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"  # 延期 (petitions, once)
    REPLIED = "replied"  # 答复 / 办结
    CLOSED = "closed"  # 归档


STATUSES = tuple(Status)
STATUS_NAMES: dict[str, str] = {
    Status.NEW: "已收到，待受理",
    Status.ACCEPTED: "已受理",
    Status.NOT_ACCEPTED: "不予受理（已书面告知）",
    Status.IN_PROGRESS: "办理中",
    Status.EXTENDED: "延期办理中",
    Status.REPLIED: "已答复",
    Status.CLOSED: "已办结",
}
OPEN = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.EXTENDED)  # deadlines run
TRANSITIONS: dict[str, tuple[Status, ...]] = {
    Status.NEW: (Status.ACCEPTED, Status.NOT_ACCEPTED, Status.IN_PROGRESS),
    Status.ACCEPTED: (Status.IN_PROGRESS, Status.EXTENDED, Status.REPLIED),
    Status.IN_PROGRESS: (Status.EXTENDED, Status.REPLIED),
    Status.EXTENDED: (Status.REPLIED,),
    Status.NOT_ACCEPTED: (Status.CLOSED,),
    Status.REPLIED: (Status.CLOSED,),
    Status.CLOSED: (),
}
NEEDS_REASON = frozenset({Status.NOT_ACCEPTED, Status.EXTENDED})
PETITION_ONLY = frozenset({Status.ACCEPTED, Status.NOT_ACCEPTED, Status.EXTENDED})
#: answered work that is not a petition may be taken up again (重新办理), with a reason
REOPENS = frozenset({Status.REPLIED, Status.CLOSED})
STAGES = ("initial", "review", "recheck")  # 初次办理, 复查, 复核


class TicketError(ValueError):
    """A change the rules do not allow; the message is shown to the staff member."""


def allowed(ticket: Ticket) -> tuple[Status, ...]:
    """Statuses this ticket may move to next."""
    nexts = TRANSITIONS.get(ticket.status, ())
    if ticket.kind != "petition":
        nexts = tuple(s for s in nexts if s not in PETITION_ONLY)
        nexts += (Status.REPLIED,) if ticket.status == Status.NEW else ()
        nexts += (Status.IN_PROGRESS,) if ticket.status in REOPENS else ()
    if ticket.extended:
        nexts = tuple(s for s in nexts if s != Status.EXTENDED)
    return nexts


def set_status(
    session: Session,
    ticket: Ticket,
    to: Status,
    actor: str,
    on: dt.date,
    note: str = "",
    due_on: dt.date | None = None,
) -> None:
    """Move along the status machine; ``due_on`` is the new deadline (受理 → 60 days, 延期 → +N)."""
    to = Status(to)
    if to not in allowed(ticket):
        raise TicketError(f"{ticket.number}: cannot go from {ticket.status} to {to}")
    reopened = ticket.status in REOPENS and to == Status.IN_PROGRESS
    if (to in NEEDS_REASON or reopened) and not note.strip():
        raise TicketError(f"{to} needs a reason (it is told to the petitioner)")
    before = ticket.status
    ticket.status = to.value
    if due_on is not None:
        ticket.due_on = due_on
        ticket.due_soon = False
    if to == Status.EXTENDED:
        ticket.extended = True
    if to == Status.REPLIED:
        ticket.replied_on = on
    if to in (Status.CLOSED, Status.NOT_ACCEPTED):
        ticket.closed_at = utcnow()
    if reopened:
        ticket.closed_at, ticket.replied_on = None, None
    log(session, ticket, actor, "status", before, to.value, note[:2000])


# ---- ownership: one owner at any time (首问负责) -----------------------------------


def transfer(
    session: Session,
    ticket: Ticket,
    to_queue: str,
    actor: str,
    why: str,
    owner_id: int | None = None,
) -> None:
    """转办: the ticket leaves its unit for another; from, to and why are logged."""
    if not why.strip():
        raise TicketError("a transfer needs a reason")
    before = f"{ticket.queue}/{ticket.owner_id or '-'}"
    ticket.queue = to_queue
    ticket.owner_id = owner_id
    log(session, ticket, actor, "transfer", before, f"{to_queue}/{owner_id or '-'}", why[:2000])


def claim(session: Session, ticket: Ticket, staff_id: int, actor: str) -> None:
    """A staff member of the owning unit takes the ticket (replacing any earlier owner)."""
    before = str(ticket.owner_id) if ticket.owner_id else None
    ticket.owner_id = staff_id
    log(session, ticket, actor, "claim", before, str(staff_id))


def escalate(
    session: Session, ticket: Ticket, to_queue: str, actor: str, why: str, on: dt.date
) -> None:
    """上报 one level up (village → town → county → city); the new unit owns it, unassigned."""
    before = ticket.queue
    ticket.queue = to_queue
    ticket.owner_id = None
    ticket.escalated_on = on
    log(session, ticket, actor, "escalate", before, to_queue, why[:2000])


def set_leader(
    session: Session, ticket: Ticket, leader_id: int | None, actor: str, note: str = ""
) -> None:
    """领导包案: the named leader accountable for a hard case (None removes it)."""
    before = str(ticket.leader_id) if ticket.leader_id else None
    ticket.leader_id = leader_id
    log(session, ticket, actor, "leader", before, str(leader_id) if leader_id else None, note)

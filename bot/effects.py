"""Applying a turn's effects inside the step's transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.routing import queue_for, unit_name
from db import tickets, unanswered
from db.crypto import PiiVault
from db.models import Conversation, OutboxMessage, Ticket
from intents import deadlines
from intents.context import Context
from intents.receipts import Saved, acknowledge
from intents.turn import (
    Effect,
    EndHandoff,
    ForwardToHuman,
    NotifyStaff,
    OpenTicket,
    RecordSatisfaction,
    RecordUnanswered,
)


@dataclass
class Applied:
    """What applying effects produced: extra reply lines and the tickets touched."""

    replies: list[str] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    handoff_ticket: str | None = None


@dataclass(frozen=True)
class EffectContext:
    session: Session
    ctx: Context
    vault: PiiVault
    conversation: Conversation
    today: dt.date
    channel: str
    holiday_shift: bool = True


def apply_all(ec: EffectContext, effects: tuple[Effect, ...]) -> Applied:
    applied = Applied()
    for effect in effects:
        if isinstance(effect, OpenTicket):
            _open_ticket(ec, effect, applied)
        elif isinstance(effect, RecordUnanswered):
            unanswered.record(ec.session, effect.text, effect.confidence, effect.candidates, ec.channel)
        elif isinstance(effect, NotifyStaff):
            _notify(ec, effect)
        elif isinstance(effect, ForwardToHuman):
            _forward(ec, effect)
        elif isinstance(effect, EndHandoff):
            _ticket_event(ec, effect.ticket, "veteran", "end_handoff", "veteran ended the human session")
        elif isinstance(effect, RecordSatisfaction):
            _satisfaction(ec, effect)
    return applied


def _open_ticket(ec: EffectContext, effect: OpenTicket, applied: Applied) -> None:
    queue = queue_for(ec.ctx.regions, effect.kind, effect.region_code)
    due_kind = "petition_handle" if effect.kind == "petition" else effect.kind
    lookup_code = secrets.token_hex(3).upper() if effect.kind == "petition" else None
    accept_due = deadlines.due("petition_accept", ec.today, ec.holiday_shift) if effect.kind == "petition" else None
    details = dict(effect.details)
    if effect.excerpt:
        details["excerpt"] = list(effect.excerpt)
    ticket = tickets.create(
        ec.session,
        ec.vault,
        tickets.NewTicket(
            kind=effect.kind,
            queue=queue,
            summary=effect.summary,
            received_on=ec.today,
            region_code=effect.region_code,
            category=effect.category,
            details=details,
            pii=dict(effect.pii),
            urgent=effect.urgent,
            conversation_id=ec.conversation.id,
            due_on=deadlines.due(due_kind, ec.today, ec.holiday_shift),
            accept_due_on=accept_due,
            lookup_hash=ec.vault.hash(lookup_code) if lookup_code else None,
        ),
    )
    applied.tickets.append(ticket)
    if effect.handoff:
        applied.handoff_ticket = ticket.number
    if effect.kind in ("petition", "home_visit", "card_preapp", "status_request", "callback"):
        saved = Saved(effect.kind, ticket.number, unit_name(ec.ctx.regions, queue), ticket.due_on, lookup_code, accept_due=accept_due)
        applied.replies.append(acknowledge(saved))
    if effect.urgent or effect.kind == "petition":
        _notify(ec, NotifyStaff(queue, f"新{'紧急' if effect.urgent else ''}工单 {ticket.number}：{effect.summary[:80]}", effect.urgent))


def _notify(ec: EffectContext, effect: NotifyStaff) -> None:
    """Queue a staff notification; the outbox worker fans it out to the unit's staff."""
    queue = queue_for(ec.ctx.regions, "crisis" if effect.urgent else "consultation", effect.region_code)
    kind = "crisis" if effect.urgent else "notification"  # crisis → duty officer and supervisors too
    ec.session.add(OutboxMessage(channel="staff", recipient=queue, kind=kind, text=effect.message))


def _find(ec: EffectContext, number: str) -> Ticket | None:
    return tickets.by_number(ec.session, number)


def _ticket_event(ec: EffectContext, number: str, actor: str, action: str, note: str) -> None:
    ticket = _find(ec, number)
    if ticket is not None:
        tickets.log(ec.session, ticket, actor, action, note=note)


def _forward(ec: EffectContext, effect: ForwardToHuman) -> None:
    _ticket_event(ec, effect.ticket, "veteran", "message", effect.text[:2000])


def _satisfaction(ec: EffectContext, effect: RecordSatisfaction) -> None:
    ticket = _find(ec, effect.ticket)
    if ticket is not None:
        ticket.satisfaction = effect.rating
        tickets.log(ec.session, ticket, "veteran", "satisfaction", to_value=effect.rating)

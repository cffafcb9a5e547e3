"""Applying a turn's effects inside the step's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.delivery.notifications import notify_unit
from bot.tickets.follow_up import Filing, file_request
from bot.tickets.intake import Intake, open_ticket
from bot.tickets.routing import DEFAULT, Routing, queue_for
from db import tickets, unanswered
from db.crypto import PiiVault, redact
from db.models import Conversation, Ticket
from intents.context import Context
from intents.flows.lookup import LookupFailed
from intents.turn import (
    Effect,
    EndHandoff,
    ForwardToHuman,
    NotifyStaff,
    OpenTicket,
    RecordSatisfaction,
    RecordUnanswered,
    RequestFollowUp,
)


@dataclass
class Applied:
    """What applying effects produced: extra reply lines and the tickets touched."""

    replies: list[str] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    handoff_ticket: str | None = None
    secrets: list[str] = field(
        default_factory=list
    )  # shown to the veteran once; masked in the message log
    lookup_failures: list[dt.datetime] = field(default_factory=list)
    merged: list[Ticket] = field(default_factory=list)  # added to an open case, not opened

    def masked(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "*" * len(secret))
        return text


@dataclass(frozen=True)
class EffectContext:
    session: Session
    ctx: Context
    vault: PiiVault
    conversation: Conversation
    today: dt.date
    channel: str
    routing: Routing = DEFAULT


def apply_all(ec: EffectContext, effects: tuple[Effect, ...]) -> Applied:
    applied = Applied()
    notified = any(isinstance(e, NotifyStaff) for e in effects)
    for effect in effects:
        if isinstance(effect, OpenTicket):
            _open_ticket(ec, effect, applied, notify=not (effect.urgent and notified))
        elif isinstance(effect, LookupFailed):
            applied.lookup_failures.append(effect.at)
        elif isinstance(effect, RecordUnanswered):
            unanswered.record(
                ec.session, effect.text, effect.confidence, effect.candidates, ec.channel
            )
        elif isinstance(effect, NotifyStaff):
            urgent = next((t for t in reversed(applied.tickets) if t.urgent), None)
            if urgent is None or urgent not in applied.merged:  # staff told once per case
                _notify(ec, effect, urgent)
        elif isinstance(effect, ForwardToHuman):
            _forward(ec, effect)
        elif isinstance(effect, EndHandoff):
            _ticket_event(
                ec, effect.ticket, "veteran", "end_handoff", "veteran ended the human session"
            )
        elif isinstance(effect, RecordSatisfaction):
            _satisfaction(ec, effect)
        elif isinstance(effect, RequestFollowUp):
            _request_follow_up(ec, effect, applied)
    return applied


def _open_ticket(
    ec: EffectContext, effect: OpenTicket, applied: Applied, notify: bool = True
) -> None:
    intake = Intake(
        ec.session,
        ec.vault,
        ec.ctx.regions,
        ec.today,
        ec.conversation.id,
        ec.routing,
        ec.ctx.deadlines,
    )
    opened = open_ticket(intake, effect, notify)
    applied.tickets.append(opened.ticket)
    if opened.merged:
        applied.merged.append(opened.ticket)
    if effect.handoff:
        applied.handoff_ticket = opened.ticket.number
    if opened.reply:
        applied.replies.append(opened.reply)
    if opened.secret:
        applied.secrets.append(opened.secret)


def _request_follow_up(ec: EffectContext, effect: RequestFollowUp, applied: Applied) -> None:
    """复查/复核: a linked ticket one level up, or the reason it cannot be filed."""
    filing = Filing(ec.session, ec.ctx.regions, ec.today, ec.ctx.deadlines)
    result = file_request(filing, effect)
    if result.ticket is not None:
        applied.tickets.append(result.ticket)
    applied.replies.append(result.reply)


def _notify(ec: EffectContext, effect: NotifyStaff, ticket: Ticket | None = None) -> None:
    """Queue a staff notification; the outbox worker fans it out to the unit's staff.
    An urgent one names the crisis ticket opened in the same turn."""
    queue = (
        ticket.queue
        if ticket
        else queue_for(
            ec.ctx.regions,
            "crisis" if effect.urgent else "consultation",
            effect.region_code,
            routing=ec.routing,
        )
    )
    text = f"{effect.message}（工单 {ticket.number}）" if ticket else effect.message
    notify_unit(ec.session, queue, text, effect.urgent, ticket.id if ticket else None)


def _find(ec: EffectContext, number: str) -> Ticket | None:
    return tickets.by_number(ec.session, number)


def _ticket_event(ec: EffectContext, number: str, actor: str, action: str, note: str) -> None:
    ticket = _find(ec, number)
    if ticket is not None:
        tickets.log(ec.session, ticket, actor, action, note=note)


def _forward(ec: EffectContext, effect: ForwardToHuman) -> None:
    _ticket_event(ec, effect.ticket, "veteran", "message", redact(effect.text[:2000]))


def _satisfaction(ec: EffectContext, effect: RecordSatisfaction) -> None:
    ticket = _find(ec, effect.ticket)
    if ticket is not None:
        ticket.satisfaction = effect.rating
        tickets.log(ec.session, ticket, "veteran", "satisfaction", to_value=effect.rating)

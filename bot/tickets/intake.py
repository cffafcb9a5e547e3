"""Turning an ``OpenTicket`` effect into a ticket, inside the step's transaction:
duplicate check (petitions), routing, deadlines, the private lookup code, the
acknowledgement text and the staff notification."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.delivery.notifications import notify_unit
from bot.tickets import repeat_petitions
from bot.tickets.routing import DEFAULT, Routing, queue_for, unit_name
from db import ticket_queries, tickets
from db.crypto import PiiVault, redact
from db.models import Ticket
from intents.deadlines import KINDS, STATUTORY, Deadlines
from intents.receipts import Saved, acknowledge
from intents.turn import OpenTicket
from intents.vocabulary import TicketKind
from knowledge.regions import RegionTree

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out on the phone
CODE_LENGTH = 6
ACKNOWLEDGED = frozenset({"petition", "home_visit", "card_preapp", "status_request", "callback"})


@dataclass(frozen=True)
class Intake:
    """What the shell lends: the transaction, keys, the region tree and the rules."""

    session: Session
    vault: PiiVault
    regions: RegionTree
    today: dt.date
    conversation_id: int | None = None
    routing: Routing = DEFAULT
    deadlines: Deadlines = STATUTORY


@dataclass
class Opened:
    ticket: Ticket
    reply: str | None = None  # the acknowledgement for the veteran
    secret: str | None = None  # the lookup code: shown once, stored only hashed, masked in logs
    merged: bool = False


def new_lookup_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def open_ticket(intake: Intake, effect: OpenTicket, notify: bool = True) -> Opened:
    if effect.kind == "crisis":
        existing = _open_crisis(intake)
        if existing is not None:
            return _append_crisis(intake, existing, effect)
    if effect.kind == "petition" and effect.pii:
        text = (
            f"{effect.details.get('facts', '')} {effect.details.get('request', '')}".strip()
            or effect.summary
        )
        existing = repeat_petitions.find(
            intake.session, intake.vault, effect.pii, effect.category, text, intake.today
        )
        if existing is not None:
            return _merge(intake, existing, effect, text)
    return _create(intake, effect, notify)


def _create(intake: Intake, effect: OpenTicket, notify: bool) -> Opened:
    queue = queue_for(
        intake.regions, effect.kind, effect.region_code, effect.category, intake.routing
    )
    petition = effect.kind == "petition"
    code = new_lookup_code() if petition else None
    accept_due = intake.deadlines.due("petition_accept", intake.today) if petition else None
    due_kind = "petition_handle" if petition else effect.kind
    ticket = tickets.create(
        intake.session,
        intake.vault,
        tickets.NewTicket(
            kind=effect.kind,
            queue=queue,
            summary=redact(effect.summary),
            received_on=intake.today,
            region_code=effect.region_code,
            category=effect.category,
            details=_details(effect),
            pii=dict(effect.pii),
            urgent=effect.urgent,
            conversation_id=intake.conversation_id,
            due_on=intake.deadlines.due(due_kind, intake.today) if due_kind in KINDS else None,
            accept_due_on=accept_due,
            lookup_hash=intake.vault.hash(code) if code else None,
            parent_id=_follow_up_of(intake, effect),
        ),
    )
    opened = Opened(ticket, secret=code)
    if effect.kind in ACKNOWLEDGED or (effect.kind == "consultation" and effect.pii):
        unit = unit_name(intake.regions, queue)
        opened.reply = acknowledge(
            Saved(effect.kind, ticket.number, unit, ticket.due_on, code, accept_due=accept_due)
        )
    if notify:  # every new ticket tells its unit (首问负责: someone must pick it up)
        label = "紧急" if effect.urgent else ""
        notify_unit(
            intake.session,
            queue,
            f"新{label}工单 {ticket.number}：{ticket.summary[:80]}",
            effect.urgent,
            ticket.id,
        )
    return opened


#: one urgent crisis ticket per person: a crisis message while one received today or
#: yesterday (China) is still open is added to it, and staff are not told again
CRISIS_WINDOW_DAYS = 1


def _open_crisis(intake: Intake) -> Ticket | None:
    if intake.conversation_id is None:
        return None
    since = intake.today - dt.timedelta(days=CRISIS_WINDOW_DAYS)
    return ticket_queries.open_of_conversation(
        intake.session, intake.conversation_id, TicketKind.CRISIS, since
    )


def _append_crisis(intake: Intake, existing: Ticket, effect: OpenTicket) -> Opened:
    """The same person again: the message goes on the open urgent ticket (staff see it
    there), no second ticket and no second alarm."""
    tickets.log(intake.session, existing, "veteran", "message", note=redact(effect.summary)[:2000])
    return Opened(existing, merged=True)


FOLLOW_UP_DAYS = 30
FOLLOW_UP_KINDS = frozenset({"consultation", "callback"})


def _follow_up_of(intake: Intake, effect: OpenTicket) -> int | None:
    """A veteran who writes again after their case was closed gets a new ticket linked to
    the old one (within 30 days), so staff see the history instead of a stranger."""
    if effect.kind not in FOLLOW_UP_KINDS or intake.conversation_id is None:
        return None
    since = dt.datetime.combine(intake.today - dt.timedelta(days=FOLLOW_UP_DAYS), dt.time(), dt.UTC)
    return ticket_queries.recently_answered(intake.session, intake.conversation_id, since)


def walk_in(
    intake: Intake,
    region_code: str | None,
    summary: str,
    category: str | None,
    details: Mapping[str, object],
    actor: str,
) -> Ticket:
    """A consultation staff take at the counter or on the phone (来访/来电): routed like the
    bot's, with its 5-working-day target; the caller claims it (首问负责)."""
    kind = TicketKind.CONSULTATION
    new = tickets.NewTicket(
        kind=kind,
        queue=queue_for(intake.regions, kind, region_code, category, intake.routing),
        summary=redact(summary),
        received_on=intake.today,
        region_code=region_code,
        category=category,
        details=dict(details),
        due_on=intake.deadlines.due(kind, intake.today),
    )
    return tickets.create(intake.session, intake.vault, new, actor=actor)


def _details(effect: OpenTicket) -> dict[str, Any]:
    details = {k: redact(v) if isinstance(v, str) else v for k, v in effect.details.items()}
    if effect.excerpt:
        details["excerpt"] = [redact(line) for line in effect.excerpt]
    return details


def _merge(intake: Intake, existing: Ticket, effect: OpenTicket, text: str) -> Opened:
    """Same person, same matter: add it to the open case and say its number."""
    tickets.log(
        intake.session,
        existing,
        "veteran",
        "merged",
        None,
        existing.number,
        "再次反映（已并入）：" + redact(text)[:1500],
    )
    notify_unit(
        intake.session,
        existing.queue,
        f"工单 {existing.number} 的当事人再次反映同一事项，已并入原件。",
        False,
        existing.id,
    )
    saved = Saved(
        "petition",
        existing.number,
        unit_name(intake.regions, existing.queue),
        existing.due_on,
        merged=True,
    )
    return Opened(existing, acknowledge(saved), None, True)

"""复查/复核 asked for in chat, over the DB: where a petition stands (lent to the
engine through the ticket directory) and filing the ``RequestFollowUp`` effect
inside the step's transaction: a linked ticket for the level above. The wording and the
window rule are the engine's (``intents.follow_ups``), so the check made before
the veteran writes a reason and the one made when filing cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.delivery.notifications import notify_unit
from bot.tickets.routing import parent_queue, unit_name
from db import follow_ups, ticket_queries, tickets
from db.crypto import redact
from db.models import Ticket
from intents import follow_ups as rules
from intents.context import PetitionCase
from intents.deadlines import STATUTORY, Deadlines
from intents.turn import RequestFollowUp
from intents.vocabulary import Stage, TicketKind
from knowledge.regions import RegionTree

SUMMARY_CHARS = 1000


def latest_step(session: Session, ticket: Ticket) -> Ticket:
    """The petition's latest 复查/复核 ticket, or the petition itself when none was asked."""
    current = ticket
    for _ in tickets.STAGES:
        child = ticket_queries.latest_follow_up(session, current, follow_ups.NEXT_STAGE.values())
        if child is None:
            break
        current = child
    return current


def petition_case(session: Session, regions: RegionTree, ticket: Ticket) -> PetitionCase:
    return case_of(regions, latest_step(session, ticket))


def case_of(regions: RegionTree, ticket: Ticket) -> PetitionCase:
    replied = ticket.status in ("replied", "closed")
    return PetitionCase(
        number=ticket.number,
        stage=Stage(ticket.stage),
        status=tickets.STATUS_NAMES.get(ticket.status, ticket.status),
        open=ticket.status in tickets.OPEN,
        replied_on=ticket.replied_on if replied else None,
        due=_reply_due(ticket),
        next_stage=_next_stage(ticket),
        next_unit=unit_name(regions, parent_queue(regions, ticket.queue) or ticket.queue),
    )


def _next_stage(ticket: Ticket) -> Stage | None:
    following = follow_ups.NEXT_STAGE.get(ticket.stage)
    return Stage(following) if following else None


def _reply_due(ticket: Ticket) -> dt.date | None:
    """When the written answer is due: 60 days from 受理 (so not yet known while a
    petition waits to be accepted), 30 days from the request for 复查/复核."""
    if ticket.status not in tickets.OPEN:
        return None
    if ticket.stage == "initial" and ticket.status == "new":
        return None
    return ticket.due_on


@dataclass(frozen=True)
class Filing:
    """What the shell lends: the transaction, the region tree, the day, the rules."""

    session: Session
    regions: RegionTree
    today: dt.date
    deadlines: Deadlines = STATUTORY


@dataclass(frozen=True)
class Result:
    reply: str  # the receipt, or why it could not be filed
    ticket: Ticket | None = None


def file_request(filing: Filing, effect: RequestFollowUp) -> Result:
    """Check again (a day may have passed since the number was checked), then file."""
    found = tickets.by_number(filing.session, effect.number)
    if found is None or found.kind != "petition":
        return Result(rules.UNAVAILABLE)
    parent = latest_step(filing.session, found)
    why_not = rules.refusal(case_of(filing.regions, parent), filing.today, filing.deadlines)
    if why_not is not None:
        return Result(why_not)
    try:
        child = request_follow_up(filing, parent, _summary(parent, effect.reason))
    except tickets.TicketError:
        return Result(rules.UNAVAILABLE)
    _notify(filing, parent, child)
    return Result(rules.receipt(_filed(filing.regions, parent, child)), child)


def request_follow_up(filing: Filing, parent: Ticket, summary: str, actor: str = "bot") -> Ticket:
    """复查 (after a reply) or 复核 (after a 复查 answer): a new ticket for the level above,
    linked to ``parent``, due 30 days after the request (第三十五、三十六条); refused
    outside the 30-day request window or after 复核."""
    stage = follow_ups.follow_up_stage(parent)
    assert parent.replied_on is not None  # follow_up_stage checked it
    window_end = filing.deadlines.due(stage, parent.replied_on)
    if filing.today > window_end:
        raise tickets.TicketError(
            f"复查/复核 must be requested by {window_end.isoformat()} (30 days after the reply)"
        )
    new = tickets.NewTicket(
        kind=TicketKind.PETITION,
        queue=parent_queue(filing.regions, parent.queue) or parent.queue,
        summary=summary,
        received_on=filing.today,
        due_on=filing.deadlines.due(stage, filing.today),
        stage=stage,
    )
    return follow_ups.open_follow_up(filing.session, parent, new, actor)


def _summary(parent: Ticket, reason: str) -> str:
    name = rules.stage_name(follow_ups.follow_up_stage(parent))
    return f"【请求{name}·原件{parent.number}】{redact(reason)}"[:SUMMARY_CHARS]


def _filed(regions: RegionTree, parent: Ticket, child: Ticket) -> rules.Filed:
    return rules.Filed(
        number=child.number,
        stage=child.stage,
        parent=parent.number,
        parent_stage=parent.stage,
        unit=unit_name(regions, child.queue),
        due=child.due_on,
    )


def _notify(filing: Filing, parent: Ticket, child: Ticket) -> None:
    """Every new ticket tells its unit (首问负责: someone must pick it up)."""
    name = rules.stage_name(child.stage)
    notify_unit(
        filing.session,
        child.queue,
        f"新{name}请求 {child.number}（对 {parent.number} 的答复）：{child.summary[:80]}",
        False,
        child.id,
    )

"""Petition steps that move a deadline (《信访工作条例》): 受理 starts the 60 days,
延期 adds at most 30 (once, with reasons), 答复 opens the 30-day window for 复查,
and 复查/复核 are linked tickets at the level above, each answered within 30 days.
Status rules live in ``db.tickets``; the day counting in ``intents.deadlines``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.tickets.routing import parent_queue
from db import follow_ups, tickets
from db.models import Ticket
from intents.deadlines import MAX_EXTENSION_DAYS, STATUTORY, Deadlines
from knowledge.regions import RegionTree


def accept(
    session: Session,
    ticket: Ticket,
    actor: str,
    on: dt.date,
    note: str = "",
    days: Deadlines = STATUTORY,
) -> None:
    """受理: the 60 days to handle and reply run from the day of acceptance (第三十四条)."""
    due = days.due("petition_handle", on) if ticket.kind == "petition" else None
    tickets.set_status(session, ticket, "accepted", actor, on, note, due_on=due)


def extend(
    session: Session,
    ticket: Ticket,
    actor: str,
    on: dt.date,
    reason: str,
    days: Deadlines = STATUTORY,
) -> None:
    """延期: up to 30 more days after the original deadline, once, with reasons (第三十四条)."""
    if ticket.due_on is None:
        raise tickets.TicketError("no deadline to extend")
    due = days.add_calendar_days(ticket.due_on, MAX_EXTENSION_DAYS)
    tickets.set_status(session, ticket, "extended", actor, on, reason, due_on=due)


def reply(session: Session, ticket: Ticket, actor: str, on: dt.date, note: str = "") -> None:
    """书面答复: the petitioner may ask for 复查 within 30 days of it."""
    tickets.set_status(session, ticket, "replied", actor, on, note)


def request_follow_up(
    session: Session,
    regions: RegionTree,
    parent: Ticket,
    on: dt.date,
    summary: str,
    actor: str = "bot",
    days: Deadlines = STATUTORY,
) -> Ticket:
    """复查 (after a reply) or 复核 (after a 复查 answer): a new ticket for the level above,
    linked to ``parent``; refused outside the 30-day request window or after 复核."""
    stage = follow_ups.follow_up_stage(parent)
    assert parent.replied_on is not None  # follow_up_stage checked it
    window_end = days.due(stage, parent.replied_on)
    if on > window_end:
        raise tickets.TicketError(
            f"复查/复核 must be requested by {window_end.isoformat()} (30 days after the reply)"
        )
    queue = parent_queue(regions, parent.queue) or parent.queue
    new = tickets.NewTicket(
        kind="petition",
        queue=queue,
        summary=summary,
        received_on=on,
        due_on=days.due(stage, on),
        stage=stage,
    )
    return follow_ups.open_follow_up(session, parent, new, actor)

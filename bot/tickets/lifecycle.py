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
from intents import deadlines
from knowledge.holidays import OFFICIAL, WorkCalendar
from knowledge.regions import RegionTree


def accept(
    session: Session,
    ticket: Ticket,
    actor: str,
    on: dt.date,
    note: str = "",
    shift: bool = True,
    cal: WorkCalendar = OFFICIAL,
) -> None:
    """受理: the 60 days to handle and reply run from the day of acceptance (第三十四条)."""
    due = deadlines.due("petition_handle", on, shift, cal) if ticket.kind == "petition" else None
    tickets.set_status(session, ticket, "accepted", actor, on, note, due_on=due)


def extend(
    session: Session,
    ticket: Ticket,
    actor: str,
    on: dt.date,
    reason: str,
    shift: bool = True,
    cal: WorkCalendar = OFFICIAL,
) -> None:
    """延期: up to 30 more days after the original deadline, once, with reasons (第三十四条)."""
    if ticket.due_on is None:
        raise tickets.TicketError("no deadline to extend")
    due = deadlines.add_calendar_days(
        ticket.due_on, deadlines.CALENDAR_DAYS["petition_extension"][0], shift, cal
    )
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
    shift: bool = True,
    cal: WorkCalendar = OFFICIAL,
) -> Ticket:
    """复查 (after a reply) or 复核 (after a 复查 answer): a new ticket for the level above,
    linked to ``parent``; refused outside the 30-day request window or after 复核."""
    stage = follow_ups.follow_up_stage(parent)
    assert parent.replied_on is not None  # follow_up_stage checked it
    window_end = deadlines.due(stage, parent.replied_on, shift, cal)
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
        due_on=deadlines.due(stage, on, shift, cal),
        stage=stage,
    )
    return follow_ups.open_follow_up(session, parent, new, actor)

"""The deadline sweeper (in-process, safe with several workers).

Every ``Settings.scheduler_seconds`` it: flags tickets whose deadline is near
(due soon) and tells their unit once; escalates overdue tickets to the parent
region's queue (village → town → county → city), tells the new unit and logs
it. Each sweep is one transaction over rows claimed with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` serialises writers), so
two server processes never escalate or notify the same ticket twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.notifications import notify_unit
from bot.process import background
from bot.process.runtime import Runtime
from bot.tickets.routing import parent_queue, unit_name
from db import tickets
from db.models import Ticket
from db.session import transaction
from db.ticket_queries import deadline_of, to_escalate, to_flag_due_soon
from knowledge.clock import Clock
from knowledge.regions import RegionTree

DUE_SOON_DAYS = 3  # calendar days before the deadline
ESCALATE_AGAIN = dt.timedelta(
    days=3
)  # still overdue this long after an escalation → one level further
log = logging.getLogger("vetbot.scheduler")


@dataclass
class Sweep:
    escalated: list[str] = field(default_factory=list)
    due_soon: list[str] = field(default_factory=list)


def sweep(sessions: sessionmaker[Session], regions: RegionTree, today: dt.date) -> Sweep:
    """One pass: due-soon flags, then escalations, in one transaction."""
    result = Sweep()
    with transaction(sessions) as session:
        for ticket in to_flag_due_soon(session, today, DUE_SOON_DAYS):
            _flag_due_soon(session, ticket)
            result.due_soon.append(ticket.number)
        for ticket in to_escalate(session, today, ESCALATE_AGAIN):
            _escalate(session, regions, ticket, today)
            result.escalated.append(ticket.number)
    return result


def _flag_due_soon(session: Session, ticket: Ticket) -> None:
    due = deadline_of(ticket)
    ticket.due_soon = True
    tickets.log(
        session, ticket, "system", "due_soon", None, due.isoformat() if due else None, "期限将至"
    )
    notify_unit(
        session,
        ticket.queue,
        f"工单 {ticket.number} 将于 {due:%Y-%m-%d} 到期，请抓紧办理。",
        False,
        ticket.id,
    )


def _escalate(session: Session, regions: RegionTree, ticket: Ticket, today: dt.date) -> None:
    due = deadline_of(ticket)
    why = f"超过期限 {due:%Y-%m-%d} 未办结，系统自动上报" if due else "超期未办结，系统自动上报"
    target = parent_queue(regions, ticket.queue)
    if target is None:  # already at the top: stay, but remind and record it
        ticket.escalated_on = today
        tickets.log(
            session,
            ticket,
            "system",
            "overdue",
            ticket.queue,
            ticket.queue,
            why + "（已是最高一级）",
        )
        notify_unit(
            session, ticket.queue, f"工单 {ticket.number} 已超期：{why}。", False, ticket.id
        )
        return
    source = unit_name(regions, ticket.queue)
    tickets.escalate(session, ticket, target, "system", why, today)
    notify_unit(
        session,
        target,
        f"工单 {ticket.number} 已超期，由{source}上报至本单位：{why}。",
        False,
        ticket.id,
    )


async def run(
    sessions: sessionmaker[Session],
    regions: RegionTree,
    clock: Clock,
    every_seconds: float,
    stop: asyncio.Event,
) -> None:
    """Sweep every ``every_seconds`` until ``stop`` is set; a sweep in progress always
    finishes (its transaction commits or rolls back); a failed sweep is logged and retried."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
        if stop.is_set():
            return
        try:
            done = await asyncio.to_thread(sweep, sessions, regions, clock.today())
            if done.escalated or done.due_soon:
                log.info(
                    "sweep: %d escalated, %d due soon", len(done.escalated), len(done.due_soon)
                )
        except Exception:  # keep the server alive; the next sweep retries
            log.exception("deadline sweep failed")


def running(rt: Runtime) -> AbstractAsyncContextManager[None]:
    """Run the sweeper for the app's lifetime (``scheduler_seconds`` 0 turns it off)."""
    every = rt.settings.scheduler_seconds
    return background.running(
        lambda stop: run(rt.sessions, rt.ctx.regions, rt.clock, every, stop), every > 0
    )

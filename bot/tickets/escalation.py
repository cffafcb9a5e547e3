"""The deadline sweeper (in-process, safe with several workers).

Every ``Settings.scheduler_seconds`` it: flags tickets whose deadline is near (due
soon) and tells their unit once; escalates overdue tickets with
``actions.escalate_overdue`` — the same "one level up" (``routing.parent_queue``:
village → town → county → city, then it stays) as staff escalating by hand — which
tells the new unit and logs it. Each sweep is one transaction over rows claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` serialises
writers), so two server processes never escalate or notify the same ticket twice.
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
from bot.tickets import actions
from db import tickets
from db.models import Ticket
from db.session import transaction
from db.ticket_queries import deadline_of, to_escalate, to_flag_due_soon
from knowledge.clock import Clock
from knowledge.regions import RegionTree

#: still overdue this long after an escalation → one level further
ESCALATE_AGAIN = dt.timedelta(days=3)
log = logging.getLogger("vetbot.scheduler")


@dataclass
class Sweep:
    escalated: list[str] = field(default_factory=list)
    due_soon: list[str] = field(default_factory=list)


def sweep(sessions: sessionmaker[Session], regions: RegionTree, today: dt.date) -> Sweep:
    """One pass: due-soon flags, then escalations, in one transaction."""
    result = Sweep()
    with transaction(sessions) as session:
        for ticket in to_flag_due_soon(session, today):
            _flag_due_soon(session, ticket)
            result.due_soon.append(ticket.number)
        for ticket in to_escalate(session, today, ESCALATE_AGAIN):
            actions.escalate_overdue(session, regions, ticket, today)
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

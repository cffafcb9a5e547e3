"""A staff member at their desk for tests: acts on tickets through ``bot.tickets.actions``
(the console's rules) on a chosen day of the runtime's pinned clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.console.scope import StaffUser
from bot.process.runtime import Runtime
from bot.tickets import actions
from db import staff, tickets
from db.models import Ticket
from db.session import transaction
from knowledge.clock import FixedClock

PASSWORD = "desk-password-1"


def hire(rt: Runtime, username: str, role: str, region: str) -> StaffUser:
    """A staff account (or the existing one of that name)."""
    with transaction(rt.sessions) as session:
        member = staff.by_username(session, username) or staff.create(
            session, username, PASSWORD, role, region, username
        )
        return actions.as_user(member)


def on(rt: Runtime, day: dt.date) -> None:
    """Move the runtime's clock to 10:00 China time on ``day``."""
    assert isinstance(rt.clock, FixedClock), "tests run on a pinned clock"
    rt.clock.at = FixedClock.on(day).at


def act(rt: Runtime, number: str, do: Callable[[Session, Ticket], object]) -> Ticket:
    """One action on ticket ``number`` in its own transaction; returns the ticket after it."""
    with transaction(rt.sessions) as session:
        ticket = tickets.by_number(session, number)
        assert ticket is not None, number
        do(session, ticket)
        session.flush()
        session.expunge(ticket)
        return ticket

"""A veteran who comes back after their case was answered gets a new ticket linked
to the old one, so staff see the history (首问负责 continues)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.console import outreach
from bot.runtime import Runtime
from bot.shell import handle
from db import tickets
from db.models import OutboxMessage, Ticket
from db.session import transaction
from intents.turn import Inbound

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def say(rt: Runtime, text: str, minutes: int = 0) -> None:
    handle(rt, Inbound("web", "vet-1", text, AT + dt.timedelta(minutes=minutes)))


def test_writing_again_after_the_answer_opens_a_linked_ticket(runtime: Runtime) -> None:
    say(runtime, "转人工")
    with transaction(runtime.sessions) as s:
        first = s.scalars(select(Ticket)).one()
        tickets.set_status(s, first, "in_progress", "staff:t", dt.date(2026, 3, 2))
        tickets.set_status(s, first, "replied", "staff:t", dt.date(2026, 3, 2), note="已电话答复")
        outreach.release(runtime, s, first, "staff:t", say=False)
        first_id = first.id
    say(runtime, "我还有个问题，转人工", minutes=5)
    with transaction(runtime.sessions) as s:
        rows = s.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert len(rows) == 2
        assert rows[1].parent_id == first_id
        notified = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "staff")).all()
        assert len(notified) >= 2, "each new ticket tells its unit"


def test_a_first_request_is_not_linked_to_anything(runtime: Runtime) -> None:
    say(runtime, "转人工")
    with transaction(runtime.sessions) as s:
        assert s.scalars(select(Ticket)).one().parent_id is None


def test_numbers_typed_to_staff_are_masked_in_the_ticket_log(runtime: Runtime) -> None:
    say(runtime, "转人工")
    say(runtime, "我电话13812345678，身份证11010519491231002X", minutes=1)
    with transaction(runtime.sessions) as s:
        notes = " ".join(e.note for e in tickets.events(s, s.scalars(select(Ticket)).one().id))
    assert "138****5678" in notes
    assert "13812345678" not in notes and "11010519491231002X" not in notes

"""Floods (issue 13 §5): one person repeating a crisis message, sending too fast, or
guessing a ticket's lookup code from fresh conversations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.process.runtime import Runtime
from bot.shell.inbound import handle
from db.models import OutboxMessage, Ticket, TicketEvent
from db.session import transaction
from intents.turn import Inbound

CRISIS = "活着没意思，我不想活了"


def say(rt: Runtime, user: str, text: str, channel: str = "wechat", n: int = 0) -> str:
    inbound = Inbound(channel, user, text, rt.clock.now(), msg_id=f"{user}-{n}")
    return handle(rt, inbound, dedupe_key=f"{user}-{n}-{text}").text()


def crisis_tickets(rt: Runtime) -> list[Ticket]:
    with rt.sessions() as s:
        return list(s.scalars(select(Ticket).where(Ticket.kind == "crisis").order_by(Ticket.id)))


def staff_alarms(rt: Runtime) -> int:
    with rt.sessions() as s:
        stmt = select(func.count()).select_from(OutboxMessage)
        return int(s.scalar(stmt.where(OutboxMessage.channel == "staff")) or 0)


def test_the_same_crisis_message_twenty_times_is_one_urgent_case_staff_hear_of_once(
    runtime: Runtime,
) -> None:
    answers = [say(runtime, "o-crisis", CRISIS + "。" * i, n=i) for i in range(20)]
    assert all("12356" in a for a in answers)  # every message still gets the care answer
    [ticket] = crisis_tickets(runtime)
    assert ticket.urgent
    assert staff_alarms(runtime) == 1
    with runtime.sessions() as s:
        notes = list(
            s.scalars(
                select(TicketEvent.note).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.action == "message"
                )
            )
        )
    assert len(notes) == 19 and all("不想活了" in n for n in notes)


def test_another_person_or_a_closed_case_gets_its_own_urgent_ticket(runtime: Runtime) -> None:
    say(runtime, "o-a", CRISIS, n=1)
    say(runtime, "o-b", CRISIS, n=1)
    assert len(crisis_tickets(runtime)) == 2
    with transaction(runtime.sessions) as s:
        s.get(Ticket, crisis_tickets(runtime)[0].id).status = "closed"  # type: ignore[union-attr]
    say(runtime, "o-a", CRISIS, n=2)
    assert len(crisis_tickets(runtime)) == 3
    assert staff_alarms(runtime) == 3


def test_a_crisis_two_days_after_the_first_alarm_alarms_again(runtime: Runtime) -> None:
    say(runtime, "o-c", CRISIS, n=1)
    runtime.clock.advance(dt.timedelta(days=2))  # type: ignore[attr-defined]
    say(runtime, "o-c", CRISIS, n=2)
    assert len(crisis_tickets(runtime)) == 2 and staff_alarms(runtime) == 2

"""The deadline sweeper: overdue tickets climb village → town → county → city with an
event and a staff notification each time; due-soon is flagged once; several workers
sweeping at the same moment never escalate or notify a ticket twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.app import create_app
from bot.process.runtime import Runtime
from bot.tickets import escalation
from db import tickets
from db.models import OutboxMessage, Ticket, TicketEvent
from db.session import transaction

D = dt.date
VILLAGE, TOWN, COUNTY, CITY = "990101001", "990101", "990100", "9901"


def make(
    rt: Runtime, queue: str, accept_due: dt.date | None, due: dt.date | None, kind: str = "petition"
) -> int:
    with transaction(rt.sessions) as session:
        ticket = tickets.create(
            session,
            rt.vault,
            tickets.NewTicket(
                kind=kind,
                queue=queue,
                summary="优抚金未发放",
                received_on=D(2026, 3, 2),
                region_code=VILLAGE,
                due_on=due,
                accept_due_on=accept_due,
            ),
        )
        return ticket.id


def state(
    rt: Runtime, ticket_id: int
) -> tuple[str, list[tuple[str, str | None, str | None]], list[str]]:
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        events = [
            (e.action, e.from_value, e.to_value)
            for e in tickets.events(session, ticket_id)
            if e.action != "created"
        ]
        notes = [
            o.recipient
            for o in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.ticket_id == ticket_id)
                .order_by(OutboxMessage.id)
            )
        ]
        return ticket.queue, events, notes


def test_overdue_tickets_climb_the_region_tree_one_level_per_sweep(runtime: Runtime) -> None:
    regions = runtime.ctx.regions
    tid = make(runtime, VILLAGE, D(2026, 3, 17), D(2026, 5, 6))
    assert (
        escalation.sweep(runtime.sessions, regions, D(2026, 3, 17)).escalated == []
    )  # due today: not yet late
    assert escalation.sweep(runtime.sessions, regions, D(2026, 3, 18)).escalated == [
        "XF-20260302-0001"
    ]
    assert state(runtime, tid)[0] == TOWN
    assert (
        escalation.sweep(runtime.sessions, regions, D(2026, 3, 19)).escalated == []
    )  # just escalated
    escalation.sweep(runtime.sessions, regions, D(2026, 3, 21))
    escalation.sweep(runtime.sessions, regions, D(2026, 3, 24))
    escalation.sweep(runtime.sessions, regions, D(2026, 3, 27))  # at the city: stays, reminded
    queue, events, notes = state(runtime, tid)
    assert queue == CITY
    assert [e for e in events if e[0] in ("escalate", "overdue")] == [
        ("escalate", VILLAGE, TOWN),
        ("escalate", TOWN, COUNTY),
        ("escalate", COUNTY, CITY),
        ("overdue", CITY, CITY),
    ]
    assert notes == [
        VILLAGE,
        TOWN,
        COUNTY,
        CITY,
        CITY,
    ]  # due soon (on the last day), then each escalation


def test_an_accepted_petition_runs_against_its_60_days_not_the_15(runtime: Runtime) -> None:
    tid = make(runtime, TOWN, D(2026, 3, 17), D(2026, 5, 6))
    with transaction(runtime.sessions) as session:
        ticket = session.get(Ticket, tid)
        assert ticket is not None
        tickets.set_status(
            session, ticket, "accepted", "staff:li", D(2026, 3, 10), due_on=D(2026, 5, 9)
        )
    assert escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 4, 1)).escalated == []
    assert escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 5, 10)).escalated == [
        "XF-20260302-0001"
    ]


def test_closed_and_replied_tickets_are_never_escalated(runtime: Runtime) -> None:
    tid = make(runtime, TOWN, D(2026, 3, 17), D(2026, 5, 6))
    with transaction(runtime.sessions) as session:
        ticket = session.get(Ticket, tid)
        assert ticket is not None
        tickets.set_status(session, ticket, "accepted", "staff:li", D(2026, 3, 3))
        tickets.set_status(session, ticket, "replied", "staff:li", D(2026, 3, 4))
    assert escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 12, 1)).escalated == []


def test_due_soon_is_flagged_and_told_once(runtime: Runtime) -> None:
    tid = make(runtime, TOWN, None, D(2026, 3, 9), kind="consultation")
    far = make(runtime, TOWN, None, D(2026, 3, 20), kind="consultation")
    assert escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 3, 6)).due_soon == [
        "ZX-20260302-0001"
    ]
    assert escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 3, 7)).due_soon == []
    _, events, notes = state(runtime, tid)
    assert events == [("due_soon", None, "2026-03-09")] and notes == [TOWN]
    assert state(runtime, far)[1] == []


def test_concurrent_sweeps_escalate_and_notify_each_ticket_once(runtime: Runtime) -> None:
    ids = [make(runtime, TOWN, D(2026, 3, 17), D(2026, 5, 6)) for _ in range(20)]
    barrier = threading.Barrier(4)
    results: list[escalation.Sweep] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 4, 1)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:2]
    escalated = [n for r in results for n in r.escalated]
    assert len(escalated) == 20 and len(set(escalated)) == 20
    with runtime.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(TicketEvent)
                .where(TicketEvent.action == "escalate")
            )
            == 20
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.ticket_id.in_(ids))
            )
            == 20
        )
        assert set(session.scalars(select(Ticket.queue))) == {COUNTY}


def test_the_server_runs_the_sweeper_in_its_lifespan(runtime: Runtime) -> None:
    tid = make(runtime, TOWN, D(2025, 1, 17), D(2025, 3, 3))  # long overdue by the real clock
    fast = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"scheduler_seconds": 0.1})
    )
    with TestClient(create_app(runtime=fast)):
        deadline = time.monotonic() + 10
        while state(runtime, tid)[0] != COUNTY and time.monotonic() < deadline:
            time.sleep(0.05)
    assert state(runtime, tid)[0] == COUNTY

"""Tickets: the status machine, deadlines on 受理/延期, 复查/复核 as linked tickets,
one owner with transfers, 包案领导, routing rules, and the staff CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fakes import desk
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.process.runtime import Runtime
from bot.tickets import actions, routing
from bot.tickets.follow_up import Filing, request_follow_up
from db import staff, tickets
from db.models import AuditLog, Ticket
from db.session import transaction
from intents.context import Context

D = dt.date
TOWN, VILLAGE, COUNTY, CITY = "990101", "990101001", "990100", "9901"


def new_petition(rt: Runtime, on: dt.date = D(2026, 3, 2), queue: str = TOWN, **pii: str) -> str:
    with transaction(rt.sessions) as session:
        ticket = tickets.create(
            session,
            rt.vault,
            tickets.NewTicket(
                kind="petition", queue=queue, summary="【抚恤优待】优抚金未发放", received_on=on,
                region_code=VILLAGE, category="抚恤优待", details={"facts": "优抚金未发放"},
                pii=pii or {"name": "王卫国", "id_number": "110101198001010010", "phone": "13912345678"},
                due_on=D(2026, 5, 6), accept_due_on=D(2026, 3, 17),
            ),
        )  # fmt: skip
        return ticket.number


def load(rt: Runtime, number: str) -> Ticket:
    with rt.sessions() as session:
        ticket = tickets.by_number(session, number)
        assert ticket is not None
        return ticket


def test_a_petition_walks_the_status_machine_with_its_deadlines(runtime: Runtime) -> None:
    number = new_petition(runtime)
    li = desk.hire(runtime, "li", "supervisor", COUNTY)
    desk.on(runtime, D(2026, 3, 10))
    ticket = desk.act(runtime, number, lambda s, t: actions.accept(runtime, s, t, li, "已受理。"))
    assert ticket.due_on == D(
        2026, 5, 9
    )  # 60 days from acceptance; 05-09 is a 调休 working Saturday
    desk.act(
        runtime,
        number,
        lambda s, t: tickets.set_status(s, t, "in_progress", li.actor, D(2026, 3, 11)),
    )
    desk.on(runtime, D(2026, 5, 1))
    with pytest.raises(actions.ActionError, match="延期理由"):
        desk.act(runtime, number, lambda s, t: actions.extend(runtime, s, t, li, 30, "  "))
    ticket = desk.act(
        runtime, number, lambda s, t: actions.extend(runtime, s, t, li, 30, "需要调取2019年档案")
    )
    assert ticket.due_on == D(2026, 6, 8) and ticket.extended  # +30 after the original end
    desk.on(runtime, D(2026, 6, 1))
    desk.act(runtime, number, lambda s, t: actions.resolve(runtime, s, t, li, "书面答复已寄出"))
    desk.act(runtime, number, lambda s, t: actions.close(runtime, s, t, li, ""))
    with runtime.sessions() as session:
        trail = [
            (e.from_value, e.to_value)
            for e in tickets.events(session, load(runtime, number).id)
            if e.action == "status"
        ]
    assert trail == [
        ("new", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "extended"),
        ("extended", "replied"),
        ("replied", "closed"),
    ]
    assert load(runtime, number).replied_on == D(2026, 6, 1)


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], "replied"),  # a petition is first accepted (or not)
        (["accepted", "in_progress", "extended"], "extended"),  # one extension only
        (["not_accepted"], "accepted"),
        (["accepted", "replied", "closed"], "in_progress"),
    ],
)
def test_forbidden_transitions_are_refused(runtime: Runtime, path: list[str], bad: str) -> None:
    number = new_petition(runtime)
    with transaction(runtime.sessions) as session:
        ticket = tickets.by_number(session, number)
        assert ticket is not None
        for status in path:
            tickets.set_status(session, ticket, status, "staff:li", D(2026, 3, 3), "理由")
        with pytest.raises(tickets.TicketError):
            tickets.set_status(session, ticket, bad, "staff:li", D(2026, 3, 4), "理由")


def test_not_accepted_needs_a_reason(runtime: Runtime) -> None:
    number = new_petition(runtime)
    with transaction(runtime.sessions) as session, pytest.raises(tickets.TicketError):
        ticket = tickets.by_number(session, number)
        assert ticket is not None
        tickets.set_status(session, ticket, "not_accepted", "staff:li", D(2026, 3, 3))


def test_review_and_recheck_are_linked_tickets_one_level_up_and_then_no_more(
    runtime: Runtime, ctx: Context
) -> None:
    number = new_petition(runtime)
    li = desk.hire(runtime, "li", "supervisor", CITY)

    def answer(number: str, accepted: dt.date, replied: dt.date) -> None:
        desk.on(runtime, accepted)
        desk.act(runtime, number, lambda s, t: actions.accept(runtime, s, t, li, "已受理。"))
        desk.on(runtime, replied)
        desk.act(runtime, number, lambda s, t: actions.resolve(runtime, s, t, li, "书面答复"))

    def ask(parent: str, on: dt.date, why: str) -> Ticket:
        with transaction(runtime.sessions) as session:
            ticket = tickets.by_number(session, parent)
            assert ticket is not None
            child = request_follow_up(Filing(session, ctx.regions, on), ticket, why)
            session.flush()
            session.expunge(child)
            return child

    answer(number, D(2026, 3, 3), D(2026, 9, 5))
    with pytest.raises(tickets.TicketError, match="2026-10-08"):  # 30 days end in 国庆 → 10-08
        ask(number, D(2026, 10, 9), "不服答复")
    review = ask(number, D(2026, 10, 8), "不服答复，请求复查")
    assert (review.stage, review.queue) == ("review", COUNTY)
    assert review.parent_id == load(runtime, number).id
    assert review.due_on == D(2026, 11, 9)  # 11-07 is a Saturday
    assert runtime.vault.decrypt(review.id_number_enc) == "110101198001010010"
    answer(review.number, D(2026, 10, 9), D(2026, 10, 20))
    assert load(runtime, review.number).due_on == D(2026, 11, 9)  # 受理 keeps the 30 days
    recheck = ask(review.number, D(2026, 10, 25), "请求复核")
    assert (recheck.stage, recheck.parent_id, recheck.queue) == ("recheck", review.id, CITY)
    answer(recheck.number, D(2026, 10, 26), D(2026, 11, 20))
    with pytest.raises(tickets.TicketError, match="不再受理"):
        ask(recheck.number, D(2026, 11, 21), "还要复核")
    with runtime.sessions() as session:
        first = load(runtime, number)
        follow = [e.to_value for e in tickets.events(session, first.id) if e.action == "follow_up"]
    assert follow == [review.number]


def test_one_owner_transfers_record_from_to_and_why_and_a_leader_can_be_named(
    runtime: Runtime,
) -> None:
    number = new_petition(runtime)
    with transaction(runtime.sessions) as session:
        li = staff.create(session, "li", "password-li-1", "staff", TOWN)
        boss = staff.create(session, "boss", "password-boss-1", "leader", COUNTY)
        ticket = tickets.by_number(session, number)
        assert ticket is not None
        tickets.claim(session, ticket, li.id, "staff:li")
        with pytest.raises(tickets.TicketError):
            tickets.transfer(session, ticket, COUNTY, "staff:li", "")
        tickets.transfer(session, ticket, COUNTY, "staff:li", "涉及县级政策，转县局办理")
        tickets.set_leader(session, ticket, boss.id, "staff:boss", "领导包案")
        assert (ticket.queue, ticket.owner_id, ticket.leader_id) == (COUNTY, None, boss.id)
        moved = [
            (e.from_value, e.to_value, e.note)
            for e in tickets.events(session, ticket.id)
            if e.action == "transfer"
        ]
        assert moved == [(f"{TOWN}/{li.id}", f"{COUNTY}/-", "涉及县级政策，转县局办理")]


def test_routing_rules_region_subtree_type_and_category(ctx: Context, tmp_path: Path) -> None:
    rules = routing.load(
        Path(__file__).resolve().parent.parent / "config" / "routing.yaml", ctx.regions
    )
    regions = ctx.regions
    assert (
        routing.queue_for(regions, "petition", VILLAGE, "抚恤优待", rules) == TOWN
    )  # default: the town station
    assert routing.queue_for(regions, "petition", VILLAGE, "安置", rules) == COUNTY
    assert routing.queue_for(regions, "consultation", VILLAGE, "军休", rules) == COUNTY
    assert routing.queue_for(regions, "crisis", VILLAGE, None, rules) == COUNTY
    assert routing.queue_for(regions, "petition", "no-such-place", "抚恤优待", rules) == COUNTY
    assert routing.queue_for(regions, "petition", None, None, rules) == COUNTY
    local = routing.parse(
        {
            "rules": [
                {"region": "990102", "kinds": ["home_visit"], "queue": "county"},
                {"region": "990102", "queue": "990101"},
            ]
        },
        regions,
    )
    assert routing.queue_for(regions, "home_visit", "990102001", None, local) == COUNTY
    assert (
        routing.queue_for(regions, "callback", "990102001", None, local) == TOWN
    )  # an explicit unit
    assert (
        routing.queue_for(regions, "callback", VILLAGE, None, local) == TOWN
    )  # outside the subtree: default
    with pytest.raises(routing.RoutingError):
        routing.parse({"rules": [{"region": "123456", "queue": "town"}]}, regions)
    assert [routing.parent_queue(regions, q) for q in (VILLAGE, TOWN, COUNTY, CITY)] == [
        TOWN,
        COUNTY,
        CITY,
        None,
    ]


def _cli(rt: Runtime, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("VETBOT_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", rt.settings.secret_key)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_lists_shows_masked_and_exports_csv_with_an_audit_trail(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = new_petition(runtime, D(2025, 1, 2))
    fresh = new_petition(
        runtime,
        D(2026, 3, 2),
        queue=COUNTY,
        name="李明",
        id_number="11010519491231002X",
        phone="13800001111",
    )
    with transaction(runtime.sessions) as session:
        ticket = tickets.by_number(session, late)
        assert ticket is not None
        ticket.accept_due_on = D(2025, 1, 17)
        other = tickets.by_number(session, fresh)
        assert other is not None
        other.accept_due_on = runtime.clock.today() + dt.timedelta(days=10)
    listing = _cli(runtime, monkeypatch, "tickets", "list")
    assert late in listing and fresh in listing and "逾期" in listing
    overdue = _cli(runtime, monkeypatch, "tickets", "list", "--overdue")
    assert late in overdue and fresh not in overdue
    county = _cli(runtime, monkeypatch, "tickets", "list", "--queue", COUNTY)
    assert fresh in county and late not in county
    shown = _cli(runtime, monkeypatch, "tickets", "show", fresh)
    assert "李*" in shown and "110***********002X" in shown and "138****1111" in shown
    assert "11010519491231002X" not in shown and "13800001111" not in shown and "李明" not in shown
    exported = _cli(
        runtime, monkeypatch, "tickets", "export", "--from", "2026-03-01", "--to", "2026-03-31"
    )
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["number"] for r in rows] == [fresh] and rows[0]["unit"] == "示例县退役军人事务局"
    assert "李明" not in exported and "13800001111" not in exported
    with runtime.sessions() as session:
        audited = [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert audited == ["ticket_show", "ticket_export"]


def test_ticket_details_keep_no_phone_or_id_typed_into_the_description(runtime: Runtime) -> None:
    from bot.tickets.intake import Intake, open_ticket
    from intents.turn import OpenTicket

    with transaction(runtime.sessions) as session:
        intake = Intake(session, runtime.vault, runtime.ctx.regions, D(2026, 3, 2))
        facts = "请打我电话13912345678，身份证110101198001010010"
        opened = open_ticket(
            intake, OpenTicket("consultation", VILLAGE, f"咨询：{facts}", details={"facts": facts})
        )
        stored = opened.ticket.summary + opened.ticket.details_json
    assert "13912345678" not in stored and "110101198001010010" not in stored
    assert json.loads(opened.ticket.details_json)["facts"].startswith("请打我电话139****5678")

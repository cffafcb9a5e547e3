"""One ticket service, one set of rules, whoever calls it: the console, the Telegram staff
commands, the CLI and the deadline sweep all go through ``bot.tickets.actions``.

The rules decided once (《信访工作条例》, DOMAIN.md): 上报 goes one level up and stops at
the city, for staff and for the sweep alike; only the owner (or a supervisor) escalates
(首问负责); 延期 is 1–30 chosen days, once, approved by a supervisor, for a first petition
only, with the holiday shift; a 复查 keeps its 30 days when accepted; answered
non-petition work can be reopened, an answered petition cannot (复查 instead)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fakes import desk
from fakes.console import Browser
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import create_app
from bot.channels.telegram.staff import StaffCommands
from bot.cli import app as cli
from bot.process.runtime import Runtime
from bot.tickets import actions, escalation
from bot.tickets.sla import sla
from db import staff, ticket_queries, tickets
from db.models import OutboxMessage, Ticket
from db.session import transaction

D = dt.date
VILLAGE, TOWN, COUNTY, CITY, PROVINCE = "990101001", "990101", "990100", "9901", "99"


@pytest.fixture
def people(runtime: Runtime) -> dict[str, Any]:
    """Two colleagues at the 东城镇 station, the county and city supervisors."""
    hired = {
        "dong": desk.hire(runtime, "dong", "staff", TOWN),
        "wang": desk.hire(runtime, "wang", "staff", TOWN),
        "county": desk.hire(runtime, "county", "supervisor", COUNTY),
        "city": desk.hire(runtime, "city", "supervisor", CITY),
    }
    with transaction(runtime.sessions) as session:
        for chat, name in enumerate(hired, start=700):
            member = staff.by_username(session, name)
            assert member is not None
            member.telegram_chat_id = str(chat)
    return hired


def new_ticket(
    rt: Runtime,
    queue: str,
    kind: str = "petition",
    due: dt.date | None = D(2026, 12, 30),
    stage: str = "initial",
) -> str:
    with transaction(rt.sessions) as session:
        ticket = tickets.create(
            session,
            rt.vault,
            tickets.NewTicket(
                kind=kind, queue=queue, summary="优抚金未发放", received_on=D(2026, 12, 1),
                region_code=VILLAGE, due_on=due, stage=stage,
            ),
        )  # fmt: skip
        return ticket.number


def row(rt: Runtime, number: str) -> Ticket:
    with rt.sessions() as session:
        ticket = tickets.by_number(session, number)
        assert ticket is not None
        session.expunge(ticket)
        return ticket


def told(rt: Runtime, unit: str) -> list[str]:
    """Staff notifications queued for a unit."""
    with rt.sessions() as session:
        stmt = select(OutboxMessage.text).where(
            OutboxMessage.channel == "staff", OutboxMessage.recipient == unit
        )
        return list(session.scalars(stmt))


def console(rt: Runtime, username: str) -> Browser:
    return Browser(create_app(runtime=rt), username, desk.PASSWORD)


def claim(rt: Runtime, number: str, who: Any) -> None:
    desk.act(rt, number, lambda s, t: actions.claim(rt, s, t, who))


def run_cli(rt: Runtime, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("VETBOT_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", rt.settings.secret_key)
    monkeypatch.setenv("VETBOT_TODAY", rt.clock.today().isoformat())  # the CLI's clock
    return CliRunner().invoke(cli, list(args))


# ---- 上报: one level up, by the owner, stopping at the city ------------------------


def test_a_colleague_cannot_escalate_someone_elses_ticket_in_the_console(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    number = new_ticket(runtime, TOWN)
    claim(runtime, number, people["dong"])
    refused = console(runtime, "wang").post(f"/staff/tickets/{number}/escalate", reason="我来上报")
    assert refused.status_code == 422 and "首问负责" in refused.text
    assert row(runtime, number).queue == TOWN
    done = console(runtime, "dong").post(f"/staff/tickets/{number}/escalate", reason="涉及县级资金")
    assert done.status_code == 303
    assert (row(runtime, number).queue, row(runtime, number).owner_id) == (COUNTY, None)
    assert any(number in text and "上报" in text for text in told(runtime, COUNTY))


def test_escalating_by_hand_stops_at_the_city_like_the_sweep(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    by_hand = new_ticket(runtime, CITY)
    page = console(runtime, "city").post(f"/staff/tickets/{by_hand}/escalate", reason="请省厅督办")
    assert page.status_code == 422 and "已是最高一级" in page.text
    assert row(runtime, by_hand).queue == CITY  # not the province (99)
    overdue = new_ticket(runtime, CITY, due=D(2026, 12, 1))
    escalation.sweep(runtime.sessions, runtime.ctx.regions, D(2026, 12, 9))
    assert row(runtime, overdue).queue == CITY
    assert PROVINCE not in {row(runtime, n).queue for n in (by_hand, overdue)}


def test_telegram_escalate_follows_the_same_rules(runtime: Runtime, people: dict[str, Any]) -> None:
    commands = StaffCommands(runtime, kick=lambda: None)
    number = new_ticket(runtime, TOWN)
    ref = str(row(runtime, number).id)
    assert "请发送" in commands.escalate("700", [ref])
    assert "请先认领" in commands.escalate("700", [ref, "涉及县级资金"])
    assert "已认领" in commands.claim("700", [ref])
    assert "首问负责" in commands.escalate("701", [ref, "我来上报"])  # wang, a colleague
    assert "已上报至示例县退役军人事务局" in commands.escalate("700", [ref, "涉及县级资金"])
    assert row(runtime, number).queue == COUNTY
    at_city = str(row(runtime, new_ticket(runtime, CITY)).id)
    assert "已是最高一级" in commands.escalate("703", [at_city, "请省厅督办"])


def test_the_cli_escalates_as_a_named_staff_member_with_the_same_rules(
    runtime: Runtime, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = new_ticket(runtime, TOWN)
    claim(runtime, number, people["dong"])
    colleague = run_cli(
        runtime, monkeypatch, "tickets", "escalate", number, "--by", "wang", "--reason", "x"
    )
    assert colleague.exit_code == 1 and "首问负责" in colleague.output
    done = run_cli(
        runtime,
        monkeypatch,
        "tickets",
        "escalate",
        number,
        "--by",
        "dong",
        "--reason",
        "涉及县级资金",
    )
    assert done.exit_code == 0, done.output
    assert row(runtime, number).queue == COUNTY
    city = new_ticket(runtime, CITY)
    top = run_cli(
        runtime, monkeypatch, "tickets", "escalate", city, "--by", "city", "--reason", "x"
    )
    assert top.exit_code == 1 and "已是最高一级" in top.output and row(runtime, city).queue == CITY


# ---- 延期: 1–30 chosen days, once, by a supervisor, first petitions only ----------------


def accepted(rt: Runtime, people: dict[str, Any], queue: str = TOWN, stage: str = "initial") -> str:
    number = new_ticket(rt, queue, stage=stage)
    desk.act(rt, number, lambda s, t: actions.accept(rt, s, t, people["county"], "已受理。"))
    return number


def test_an_extension_is_chosen_days_after_the_deadline_with_the_holiday_shift(
    runtime: Runtime, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.on(runtime, D(2026, 7, 5))
    number = accepted(runtime, people)
    assert row(runtime, number).due_on == D(2026, 9, 3)  # 60 days from acceptance (第三十四条)
    extend = ["tickets", "extend", number, "--reason", "需多部门核实"]
    staff_only = run_cli(runtime, monkeypatch, *extend, "--by", "dong", "--days", "10")
    assert staff_only.exit_code == 1 and "负责人批准" in staff_only.output
    too_long = run_cli(runtime, monkeypatch, *extend, "--by", "county", "--days", "31")
    assert too_long.exit_code == 1 and "1–30" in too_long.output
    # 09-03 + 28 days is 10-01, 国庆: the last day moves to the first working day after it
    ok = run_cli(runtime, monkeypatch, *extend, "--by", "county", "--days", "28")
    assert ok.exit_code == 0, ok.output
    assert row(runtime, number).extended and row(runtime, number).due_on == D(2026, 10, 8)
    again = console(runtime, "county").post(
        f"/staff/tickets/{number}/extend", days="5", reason="再延"
    )
    assert again.status_code == 422 and "已延期过一次" in again.text


def test_a_deadline_that_has_passed_is_not_extended(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    desk.on(runtime, D(2026, 7, 5))
    number = accepted(runtime, people)
    desk.on(runtime, D(2026, 9, 4))  # the 60 days ended yesterday
    page = console(runtime, "county").post(
        f"/staff/tickets/{number}/extend", days="10", reason="复杂"
    )
    assert page.status_code == 422 and "期限已过" in page.text


def test_a_review_keeps_its_30_days_and_cannot_be_extended(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    number = new_ticket(
        runtime, COUNTY, due=D(2027, 1, 4), stage="review"
    )  # 30 days from its request
    desk.act(
        runtime,
        number,
        lambda s, t: actions.accept(runtime, s, t, people["county"], "已受理复查。"),
    )
    assert row(runtime, number).due_on == D(2027, 1, 4)  # not 60 days from acceptance
    page = console(runtime, "county").post(
        f"/staff/tickets/{number}/extend", days="10", reason="复杂"
    )
    assert page.status_code == 422 and "第三十五、三十六条" in page.text
    assert row(runtime, number).due_on == D(2027, 1, 4)


# ---- 首问负责 on replies, and reopening --------------------------------------------


def test_telegram_reply_needs_the_ticket_like_the_console(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    commands = StaffCommands(runtime, kick=lambda: None)
    ref = str(row(runtime, new_ticket(runtime, TOWN, kind="callback")).id)
    assert "请先认领" in commands.reply("700", [ref, "您好"])
    commands.claim("700", [ref])
    assert "首问负责" in commands.reply("701", [ref, "您好"])  # not wang's ticket
    assert "没有在线会话" in commands.reply("700", [ref, "您好"])  # a phone callback


def test_answered_work_is_reopened_with_a_fresh_deadline_but_a_petition_is_not(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    dong = console(runtime, "dong")
    number = new_ticket(runtime, TOWN, kind="consultation", due=D(2026, 12, 16))
    claim(runtime, number, people["dong"])
    assert dong.post(f"/staff/tickets/{number}/resolve", text="已电话答复").status_code == 303
    assert dong.post(f"/staff/tickets/{number}/reopen", reason="").status_code == 422
    assert (
        dong.post(f"/staff/tickets/{number}/reopen", reason="群众又来电，材料不全").status_code
        == 303
    )
    again = row(runtime, number)
    assert (again.status, again.replied_on, again.due_on) == ("in_progress", None, D(2026, 12, 16))
    petition = accepted(runtime, people)
    desk.act(
        runtime, petition, lambda s, t: actions.resolve(runtime, s, t, people["county"], "书面答复")
    )
    page = console(runtime, "county").post(f"/staff/tickets/{petition}/reopen", reason="不服")
    assert page.status_code == 422 and "复查" in page.text


# ---- one "due soon" for every caller -----------------------------------------------


def test_due_soon_is_the_same_three_days_in_the_page_the_queue_the_cli_and_the_sweep(
    runtime: Runtime, people: dict[str, Any]
) -> None:
    today = runtime.clock.today()  # Wednesday 2026-12-09
    number = new_ticket(runtime, TOWN, kind="consultation", due=D(2026, 12, 11))  # 2 working days
    ticket = row(runtime, number)
    assert sla(ticket, today, runtime.ctx.deadlines.calendar).colour == "soon"
    assert ticket_queries.is_due_soon(ticket, today)
    assert number in escalation.sweep(runtime.sessions, runtime.ctx.regions, today).due_soon

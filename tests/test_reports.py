"""Reports agree: one 超期 definition on the dashboard, the 已超期 queue and the CSV; a
ticket escalated upwards stays in the numbers of the unit that first received it; a
period with nothing finished shows "—", not "0%（0/0）"; a town station has a dashboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from test_console import add_staff, browser, open_ticket, ticket

from bot.app import create_app
from bot.process.runtime import Runtime
from db import tickets
from db.models import Ticket
from db.session import transaction


@pytest.fixture
def app(runtime: Runtime) -> Any:
    add_staff(runtime, "dong", "staff", "990101", "东城小王")
    add_staff(runtime, "county", "supervisor", "990100", "县局老李")
    return create_app(runtime=runtime)


def _set(rt: Runtime, number: str, **values: Any) -> None:
    with transaction(rt.sessions) as s:
        row = tickets.by_number(s, number)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def _kpi(page: str, label: str) -> str:
    m = re.search(r'<span class="n">([^<]+)</span><span>' + re.escape(label), page)
    assert m, label
    return m.group(1)


def _tab_count(page: str, name: str) -> int:
    m = re.search(name + r"\s*<[^>]*>\s*(\d+)", page)
    assert m, name
    return int(m.group(1))


def test_one_overdue_definition_on_the_dashboard_the_queue_and_the_csv(
    app: Any, runtime: Runtime
) -> None:
    today = runtime.clock.today()
    long_ago = today - dt.timedelta(days=200)
    old = open_ticket(runtime, "w-r1", kind="handoff")  # open, received long ago, overdue
    _set(runtime, old, received_on=long_ago, due_on=long_ago + dt.timedelta(days=10))
    waiting = open_ticket(runtime, "w-r2", phone="13900002222")  # petition past its 15-day 告知
    _set(runtime, waiting, accept_due_on=today - dt.timedelta(days=2), due_on=None)
    late_done = open_ticket(runtime, "w-r3", kind="handoff", phone="13900003333")
    _set(runtime, late_done, status="closed", due_on=today - dt.timedelta(days=13),
         closed_at=dt.datetime.combine(today, dt.time(2), dt.UTC))  # fmt: skip
    county = browser(app, "county")
    page = county.get("/staff/dashboard").text
    queue = county.get("/staff/queue/overdue").text
    assert old in queue and waiting in queue
    assert _kpi(page, "当前超期未办结") == "2"  # the same two as the 已超期 queue
    csv = county.get("/staff/reports/tickets.csv").text.splitlines()
    header = csv[0].split(",")
    late_col = header.index("是否超期")
    rows = {line.split(",")[0]: line.split(",") for line in csv[1:]}
    assert rows[waiting][late_col] == "是"  # counted by its 15-day deadline
    assert rows[late_done][late_col] == "是"  # closed 13 days after its deadline
    assert old not in rows  # received before the period: in the queue, not in the period's list


def test_an_escalated_ticket_stays_in_the_first_units_numbers(app: Any, runtime: Runtime) -> None:
    number = open_ticket(runtime, "w-r4", kind="handoff")  # first received by the town 990101
    with transaction(runtime.sessions) as s:
        row = tickets.by_number(s, number)
        assert row is not None
        tickets.escalate(s, row, "9901", "system", "超期上报", runtime.clock.today())
    assert ticket(runtime, number).queue == "9901"  # now handled by the city
    page = browser(app, "county").get("/staff/dashboard").text
    assert _kpi(page, "工单总数") == "1" and "按首办单位" in page
    csv = browser(app, "county").get("/staff/reports/tickets.csv").text
    assert number in csv and "首办单位" in csv.splitlines()[0]


def test_nothing_finished_shows_a_dash_and_a_town_has_its_own_dashboard(
    app: Any, runtime: Runtime
) -> None:
    open_ticket(runtime, "w-r5")  # town 990101
    open_ticket(runtime, "w-r6", region="990102001", phone="13900006666")  # town 990102
    county = browser(app, "county")
    page = county.get("/staff/dashboard").text
    assert "0%（0/0）" not in page and "—" in page and "期间内暂无办结" in page
    assert 'value="990101"' in page and "本月" in page and "上月" in page
    town = county.get("/staff/dashboard?unit=990101").text
    assert _kpi(town, "工单总数") == "1"
    assert county.get("/staff/dashboard?unit=990102").text.count("990102") >= 1
    with runtime.sessions() as s:
        assert s.query(Ticket).count() == 2

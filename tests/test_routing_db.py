"""Routing rules kept in the database are tried before the file's, without a restart."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.shell.inbound import handle
from db import routing_rules
from db.models import Ticket
from db.session import transaction
from intents.turn import Inbound

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _handoff_queue(rt: Runtime, user: str) -> str:
    handle(rt, Inbound("web", user, "转人工", AT))
    with transaction(rt.sessions) as s:
        return s.scalars(select(Ticket.queue).order_by(Ticket.id.desc())).first() or ""


def test_a_database_rule_reroutes_the_next_ticket_and_can_be_switched_off(runtime: Runtime) -> None:
    assert _handoff_queue(runtime, "u1") == "990100", "unknown region → the county by default"
    with transaction(runtime.sessions) as s:
        rule = routing_rules.add(s, "990102", "咨询先由西山乡试点接", kinds=["consultation"])
        rule_id = rule.id
    assert _handoff_queue(runtime, "u2") == "990102"
    with transaction(runtime.sessions) as s:
        assert routing_rules.deactivate(s, rule_id)
    assert _handoff_queue(runtime, "u3") == "990100"


def test_a_database_rule_for_other_kinds_leaves_this_ticket_alone(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as s:
        routing_rules.add(s, "990103", "上门认证由南湖街道统一安排", kinds=["home_visit"])
    assert _handoff_queue(runtime, "u4") == "990100"

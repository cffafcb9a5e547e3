"""Retention: personal data of long-closed tickets is erased; logs stay >= 180 days."""

from __future__ import annotations

import datetime as dt

from bot.process.runtime import Runtime
from db import tickets
from db.models import AuditLog, Ticket
from db.retention import purge
from db.session import transaction


def _ticket(rt: Runtime, closed_days_ago: int | None) -> int:
    with transaction(rt.sessions) as s:
        t = tickets.create(
            s,
            rt.vault,
            tickets.NewTicket(
                kind="petition",
                queue="990101",
                summary="x",
                received_on=dt.date(2026, 1, 5),
                pii={"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678"},
            ),
        )
        if closed_days_ago is not None:
            t.status = "closed"
            t.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=closed_days_ago)
        return t.id


def test_purge_erases_old_closed_tickets_only(runtime: Runtime) -> None:
    old, recent, still_open = _ticket(runtime, 400), _ticket(runtime, 10), _ticket(runtime, None)
    with transaction(runtime.sessions) as s:
        s.add(
            AuditLog(
                actor="a",
                action="login",
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=100),
            )
        )
        result = purge(s, dt.datetime.now(dt.UTC), pii_days=365, log_days=30)
    assert result.tickets == 1
    assert result.audit_rows == 0, "audit logs are kept at least 180 days even if set lower"
    with transaction(runtime.sessions) as s:
        assert s.get(Ticket, old).id_number_enc is None and s.get(Ticket, old).phone_hash is None  # type: ignore[union-attr]
        assert s.get(Ticket, recent).id_number_enc is not None  # type: ignore[union-attr]
        assert s.get(Ticket, still_open).id_number_enc is not None  # type: ignore[union-attr]

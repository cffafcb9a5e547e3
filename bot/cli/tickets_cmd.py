"""`vetbot tickets list|show|export`: queues for staff without a browser. Personal
data is shown masked; every show/export is written to the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from bot.cli.common import settings
from bot.console.scope import StaffUser
from bot.process.runtime import Runtime
from bot.tickets import actions
from bot.tickets.routing import unit_name
from db import staff, ticket_queries, tickets
from db.crypto import PiiVault, mask_id, mask_name, mask_phone
from db.models import Ticket, TicketEvent
from knowledge.clock import CHINA, clock_for
from knowledge.regions import RegionTree

app = typer.Typer(
    help="Tickets (工单): list queues, show one (masked), export CSV; escalate or extend one "
    "as a named staff member (the console's rules).",
    no_args_is_help=True,
)
EXPORT_COLUMNS = (
    "number", "kind", "stage", "status", "urgent", "category", "region_code", "queue", "unit", "received_on",
    "accept_due_on", "due_on", "overdue", "extended", "replied_on", "closed_at", "owner_id", "leader_id", "parent", "summary",
)  # fmt: skip


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _open() -> tuple[Runtime, RegionTree]:
    from bot.process.runtime import build_runtime

    rt = build_runtime(settings())
    return rt, rt.ctx.regions


def _today() -> dt.date:
    return clock_for(settings().today).today()


def _flag(ticket: Ticket, today: dt.date) -> str:
    if ticket_queries.is_overdue(ticket, today):
        return "逾期"
    if ticket_queries.is_due_soon(ticket, today):
        return "将到期"
    return ""


@app.command("list")
def list_tickets(
    queue: Annotated[
        str | None, typer.Option("--queue", help="Queue (region code of the unit)")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tickets")] = False,
) -> None:
    """Open tickets, nearest deadline first."""
    from db.session import transaction

    rt, regions = _open()
    today = _today()
    with transaction(rt.sessions) as session:
        rows = ticket_queries.listing(session, queue, today if overdue else None)
        lines = [_row(t, regions, today) for t in rows]
    print("\t".join(("编号", "类型", "状态", "承办单位", "类别", "期限", "提示", "摘要")))
    print("\n".join(lines) if lines else "（没有工单）")


def _row(t: Ticket, regions: RegionTree, today: dt.date) -> str:
    due = ticket_queries.deadline_of(t)
    status = tickets.STATUS_NAMES.get(t.status, t.status)
    cells = (
        t.number,
        t.kind,
        status,
        unit_name(regions, t.queue),
        t.category or "-",
        str(due or "-"),
        _flag(t, today) or "-",
        t.summary[:40],
    )
    return "\t".join(cells)


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="Ticket number, e.g. XF-20260928-0001")],
) -> None:
    """One ticket with its event log; name, ID number and phone masked."""
    from db.session import transaction

    rt, regions = _open()
    with transaction(rt.sessions) as session:
        ticket = tickets.by_number(session, number.strip().upper())
        if ticket is None:
            print(f"no ticket {number}", file=sys.stderr)
            raise typer.Exit(1)
        staff.audit(session, _actor(), "ticket_show", ticket.number)
        lines = _describe(ticket, rt.vault, regions, _today())
        history = [_event_line(e) for e in tickets.events(session, ticket.id)]
    print("\n".join([*lines, "记录：", *history]))


def _event_line(e: TicketEvent) -> str:
    at = e.created_at if e.created_at.tzinfo else e.created_at.replace(tzinfo=dt.UTC)
    change = f" {e.from_value or ''}→{e.to_value or ''}" if e.from_value or e.to_value else ""
    note = " ".join(e.note.split())[:120]
    return f"  {at.astimezone(CHINA):%Y-%m-%d %H:%M} {e.actor} {e.action}{change} {note}".rstrip()


def _describe(t: Ticket, vault: PiiVault, regions: RegionTree, today: dt.date) -> list[str]:
    details = json.loads(t.details_json or "{}")
    due = ticket_queries.deadline_of(t)
    return [
        f"{t.number}  {t.kind}/{t.stage}  {tickets.STATUS_NAMES.get(t.status, t.status)}  {_flag(t, today)}",
        f"承办单位：{unit_name(regions, t.queue)}（{t.queue}）  负责人：{t.owner_id or '未认领'}  包案领导：{t.leader_id or '无'}",
        f"姓名：{mask_name(vault.decrypt(t.name_enc))}  身份证号：{mask_id(vault.decrypt(t.id_number_enc))}  电话：{mask_phone(vault.decrypt(t.phone_enc))}",
        f"类别：{t.category or ''}  收到：{t.received_on}  期限：{due or '无'}  延期：{'是' if t.extended else '否'}",
        f"摘要：{t.summary}",
        *(f"{k}：{v}" for k, v in details.items() if k != "excerpt"),
    ]


@app.command("export")
def export(
    first: Annotated[str, typer.Option("--from", help="First day of receipt, YYYY-MM-DD")],
    last: Annotated[str, typer.Option("--to", help="Last day of receipt, YYYY-MM-DD")],
    to_file: Annotated[
        Path | None, typer.Option("--out", help="CSV file (default: stdout)")
    ] = None,
) -> None:
    """Tickets received in a date range as CSV (no personal data)."""
    from db.session import transaction

    try:
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError as exc:
        raise typer.BadParameter("dates are YYYY-MM-DD") from exc
    rt, regions = _open()
    today = _today()
    with transaction(rt.sessions) as session:
        rows = ticket_queries.received_between(session, start, end)
        parents = {t.id: t.number for t in rows}
        records = [_record(t, regions, today, parents) for t in rows]
        staff.audit(session, _actor(), "ticket_export", f"{start}..{end}", f"{len(records)} rows")
    stream = to_file.open("w", newline="", encoding="utf-8-sig") if to_file else sys.stdout
    writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(records)
    if to_file:
        stream.close()


def _record(
    t: Ticket, regions: RegionTree, today: dt.date, parents: dict[int, str]
) -> dict[str, Any]:
    return {
        "number": t.number, "kind": t.kind, "stage": t.stage, "status": t.status, "urgent": int(t.urgent),
        "category": t.category or "", "region_code": t.region_code or "", "queue": t.queue,
        "unit": unit_name(regions, t.queue), "received_on": t.received_on, "accept_due_on": t.accept_due_on or "",
        "due_on": t.due_on or "", "overdue": int(ticket_queries.is_overdue(t, today)), "extended": int(t.extended),
        "replied_on": t.replied_on or "", "closed_at": t.closed_at.isoformat() if t.closed_at else "",
        "owner_id": t.owner_id or "", "leader_id": t.leader_id or "",
        "parent": parents.get(t.parent_id, t.parent_id or "") if t.parent_id else "", "summary": t.summary,
    }  # fmt: skip


By = Annotated[str, typer.Option("--by", help="Username of the staff member acting")]
Reason = Annotated[str, typer.Option("--reason", help="Why (logged; 延期理由 are told)")]
Number = Annotated[str, typer.Argument(help="Ticket number, e.g. XF-20260928-0001")]


def _act(number: str, by: str, do: Callable[[Runtime, Session, Ticket, StaffUser], str]) -> None:
    """One action of ``bot.tickets.actions`` as staff member ``by``, in one transaction."""
    from db.session import transaction

    rt, _ = _open()
    with transaction(rt.sessions) as session:
        member = staff.by_username(session, by)
        ticket = tickets.by_number(session, number.strip().upper())
        if member is None or not member.active or ticket is None:
            print(f"no active staff member {by!r} or no ticket {number}", file=sys.stderr)
            raise typer.Exit(1)
        try:
            done = do(rt, session, ticket, actions.as_user(member))
        except actions.ActionError as exc:
            print(str(exc), file=sys.stderr)
            raise typer.Exit(1) from exc
        staff.audit(session, _actor(), "ticket_action", ticket.number, f"as {by}: {done}")
    print(done)


@app.command("escalate")
def escalate(number: Number, by: By, reason: Reason) -> None:
    """上报 one level up (village → town → county → city), like the console's button."""

    def run(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> str:
        actions.escalate(rt, session, ticket, user, reason)
        return f"{ticket.number} → {unit_name(rt.ctx.regions, ticket.queue)}"

    _act(number, by, run)


@app.command("extend")
def extend(
    number: Number,
    by: By,
    reason: Reason,
    days: Annotated[int, typer.Option("--days", help="1–30 more days (第三十四条)")] = 30,
) -> None:
    """延期 a petition once by up to 30 days, approved by a supervisor; the reasons are told."""

    def run(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> str:
        actions.extend(rt, session, ticket, user, days, reason)
        return f"{ticket.number} 期限 {ticket.due_on}"

    _act(number, by, run)

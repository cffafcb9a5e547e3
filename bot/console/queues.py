"""Ticket queues (工作队列) for one staff member: which tickets, in what order, with filters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select
from sqlalchemy.orm import Session

from bot.console.scope import StaffUser
from db.crypto import PiiVault
from db.models import Ticket
from db.ticket_queries import DUE_SOON_DAYS, deadline_column, overdue_filter
from db.tickets import OPEN

VIEWS = {
    "mine": "我的工单",
    "unit": "本单位",
    "unassigned": "待认领",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "crisis": "紧急",
    "baoan": "包案",
    "done": "已办结",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    status: str = ""
    region: str = ""
    category: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


def _open() -> ColumnElement[bool]:
    return Ticket.status.in_(OPEN)


def base(user: StaffUser, units: set[str]) -> Select[Ticket]:
    """Every ticket the user may see."""
    visible = or_(
        Ticket.queue.in_(units) if units else false(),
        Ticket.owner_id == user.id,
        Ticket.leader_id == user.id,
    )
    return select(Ticket).where(visible)


def view(stmt: Select[Ticket], name: str, user: StaffUser, today: dt.date) -> Select[Ticket]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    crisis = or_(Ticket.urgent.is_(True), Ticket.kind == "crisis")
    conditions: dict[str, list[ColumnElement[bool]]] = {
        "mine": [Ticket.owner_id == user.id, _open()],
        "unit": [_open()],
        "unassigned": [Ticket.owner_id.is_(None), _open()],
        "due_soon": [_open(), deadline_column() >= today, deadline_column() <= soon],
        "overdue": [overdue_filter(today)],
        "crisis": [_open(), crisis],
        "baoan": [Ticket.leader_id.is_not(None)],
        "done": [Ticket.status.not_in(OPEN)],
    }
    return stmt.where(*conditions.get(name, conditions["unit"]))


def apply_filters(
    stmt: Select[Ticket], f: Filters, vault: PiiVault, subtree: set[str] | None
) -> Select[Ticket]:
    if f.kind:
        stmt = stmt.where(Ticket.kind == f.kind)
    if f.status:
        stmt = stmt.where(Ticket.status == f.status)
    if f.region and subtree is not None:
        stmt = stmt.where(or_(Ticket.queue.in_(subtree), Ticket.region_code.in_(subtree)))
    if f.category:
        stmt = stmt.where(Ticket.category == f.category)
    if f.date_from:
        stmt = stmt.where(Ticket.received_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Ticket.received_on <= f.date_to)
    if f.q:
        stmt = stmt.where(search_condition(f.q, vault))
    return stmt


def search_condition(q: str, vault: PiiVault) -> ColumnElement[bool]:
    """A ticket number (or part of one), or a full phone / ID number matched by keyed hash."""
    text = re.sub(r"\s+", "", q).upper()
    digits = re.sub(r"\D", "", text)
    conds = [Ticket.number.contains(text)]
    if len(digits) == 11 and digits.startswith("1"):
        conds.append(Ticket.phone_hash == vault.hash(digits))
    if re.fullmatch(r"\d{17}[\dX]", text):
        conds.append(Ticket.id_hash == vault.hash(text))
    return or_(*conds)


def ordered(stmt: Select[Ticket]) -> Select[Ticket]:
    """Crisis always on top, then the nearest deadline first."""
    crisis_first = case((or_(Ticket.urgent.is_(True), Ticket.kind == "crisis"), 0), else_=1)
    return stmt.order_by(crisis_first, deadline_column().nulls_last(), Ticket.id)


def list_view(
    session: Session,
    user: StaffUser,
    units: set[str],
    name: str,
    f: Filters,
    vault: PiiVault,
    today: dt.date,
    subtree: set[str] | None,
) -> list[Ticket]:
    stmt = apply_filters(view(base(user, units), name, user, today), f, vault, subtree)
    return list(session.scalars(ordered(stmt).limit(PAGE_SIZE)))


def counts(session: Session, user: StaffUser, units: set[str], today: dt.date) -> dict[str, int]:
    """How many tickets each queue holds, for the navigation."""
    out: dict[str, int] = {}
    for name in VIEWS:
        if name == "done":
            continue
        stmt = view(base(user, units), name, user, today).with_only_columns(func.count(Ticket.id))
        out[name] = int(session.scalar(stmt) or 0)
    return out

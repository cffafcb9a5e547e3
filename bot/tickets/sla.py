"""SLA: which deadline a ticket is running against, how much time is left, and its colour.

Petitions count calendar days (《信访工作条例》 writes 日); other tickets count
working days on the Chinese calendar (intents.deadlines). A petition not yet
accepted runs against its 15-day 告知 deadline first. "Soon" is one rule for every
ticket and every caller (``db.ticket_queries.DUE_SOON_DAYS``): the colour here, the
即将到期 queue, the CLI's 将到期 and the sweep's reminder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.models import Ticket
from db.ticket_queries import DUE_SOON_DAYS, deadline_of
from db.tickets import OPEN, Status
from intents.vocabulary import TicketKind
from knowledge.holidays import OFFICIAL, WorkCalendar


@dataclass(frozen=True)
class Sla:
    due: dt.date | None
    label: str  # what the deadline is for
    left: int | None  # days left (negative: overdue), in the ticket's kind of days
    unit: str  # 天 | 个工作日
    colour: str  # ok | soon | overdue | done | none

    @property
    def text(self) -> str:
        if self.colour == "done":
            return "已办结"
        if self.left is None:
            return "无期限"
        if self.left < 0:
            return f"已超期 {-self.left} {self.unit}"
        if self.left == 0:
            return "今天到期"
        return f"剩 {self.left} {self.unit}"


def working_days_between(start: dt.date, end: dt.date, cal: WorkCalendar = OFFICIAL) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start, cal)
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if not cal.is_day_off(day):
            days += 1
    return days


def is_done(ticket: Ticket) -> bool:
    return ticket.status not in OPEN


def deadline(ticket: Ticket) -> tuple[dt.date | None, str]:
    due = deadline_of(ticket)
    if ticket.status == Status.NEW and ticket.accept_due_on is not None:
        return due, "书面告知"
    return due, "办结" if ticket.kind == TicketKind.PETITION else "处理"


def sla(ticket: Ticket, today: dt.date, cal: WorkCalendar = OFFICIAL) -> Sla:
    due, label = deadline(ticket)
    calendar = ticket.kind == TicketKind.PETITION
    unit = "天" if calendar else "个工作日"
    if is_done(ticket):
        return Sla(due, label, None, unit, "done")
    if due is None:
        return Sla(None, label, None, unit, "none")
    left = (due - today).days if calendar else working_days_between(today, due, cal)
    if left < 0:
        colour = "overdue"
    elif (due - today).days <= DUE_SOON_DAYS:
        colour = "soon"
    else:
        colour = "ok"
    return Sla(due, label, left, unit, colour)

"""Statutory and service deadlines.

Petitions (《信访工作条例》) run in calendar days: the day of receipt is not counted
and a period ending on a 法定休假日 moves to the next working day (民法典第二百零一条、
第二百零三条; a setting, on by default). Other tickets run in working days on the
Chinese calendar (调休 aware: ``knowledge.holidays.WorkCalendar`` — chinese-calendar
plus the bureau's ``config/holidays.yaml``). For a year neither knows yet, weekends
are the only days off — an earlier, conservative due date.

``Deadlines(calendar, shift)`` is the one value that carries both: build it once
(``bot.process.runtime`` does, from the settings) and pass it on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.holidays import OFFICIAL, WorkCalendar

#: calendar-day periods of the 信访工作条例 (kind -> (days, article))
CALENDAR_DAYS: dict[str, tuple[int, str]] = {
    "petition_accept": (15, "第二十三条"),
    "petition_handle": (60, "第三十四条"),
    "petition_extension": (30, "第三十四条"),  # at most; the head approves, reasons are told
    "review": (30, "第三十五条"),
    "recheck": (30, "第三十六条"),
}
#: working-day service targets for the other ticket types (a bureau may tune these)
WORKING_DAYS: dict[str, int] = {
    "consultation": 5,
    "home_visit": 5,
    "card_preapp": 5,
    "status_request": 3,
    "callback": 2,
    "crisis": 1,
    "petition_not_ours": 5,  # 第二十三条: a body that is not competent objects within 5 working days
}
KINDS = tuple(CALENDAR_DAYS) + tuple(WORKING_DAYS)
MAX_EXTENSION_DAYS = CALENDAR_DAYS["petition_extension"][0]


@dataclass(frozen=True)
class Deadlines:
    """The days off and whether a petition period ending on one moves on."""

    calendar: WorkCalendar = OFFICIAL
    shift: bool = True  # a last day on a 法定休假日 moves to the next working day

    def due(self, kind: str, start: dt.date) -> dt.date:
        if kind in CALENDAR_DAYS:
            return self.add_calendar_days(start, CALENDAR_DAYS[kind][0])
        if kind in WORKING_DAYS:
            return self.add_working_days(start, WORKING_DAYS[kind])
        raise KeyError(f"unknown deadline kind {kind!r}; one of: {', '.join(KINDS)}")

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """``days`` calendar days after ``start`` (start not counted), shifted off a day off."""
        end = start + dt.timedelta(days=days)
        while self.shift and self.calendar.is_day_off(end):
            end += dt.timedelta(days=1)
        return end

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (start itself not counted)."""
        day = start
        left = days
        while left > 0:
            day += dt.timedelta(days=1)
            if not self.calendar.is_day_off(day):
                left -= 1
        return day

    def next_working_days(self, start: dt.date, count: int) -> list[dt.date]:
        """The next ``count`` working days after ``start`` (for booking 上门认证)."""
        out: list[dt.date] = []
        day = start
        while len(out) < count:
            day += dt.timedelta(days=1)
            if not self.calendar.is_day_off(day):
                out.append(day)
        return out


STATUTORY = Deadlines()  # the official calendar, holiday shift on

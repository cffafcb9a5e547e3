"""Statutory and service deadlines.

Petitions (《信访工作条例》) run in calendar days: the day of receipt is not counted
and a period ending on a 法定休假日 moves to the next working day (民法典第二百零一条、
第二百零三条; a setting, on by default). Other tickets run in working days on the
Chinese calendar (调休 aware: ``knowledge.holidays.WorkCalendar`` — chinese-calendar
plus the bureau's ``config/holidays.yaml``). For a year neither knows yet, weekends
are the only days off — an earlier, conservative due date.
"""

from __future__ import annotations

import datetime as dt

from knowledge.holidays import OFFICIAL, WorkCalendar

#: calendar-day periods of the 信访工作条例 (kind -> (days, article))
CALENDAR_DAYS: dict[str, tuple[int, str]] = {
    "petition_accept": (15, "第二十三条"),
    "petition_handle": (60, "第三十四条"),
    "petition_extension": (30, "第三十四条"),
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


def add_calendar_days(
    start: dt.date, days: int, holiday_shift: bool = True, cal: WorkCalendar = OFFICIAL
) -> dt.date:
    end = start + dt.timedelta(days=days)
    while holiday_shift and cal.is_day_off(end):
        end += dt.timedelta(days=1)
    return end


def add_working_days(start: dt.date, days: int, cal: WorkCalendar = OFFICIAL) -> dt.date:
    """The ``days``-th working day after ``start`` (start itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if not cal.is_day_off(day):
            left -= 1
    return day


def due(
    kind: str, start: dt.date, holiday_shift: bool = True, cal: WorkCalendar = OFFICIAL
) -> dt.date:
    if kind in CALENDAR_DAYS:
        return add_calendar_days(start, CALENDAR_DAYS[kind][0], holiday_shift, cal)
    if kind in WORKING_DAYS:
        return add_working_days(start, WORKING_DAYS[kind], cal)
    raise KeyError(f"unknown deadline kind {kind!r}; one of: {', '.join(KINDS)}")


def next_working_days(start: dt.date, count: int, cal: WorkCalendar = OFFICIAL) -> list[dt.date]:
    """The next ``count`` working days after ``start`` (for booking 上门认证)."""
    out: list[dt.date] = []
    day = start
    while len(out) < count:
        day += dt.timedelta(days=1)
        if not cal.is_day_off(day):
            out.append(day)
    return out

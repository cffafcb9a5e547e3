"""The working-day calendar: chinese-calendar's official 放假安排, plus a bureau's own
entries (``config/holidays.yaml``) for years the package does not know yet.

The State Council publishes next year's holiday schedule (国务院办公厅关于××年部分节假日
安排的通知) in November or December; a chinese-calendar release follows later. Until
it does, an administrator types the notice into the file and every deadline,
SLA colour and 上门认证 booking counts 调休 correctly. A year the file lists is
taken as complete; for a year nobody knows, weekends are the only days off (an
earlier, conservative due date) and the bot says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml


class HolidayFileError(ValueError):
    """A holidays file that cannot be used (the message says where)."""


@dataclass(frozen=True)
class YearNotice:
    year: int
    source: str  # the notice, e.g. 国办发明电〔2026〕7号
    days_off: frozenset[dt.date]
    workdays: frozenset[dt.date]  # 调休: weekend days that are working days


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are off. The bureau's entries win over the package for their years."""

    notices: tuple[YearNotice, ...] = field(default=())

    def _notice(self, year: int) -> YearNotice | None:
        return next((n for n in self.notices if n.year == year), None)

    def is_day_off(self, day: dt.date) -> bool:
        """Weekend or statutory holiday, with 调休 working weekends counted as work days."""
        notice = self._notice(day.year)
        if notice is not None:
            if day in notice.workdays:
                return False
            return day in notice.days_off or day.weekday() >= 5
        try:
            return bool(chinese_calendar.is_holiday(day))
        except NotImplementedError:
            return day.weekday() >= 5

    def known(self, day: dt.date) -> bool:
        """Whether the holidays of ``day``'s year are known (else: weekends only)."""
        return self._notice(day.year) is not None or package_knows(day.year)

    def source(self, year: int) -> str:
        """Where ``year``'s days off come from, for people checking a due date."""
        notice = self._notice(year)
        if notice is not None:
            return f"config: {notice.source}"
        return "chinese-calendar" if package_knows(year) else "unknown: weekends only"


OFFICIAL = WorkCalendar()  # the package alone (immutable)


def unknown_years(cal: WorkCalendar, today: dt.date, ahead_days: int) -> list[int]:
    """Years from ``today`` to ``ahead_days`` later whose days off nobody has entered."""
    last = (today + dt.timedelta(days=ahead_days)).year
    return [y for y in range(today.year, last + 1) if not cal.known(dt.date(y, 6, 1))]


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_holiday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def load(path: Path | None) -> WorkCalendar:
    """The calendar with ``path``'s entries; a missing file means the package alone."""
    if path is None or not path.exists():
        return OFFICIAL
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise HolidayFileError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # PyYAML reads 2027-13-01 as a date and fails
        raise HolidayFileError(f"{path}: a day that is not a date (YYYY-MM-DD): {exc}") from exc
    if not isinstance(doc, dict):
        raise HolidayFileError(f"{path}: expected a mapping with 'years'")
    years = doc.get("years") or {}
    if not isinstance(years, dict):
        raise HolidayFileError(f"{path}: 'years' must map a year to its notice")
    return WorkCalendar(tuple(_notice(path, year, body) for year, body in sorted(years.items())))


def _notice(path: Path, year: Any, body: Any) -> YearNotice:
    where = f"{path}: year {year}"
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise HolidayFileError(f"{where}: the key must be a year such as 2027")
    if not isinstance(body, dict) or not str(body.get("source") or "").strip():
        raise HolidayFileError(f"{where}: needs 'source' (the State Council notice)")
    days_off = _days(where, year, body.get("days_off"), "days_off")
    workdays = _days(where, year, body.get("workdays"), "workdays")
    if not days_off:
        raise HolidayFileError(f"{where}: 'days_off' lists no days")
    for day in sorted(workdays):
        if day.weekday() < 5:
            raise HolidayFileError(f"{where}: workday {day} is not a weekend day (调休 only)")
    both = days_off & workdays
    if both:
        raise HolidayFileError(f"{where}: {min(both)} is both a day off and a workday")
    return YearNotice(year, str(body["source"]).strip(), days_off, workdays)


def _days(where: str, year: int, items: Any, key: str) -> frozenset[dt.date]:
    """Dates and ranges ("2027-02-05..2027-02-11", both ends included) within ``year``."""
    if items is None:
        return frozenset()
    if not isinstance(items, list):
        raise HolidayFileError(f"{where}: '{key}' must be a list of dates")
    out: set[dt.date] = set()
    for item in items:
        first, last = _range(where, item)
        if first.year != year or last.year != year or last < first:
            raise HolidayFileError(f"{where}: '{key}' entry {item!r} is not a range in {year}")
        out.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(out)


def _range(where: str, item: Any) -> tuple[dt.date, dt.date]:
    if isinstance(item, dt.date):
        return item, item
    text = str(item)
    first, _, last = text.partition("..")
    try:
        start = dt.date.fromisoformat(first.strip())
        return start, dt.date.fromisoformat(last.strip()) if last else start
    except ValueError as exc:
        raise HolidayFileError(
            f"{where}: {text!r} is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)"
        ) from exc

"""The one clock: wall time (UTC) and China's calendar date (Asia/Shanghai).

Nothing else in the product reads the system time: the process builds a
``SystemClock`` once (``bot.process.runtime.Runtime.clock``) and passes it down; tests
hand in a ``FixedClock`` so no result depends on the day the suite runs.
(Row timestamps default to the database layer's ``db.models.base.utcnow``.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

#: China's time zone: every 日期 (deadline, working day, 当天) is a date here.
CHINA = ZoneInfo("Asia/Shanghai")


def china_date(at: dt.datetime) -> dt.date:
    """The calendar date in China at an instant (a naive value is taken as UTC)."""
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA).date()


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def today(self) -> dt.date:
        """Today's date in China."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return china_date(self.now())

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass
class FixedClock:
    """A clock that stands still until moved (tests, replays, `--today` options)."""

    at: dt.datetime

    @classmethod
    def on(cls, day: dt.date, hour: int = 10) -> FixedClock:
        """10:00 China time on ``day`` (a working hour)."""
        return cls(dt.datetime(day.year, day.month, day.day, hour, tzinfo=CHINA).astimezone(dt.UTC))

    def now(self) -> dt.datetime:
        return self.at if self.at.tzinfo else self.at.replace(tzinfo=dt.UTC)

    def today(self) -> dt.date:
        return china_date(self.now())

    def advance(self, delta: dt.timedelta) -> None:
        self.at = self.now() + delta


@dataclass(frozen=True)
class ShiftedClock:
    """The system clock moved by a fixed offset: time runs, the date is the one asked for
    when the process started (``VETBOT_TODAY`` for demos, replays and date-pinned test runs)."""

    offset: dt.timedelta

    def now(self) -> dt.datetime:
        return SystemClock().now() + self.offset

    def today(self) -> dt.date:
        return china_date(self.now())


def clock_for(day: dt.date | None) -> Clock:
    """The process clock: the system's, or one whose today is ``day``."""
    if day is None:
        return SystemClock()
    return ShiftedClock(dt.timedelta(days=(day - SystemClock().today()).days))

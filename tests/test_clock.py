"""One clock: nothing reads the system time but knowledge/clock.py, and a pinned clock
decides every date the product computes (so the suite passes on any day)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from knowledge.clock import CHINA, FixedClock, ShiftedClock, SystemClock, china_date, clock_for

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK = re.compile(
    r"\bdate\.today\(|\bdatetime\.(?:now|utcnow|today)\(|\btime\.time\(|\bdt\.datetime\.now\("
)
#: the one clock; the DB layer's default for row timestamps
ALLOWED = {"knowledge/clock.py", "db/models/base.py"}


def test_no_module_reads_the_wall_clock_but_the_clock() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for package in ("bot", "intents", "knowledge", "db")
        for path in (ROOT / package).rglob("*.py")
        if WALL_CLOCK.search(path.read_text(encoding="utf-8"))
        and str(path.relative_to(ROOT)) not in ALLOWED
    ]
    assert readers == []


def test_china_date_is_utc_plus_eight() -> None:
    late_utc = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 January in China
    assert china_date(late_utc) == dt.date(2027, 1, 1)
    assert china_date(late_utc.replace(tzinfo=None)) == dt.date(2027, 1, 1)  # naive = UTC
    assert FixedClock(late_utc).today() == dt.date(2027, 1, 1)


def test_fixed_clock_stands_still_until_moved() -> None:
    clock = FixedClock.on(dt.date(2026, 9, 30))
    assert clock.now() == clock.now()
    assert clock.now().astimezone(CHINA).hour == 10
    clock.advance(dt.timedelta(days=1))
    assert clock.today() == dt.date(2026, 10, 1)


def test_a_pinned_process_date_keeps_time_running() -> None:
    assert isinstance(clock_for(None), SystemClock)
    pinned = clock_for(dt.date(2027, 2, 5))
    assert isinstance(pinned, ShiftedClock) and pinned.today() == dt.date(2027, 2, 5)
    drift = pinned.now() - SystemClock().now() - pinned.offset
    assert abs(drift) < dt.timedelta(seconds=5)  # the hour is the real one


def test_the_suite_cannot_reach_the_internet() -> None:
    import socket

    import pytest

    with pytest.raises(OSError, match=r"only 127\.0\.0\.1"):
        socket.create_connection(("203.0.113.7", 443), timeout=1)

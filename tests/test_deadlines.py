"""Every deadline rule, with dates across the 2026 国庆 and 春节 holidays and their 调休.

2026 calendar (State Council notice): 春节 2026-02-15..02-23 off, Saturdays 02-14 and
02-28 are working days; 国庆 2026-10-01..10-07 off, Sunday 09-20 and Saturday 10-10
are working days. Petitions count calendar days from the day after receipt; a period
ending on a day off moves to the next working day (民法典第二百零三条). Other
ticket types count working days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from bot.cli import app
from intents.deadlines import STATUTORY, Deadlines
from knowledge.holidays import OFFICIAL

D = dt.date


@pytest.mark.parametrize(
    ("kind", "start", "shifted", "unshifted"),
    [
        # DOMAIN.md §6's worked example: 15 days from 09-28 end on 10-13 (a Tuesday).
        ("petition_accept", D(2026, 9, 28), D(2026, 10, 13), D(2026, 10, 13)),
        # 15 days end on 10-01 (国庆): moved past the holiday to 10-08.
        ("petition_accept", D(2026, 9, 16), D(2026, 10, 8), D(2026, 10, 1)),
        # ends on Saturday 10-10, a 调休 working day: stays.
        ("petition_accept", D(2026, 9, 25), D(2026, 10, 10), D(2026, 10, 10)),
        # ends on an ordinary Sunday: the Monday.
        ("petition_accept", D(2026, 9, 26), D(2026, 10, 12), D(2026, 10, 11)),
        # 60 days end on 02-15 (春节): moved to 02-24.
        ("petition_handle", D(2025, 12, 17), D(2026, 2, 24), D(2026, 2, 15)),
        # the 30-day extension ending on 春节 …
        ("petition_extension", D(2026, 1, 16), D(2026, 2, 24), D(2026, 2, 15)),
        # … and on the 调休 Saturday 02-14 before it (a working day: stays).
        ("petition_extension", D(2026, 1, 15), D(2026, 2, 14), D(2026, 2, 14)),
        # 复查 answered within 30 days; ends on 10-05 (国庆).
        ("review", D(2026, 9, 5), D(2026, 10, 8), D(2026, 10, 5)),
        # 复核 within 30 days; ends on 02-23, the last day of 春节.
        ("recheck", D(2026, 1, 24), D(2026, 2, 24), D(2026, 2, 23)),
    ],
)
def test_petition_periods_count_calendar_days_and_leave_holidays(
    kind: str, start: dt.date, shifted: dt.date, unshifted: dt.date
) -> None:
    assert STATUTORY.due(kind, start) == shifted
    assert Deadlines(shift=False).due(kind, start) == unshifted


@pytest.mark.parametrize(
    ("kind", "start", "expected"),
    [
        # Wed 09-30 + 5 working days: 10-08, 10-09, Sat 10-10 (调休), 10-12, 10-13.
        ("consultation", D(2026, 9, 30), D(2026, 10, 13)),
        ("home_visit", D(2026, 9, 30), D(2026, 10, 13)),
        # Wed 02-11 + 5: 02-12, 02-13, Sat 02-14 (调休), 02-24, 02-25.
        ("card_preapp", D(2026, 2, 11), D(2026, 2, 25)),
        # Thu 02-12 + 3: 02-13, 02-14 (调休), 02-24.
        ("status_request", D(2026, 2, 12), D(2026, 2, 24)),
        # Fri 02-13 + 2: 02-14 (调休), 02-24.
        ("callback", D(2026, 2, 13), D(2026, 2, 24)),
        # crisis: the next working day after 国庆.
        ("crisis", D(2026, 9, 30), D(2026, 10, 8)),
        # 第二十三条: a body that is not competent objects within 5 working days.
        ("petition_not_ours", D(2026, 2, 13), D(2026, 2, 27)),
    ],
)
def test_other_tickets_count_working_days_with_tiaoxiu(
    kind: str, start: dt.date, expected: dt.date
) -> None:
    assert STATUTORY.due(kind, start) == expected


def test_the_receipt_day_itself_is_not_counted() -> None:
    assert STATUTORY.due("petition_accept", D(2026, 3, 2)) == D(2026, 3, 17)
    assert STATUTORY.add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)


def test_a_year_the_calendar_does_not_know_falls_back_to_weekends_only() -> None:
    assert not OFFICIAL.known(D(2099, 1, 1))
    # 2099-01-01 is a Thursday: 5 working days counting only weekends as days off.
    assert STATUTORY.due("consultation", D(2099, 1, 1)) == D(2099, 1, 8)


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="petition_accept"):
        STATUTORY.due("petition_whatever", D(2026, 1, 5))


@pytest.mark.parametrize(
    ("kind", "start", "printed"),
    [
        ("petition_accept", "2026-09-28", "2026-10-13"),
        ("petition_handle", "2025-12-17", "2026-02-24"),
        ("petition_extension", "2026-01-16", "2026-02-24"),
        ("review", "2026-09-05", "2026-10-08"),
        ("recheck", "2026-01-24", "2026-02-24"),
        ("consultation", "2026-09-30", "2026-10-13"),
        ("callback", "2026-02-13", "2026-02-24"),
    ],
)
def test_sla_due_cli_prints_the_iso_date(kind: str, start: str, printed: str) -> None:
    result = CliRunner().invoke(app, ["sla", "due", kind, "--from", start])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == printed


def test_sla_due_cli_rejects_unknown_kinds_and_bad_dates() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["sla", "due", "nonsense", "--from", "2026-01-05"]).exit_code == 2
    assert runner.invoke(app, ["sla", "due", "review", "--from", "05/01/2026"]).exit_code == 2

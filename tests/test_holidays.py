"""A bureau enters next year's official holiday schedule before chinese-calendar knows it
(config/holidays.yaml), and every deadline counts it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from intents.context import Context
from intents.deadline_questions import answer
from intents.deadlines import Deadlines
from intents.engine import step
from intents.state import ConversationState
from intents.turn import Inbound
from knowledge import holidays
from knowledge.holidays import HolidayFileError

# Test data in the file's format (not a real notice): New Year 2027 off, one 调休 Sunday.
NOTICE = """
years:
  2027:
    source: "测试用通知"
    days_off:
      - 2027-01-01..2027-01-03
      - 2027-02-05..2027-02-11
    workdays:
      - 2027-02-14
"""


@pytest.fixture
def notice_file(tmp_path: Path) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(NOTICE, encoding="utf-8")
    return path


def test_the_entered_schedule_decides_days_off_and_swapped_workdays(notice_file: Path) -> None:
    cal = holidays.load(notice_file)
    assert cal.is_day_off(dt.date(2027, 1, 1))  # a Friday, off by the notice
    assert cal.is_day_off(dt.date(2027, 2, 8))  # a Monday inside the range
    assert not cal.is_day_off(dt.date(2027, 2, 14))  # a Sunday worked (调休)
    assert cal.is_day_off(dt.date(2027, 2, 20))  # an ordinary Saturday
    assert not cal.is_day_off(dt.date(2027, 1, 4))
    assert cal.known(dt.date(2027, 7, 1)) and cal.source(2027) == "config: 测试用通知"


def test_a_year_nobody_knows_counts_weekends_only_and_says_so() -> None:
    cal = holidays.OFFICIAL
    assert not cal.known(dt.date(2099, 1, 1))
    assert not cal.is_day_off(dt.date(2099, 1, 1))  # a Thursday: no holiday data
    assert holidays.unknown_years(cal, dt.date(2099, 11, 1), 90) == [2099, 2100]
    assert cal.source(2099) == "unknown: weekends only"


def test_a_petition_deadline_ending_on_an_entered_holiday_moves_on(notice_file: Path) -> None:
    # 复查 asked for on 2026-12-02: the 30th day is 2027-01-01
    question = "我2026年12月2日交的复查申请，最晚哪天答复"
    entered = answer(question, dt.date(2026, 12, 4), Deadlines(holidays.load(notice_file)))
    assert entered is not None
    assert "顺延到2027年1月4日" in entered.text and "尚未公布" not in entered.text
    assert Deadlines(holidays.load(notice_file)).due("review", dt.date(2026, 12, 2)) == (
        dt.date(2027, 1, 4)
    )


def test_working_day_targets_and_home_visit_days_skip_entered_holidays(notice_file: Path) -> None:
    cal = holidays.load(notice_file)
    # a consultation opened on Monday 2026-12-28 has 5 working days: 29, 30, 31, Jan 4, Jan 5
    assert Deadlines(cal).due("consultation", dt.date(2026, 12, 28)) == dt.date(2027, 1, 5)
    offered = Deadlines(cal).next_working_days(dt.date(2027, 2, 4), 2)
    assert offered == [dt.date(2027, 2, 12), dt.date(2027, 2, 14)]


def test_the_bot_uses_the_runtime_calendar_when_it_books_a_home_visit(
    ctx: Context, notice_file: Path
) -> None:
    """The 上门认证 booking offers no day inside the entered Spring Festival holiday."""
    entered = dataclasses.replace(ctx, deadlines=Deadlines(holidays.load(notice_file)))
    state = ConversationState()
    at = dt.datetime(2027, 2, 4, 2, 0, tzinfo=dt.UTC)  # Thursday 10:00 in China
    replies: list[str] = []
    for line in (
        "我要做生存认证",
        "2",
        "2",
        "2",
        "1",
        "西山乡",
        "石桥村",
        "石桥村5组8号",
        "13912345678",
    ):
        turn = step(state, Inbound("web", "h1", line, at=at), entered)
        state = turn.state
        replies = [r.text for r in turn.replies] + [o for r in turn.replies for o in r.options]
    offered = " ".join(replies)
    assert "2月12日" in offered and "2月8日" not in offered and "2月9日" not in offered


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("years:\n  2027:\n    days_off: [2027-01-01]\n", "needs 'source'"),
        (
            "years:\n  2027:\n    source: x\n    days_off: [2027-01-01]\n    workdays: [2027-01-04]\n",
            "not a weekend day",
        ),
        ("years:\n  2027:\n    source: x\n    days_off: [2028-01-01]\n", "not a range in 2027"),
        ("years:\n  2027:\n    source: x\n    days_off: [2027-13-01]\n", "is not a date"),
        ("years:\n  2027:\n    source: x\n    days_off: []\n", "lists no days"),
        ("years: [2027\n", "not valid YAML"),
    ],
)
def test_a_mistyped_schedule_is_refused_with_the_place_of_the_mistake(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError, match=complaint):
        holidays.load(path)


def test_no_file_means_the_package_alone(tmp_path: Path) -> None:
    assert holidays.load(tmp_path / "absent.yaml") is holidays.OFFICIAL


def test_sla_cli_reads_the_holiday_file(notice_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("VETBOT_HOLIDAYS_FILE", str(notice_file))
    due = runner.invoke(app, ["sla", "due", "review", "--from", "2026-12-02"])
    assert due.exit_code == 0 and due.stdout.strip() == "2027-01-04"
    listing = runner.invoke(app, ["sla", "calendar", "--ahead", "0"])
    assert "2027: config: 测试用通知" in listing.stdout
    bad = notice_file.parent / "bad.yaml"
    bad.write_text("years:\n  2027: {}\n", encoding="utf-8")
    monkeypatch.setenv("VETBOT_HOLIDAYS_FILE", str(bad))
    refused = runner.invoke(app, ["sla", "due", "review", "--from", "2026-12-02"])
    assert refused.exit_code == 2

"""The bot computes a petition deadline the way the tickets do (DOMAIN.md §6)."""

from __future__ import annotations

import datetime as dt

from intents.deadline_questions import answer

TODAY = dt.date(2026, 11, 23)


def test_fifteen_days_from_receipt_skip_the_first_day() -> None:
    reply = answer("信访办2026年9月28日收到我的材料，最晚哪天书面告知", TODAY)
    assert reply is not None
    assert "2026年10月13日" in reply.text and "第二十三条" in reply.text


def test_a_period_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 15 days from 2026-09-16 end on 2026-10-01 (国庆); the period runs on past the holiday.
    reply = answer("2026年9月16日收到信访件，哪天前要告知受理情况", TODAY)
    assert reply is not None
    assert "顺延到2026年10月8日" in reply.text


def test_review_and_recheck_use_their_own_articles() -> None:
    review = answer("我2026年11月2日交的复查申请，最晚哪天答复", TODAY)
    recheck = answer("2026年11月2日提的复核，多久给意见", TODAY)
    assert review is not None and "第三十五条" in review.text
    assert recheck is not None and "第三十六条" in recheck.text


def test_no_date_or_no_petition_topic_means_no_computed_answer() -> None:
    assert answer("信访多少天告知", TODAY) is None
    assert answer("9月28日是星期几", TODAY) is None


def test_a_period_the_veteran_names_wins_over_the_words_around_it() -> None:
    # "受理" alone would mean the 15-day notice; "60天" says which deadline is asked
    reply = answer("我的信访2026年5月6号受理的，60天期限到哪天", TODAY)
    assert reply is not None
    assert "60日内办结" in reply.text and "2026年7月5日" in reply.text

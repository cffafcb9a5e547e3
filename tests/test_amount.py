"""Asked how much money, the bot never invents a sum (DOMAIN.md §9): when the answer it
gives names no amount, it says so plainly and points to a human; when the answer does
state one, or the question asks about a fee or a number of days, nothing is added."""

from __future__ import annotations

import re

import pytest

from bot.shell.ask import ask
from intents.asking import asks_amount
from intents.context import Context
from intents.texts import AMOUNT_UNKNOWN


@pytest.mark.parametrize(
    "question",
    [
        "在乡老复员军人的定补现在每个月能领多少",
        "带病回乡退伍军人每月补助能领多少",
    ],
)
def test_a_sum_the_kb_does_not_hold_is_said_to_be_unknown(ctx: Context, question: str) -> None:
    """Not the general summary as if it answered (issue 15): no exact rule, the topic offered
    as a choice, and 转人工."""
    result = ask(ctx, question)
    assert result["intent"] == "unknown"
    assert "具体金额" in result["answer"] and "没有准确的规定" in result["answer"]
    assert "转人工" in result["answer"]
    assert not re.search(r"\d+\s*元", result["answer"])  # no sum invented


def test_a_long_story_asking_a_sum_still_gets_the_disclaimer(ctx: Context) -> None:
    """A long message is not checked aspect by aspect; the old safety net still says the sum
    is not known here."""
    result = ask(
        ctx,
        "我是在乡老复员军人，今年八十多了，老伴走得早，孩子们都在外地打工，家里就我一个人，"
        "想问问现在的定补每个月能领多少",
    )
    if result["intent"] == "faq":
        assert AMOUNT_UNKNOWN in result["answer"] or "以当地" in result["answer"]


def test_an_answer_that_says_where_the_sum_is_set_is_not_repeated(ctx: Context) -> None:
    result = ask(ctx, "三级伤残一年抚恤金有多少钱")
    assert result["entry_id"] == "disab.standard"
    assert re.search(r"以(当地|县级)[^。]*为准", result["answer"])
    assert AMOUNT_UNKNOWN not in result["answer"]


def test_an_answer_that_states_the_sum_gets_no_disclaimer(ctx: Context) -> None:
    result = ask(ctx, "退伍兵开个体店一年能减免多少税")
    assert result["entry_id"] == "tax.self_employed"
    assert "元" in result["answer"] and AMOUNT_UNKNOWN not in result["answer"]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("定补一个月多少钱", True),
        ("抚恤金涨到多少了", True),
        ("住院能报销多少", True),
        ("優待金一年發多少錢", True),
        ("优待证补办要多少钱", False),  # a fee, answered by the fee rules
        ("信访多少天答复", False),
        ("高考能加多少分", False),
        ("光荣牌一家能挂几块", False),
    ],
)
def test_money_questions_are_told_from_fees_and_counts(question: str, asks: bool) -> None:
    assert asks_amount(question) is asks

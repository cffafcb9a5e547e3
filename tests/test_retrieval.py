"""Retrieval answers real-style questions from the right entry and refuses to guess."""

from __future__ import annotations

import pytest

from intents.context import Context


@pytest.mark.parametrize(
    ("question", "topic_words"),
    [
        ("优待证丢了咋整", ["挂失"]),
        ("優待證照片有啥要求", ["352"]),
        ("办优待证花钱不", ["免费"]),
        ("伤残抚恤金年度确认没按时做会怎么样", ["60"]),
        ("信访事项多长时间办完", ["60"]),
        ("优待证初审过了下一步是啥", ["备案"]),
        ("村头的烈士墓破了，谁管修", ["退役军人事务"]),
        ("阳光安置怎么选岗", ["量化"]),
        ("我再提交一次信访能不能快些", ["原受理编号"]),
        ("义务兵家庭优待金是一年发一次吗", ["服役"]),
        ("户籍在老家，人在城里跟儿子住，年度确认必须回去吗", ["代理认证"]),
        ("住院病人怎么做年度确认", ["上门"]),
        ("伤残七级想调到六级，要隔多久", ["1年"]),
        ("持优待证看病能不能优先", ["优先"]),
        ("优待卡能不能转给儿媳妇用", ["不能"]),
    ],
)
def test_paraphrases_reach_the_right_answer(
    ctx: Context, question: str, topic_words: list[str]
) -> None:
    hits = ctx.index.search(question)
    assert hits and hits[0].score >= ctx.threshold
    assert all(w in hits[0].entry.answer for w in topic_words)


@pytest.mark.parametrize("question", ["今天天气怎么样", "帮我推荐几只股票", "asdfghjkl", "。。。"])
def test_unrelated_questions_stay_below_the_threshold(ctx: Context, question: str) -> None:
    hits = ctx.index.search(question)
    assert not hits or hits[0].score < ctx.threshold


def test_every_entry_has_a_source_and_a_future_review_date(ctx: Context) -> None:
    import datetime as dt

    for entry in ctx.kb:
        assert entry.sources, entry.id
        assert entry.review_by and entry.review_by >= dt.date(2026, 11, 23), entry.id

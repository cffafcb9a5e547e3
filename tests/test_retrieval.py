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

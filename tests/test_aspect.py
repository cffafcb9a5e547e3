"""What a question asks about its topic (knowledge/aspect.py): detected in the veteran's own
words — colloquial, 繁體, typos — and used to answer the asked fact or to say honestly that
there is no exact rule here."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from bot.shell.ask import ask
from intents.compose import strip_opener
from intents.context import Context
from knowledge import aspect
from knowledge.index import Index
from knowledge.kb import Facet

# written for this test, not taken from any eval set
PHRASINGS = [
    ("补办个优待证得掏多少钱", "fee"),
    ("辦光榮牌要錢不", "fee"),
    ("残疾军人证换新的收不收工本费", "fee"),
    ("去景区拿退伍证能免费进不", "fee"),
    ("年审要自己花钱吗", "fee"),
    ("俺爹的定补一个月给多少", "amount"),
    ("五级伤残一年能拿几多钱", "amount"),
    ("今年优待金标准是多少", "amount"),
    ("创业贷款最多能贷多少啊", "amount"),
    ("烈屬撫卹金一年發多少", "amount"),
    ("复查申请得在几天内交", "deadline"),
    ("退伍回来多长时间以内要去报道", "deadline"),
    ("抚恤金一般每月几号到账", "deadline"),
    ("年度确认最晚啥时候弄完", "deadline"),
    ("優待證有效期是多久", "deadline"),
    ("办遗属优待证要带些啥", "materials"),
    ("补残疾证需要哪些资料", "materials"),
    ("申请评残要准备什么证明", "materials"),
    ("光荣牌该上哪儿领", "where"),
    ("评残找哪个部门", "where"),
    ("优待证去哪办理", "where"),
    ("烈士墓坏了归谁管", "where"),
    ("啥人能领定补", "who"),
    ("我这种情况够不够条件评残", "who"),
    ("哪些人能挂光荣牌", "who"),
    ("優待證發放對象有哪些", "who"),
    ("定补是个啥意思", "definition"),
    ("三属指的是哪些人", "definition"),
    ("带病回乡是什么", "definition"),
    ("年度确认咋弄", "process"),
    ("优代证网上怎么申请", "process"),
    ("复查的流程是啥", "process"),
    ("我那个优待证审到哪一步了", "status"),
    ("交上去一个月了咋还没消息", "status"),
    ("优待证能不能借给我儿子用", "yesno"),
    ("军休干部可以办优待证吗", "who"),
    ("烈士子女上学有照顾吗", "yesno"),
]


@pytest.mark.parametrize(("question", "expected"), PHRASINGS)
def test_the_asked_aspect_is_read_from_real_style_phrasings(question: str, expected: str) -> None:
    assert aspect.primary(question) == expected, aspect.detect(question)


def _vocabulary_examples() -> list[tuple[str, str, bool]]:
    doc = yaml.safe_load(aspect.VOCABULARY.read_text(encoding="utf-8"))
    cases = []
    for raw in doc["aspects"]:
        cases += [(raw["aspect"], q, True) for q in raw.get("examples") or []]
        cases += [(raw["aspect"], q, False) for q in raw.get("not_examples") or []]
    return cases


@pytest.mark.parametrize(("name", "question", "is_it"), _vocabulary_examples())
def test_the_vocabulary_files_examples_and_not_examples(
    name: str, question: str, is_it: bool
) -> None:
    found = aspect.detect(question)
    if is_it:
        assert found and found[0] == name, found
    else:
        assert name not in found, found


def test_every_aspect_has_a_cue_and_a_label() -> None:
    assert {c.aspect for c in aspect.vocabulary().cues} == set(aspect.ASPECTS)
    assert set(aspect.LABELS) == set(aspect.ASPECTS)


@pytest.mark.parametrize(
    ("name", "answer", "holds"),
    [
        ("amount", "标准由国家统一规定。", False),
        ("amount", "一级因战残疾每年1000元。", True),
        ("amount", "具体金额以当地公布为准。", True),
        ("deadline", "到户籍地服务站申请。", False),
        ("deadline", "自收到之日起15日内书面告知。", True),
        ("fee", "到户籍地服务站申请。", False),
        ("fee", "首次申领免费。", True),
        ("who", "到户籍地服务站申请。", True),  # eligibility is not checked word by word
    ],
)
def test_an_answer_holds_the_asked_fact_or_not(name: str, answer: str, holds: bool) -> None:
    assert aspect.answers(name, answer) is holds


def test_a_long_story_or_a_rumour_is_not_checked_fact_by_fact() -> None:
    assert aspect.checked(("amount",), "定补一个月多少钱") == ("amount",)
    assert aspect.checked(("amount",), "听说定补一个月涨到两千，是真的吗") == ()
    assert aspect.checked(("amount",), "我" * 70 + "定补一个月多少钱") == ()


# -- answering by aspect ---------------------------------------------------------------------


def test_a_sum_the_kb_does_not_hold_gets_an_honest_no_exact_rule(ctx: Context) -> None:
    result = ask(ctx, "在乡老复员军人的定补每个月给多少钱")
    assert result["intent"] == "unknown"
    assert "没有准确的规定" in result["answer"] and "转人工" in result["answer"]
    assert "1." in result["answer"]  # the topic is still offered as a numbered choice


@pytest.fixture(scope="module")
def fee_faceted(ctx: Context) -> Context:
    """card.apply (申领 steps) with a fee facet: a fee question must land there now."""
    entry = ctx.kb.get("card.apply")
    assert entry is not None
    kb = ctx.kb.with_entry(
        dataclasses.replace(entry, facets=(Facet("fee", "申领不收取任何费用。", ("测试依据",)),))
    )
    return dataclasses.replace(ctx, kb=kb, index=Index(kb))


def test_retrieval_prefers_the_entry_with_a_facet_for_the_asked_aspect(
    ctx: Context, fee_faceted: Context
) -> None:
    question = "申领优待证的时候要交钱吗"
    plain = ctx.index.search(question, 8)
    weighed = fee_faceted.index.search(question, 8, aspects=("fee", "yesno"))
    apply_before = next(h.score for h in plain if h.entry.id == "card.apply")
    apply_after = next(h.score for h in weighed if h.entry.id == "card.apply")
    assert apply_after > apply_before


def test_a_yes_no_opener_is_kept_only_for_the_entrys_own_question(ctx: Context) -> None:
    own = ask(ctx, "军休干部可以申领优待证吗")
    assert own["entry_id"] == "card.junxiu" and own["answer"].startswith("可以。")
    other = ask(ctx, "军休干部申领优待证需要注意什么")
    if other["entry_id"] == "card.junxiu":
        assert not other["answer"].startswith("可以"), other["answer"]


@pytest.mark.parametrize(
    ("answer", "opened"),
    [
        ("可以。军休干部属于退役军人。", "军休干部属于退役军人。"),
        ("不能。优待证只限本人使用。", "优待证只限本人使用。"),
        ("有。符合条件的烈士老年子女享受补助。", "符合条件的烈士老年子女享受补助。"),
        ("可以，在App里刷脸认证。", "在App里刷脸认证。"),
        ("可以申请法律援助。", "可以申请法律援助。"),  # not a bare opener
    ],
)
def test_the_bare_opener_is_stripped_to_open_with_the_subject(answer: str, opened: str) -> None:
    assert strip_opener(answer) == opened


def test_no_bare_opener_is_left_where_the_question_is_not_a_yes_no_one(ctx: Context) -> None:
    for question in ("低保怎么算家庭收入，抚恤金算进去不", "讲讲烈士老年子女的定补政策"):
        result = ask(ctx, question)
        assert not re.match(r"^(可以|不能|有|算|不算)。", result["answer"]) or "yesno" in (
            aspect.detect(question)
        ), result


def test_a_context_line_with_a_number_the_facet_lacks_is_kept() -> None:
    from intents.compose import shorten

    lead = "招用自主就业退役士兵的企业，按实际招用人数定额扣减税费。"
    general = "招用自主就业退役士兵的企业，按每人每年6000元定额扣减税费。\n以本省公布为准。"
    assert "6000元" in shorten(general, lead)
    assert "6000元" not in shorten(general, lead + "每人每年6000元")

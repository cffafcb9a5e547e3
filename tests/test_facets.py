"""KB facets (DESIGN.md Understanding): an entry's direct answer to one aspect of its topic,
loaded, validated and linted like the entry itself."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from bot.shell.ask import ask
from intents.context import Context
from knowledge import kb as kb_mod
from knowledge.kb import KBError
from knowledge.lint import lint

ENTRY = """
topic: 优待证
entries:
  - id: card.fee_demo
    questions: [优待证收费吗, 办优待证要钱吗, 优待证免费吗, 补办优待证收费吗, 辦優待證要錢嗎]
    answer: |
      首次申领优待证免费。
    source: [《优待证管理办法（试行）》]
    effective: 2021-12-14
    review_by: 2027-06-30
    facets:
{facets}
"""


def _load(tmp_path: Path, facets: str) -> kb_mod.KnowledgeBase:
    body = textwrap.indent(textwrap.dedent(facets).strip("\n"), " " * 6)
    (tmp_path / "card.yaml").write_text(ENTRY.format(facets=body), encoding="utf-8")
    return kb_mod.load(tmp_path)


def test_a_facet_is_loaded_with_its_own_sources_and_local_flag(tmp_path: Path) -> None:
    kb = _load(
        tmp_path,
        """
        fee:
          answer: |
            首次申领免费；丢失补办按发卡银行规定收费。
          source: [《优待证管理办法（试行）》第二十条]
        amount:
          answer: 补办费用由发卡银行定。
          local: true
        """,
    )
    entry = kb.get("card.fee_demo")
    assert entry is not None
    fee = entry.facet("fee")
    assert fee is not None and fee.answer.startswith("首次申领免费")
    assert entry.facet_sources(fee) == ("《优待证管理办法（试行）》第二十条",)
    amount = entry.facet("amount")
    assert amount is not None and amount.local
    assert entry.facet_sources(amount) == entry.sources  # none of its own: the entry's
    assert entry.facet("deadline") is None


def test_aliases_used_by_the_eval_sets_are_accepted(tmp_path: Path) -> None:
    kb = _load(tmp_path, "eligibility:\n  answer: 退役军人和三属。\nyes_no:\n  answer: 可以。\n")
    entry = kb.get("card.fee_demo")
    assert entry is not None and [f.aspect for f in entry.facets] == ["who", "yesno"]


@pytest.mark.parametrize(
    ("facets", "message"),
    [
        ("price:\n  answer: 免费。", "unknown facet aspect 'price'"),
        ("fee:\n  source: [x]", "facet 'fee' has no answer"),
        ("fee:\n  answer: 免费。\n  sorce: [x]", "unknown keys"),
        ("- fee", "facets must be a mapping"),
        ("fee:\n  answer: 免费。\n  review_by: soon", "not an ISO date"),
    ],
)
def test_a_bad_facet_is_refused_with_a_clear_error(
    tmp_path: Path, facets: str, message: str
) -> None:
    with pytest.raises(KBError, match=message) as caught:
        _load(tmp_path, facets)
    assert "card.fee_demo" in str(caught.value)  # says which entry


def test_lint_checks_a_facets_source_length_and_review_date(tmp_path: Path) -> None:
    kb = _load(
        tmp_path,
        """
        fee:
          answer: |
            1
            2
            3
            4
            5
            6
            7
        deadline:
          answer: 当场办理。
          review_by: 2025-01-01
        where:
          answer: 户籍地服务站{{ nowhere }}。
        """,
    )
    messages = [p.message for p in lint(kb, dt.date(2026, 12, 9)) if p.entry_id == "card.fee_demo"]
    assert any("facet fee: answer has 7 lines" in m for m in messages)
    assert any("facet deadline: review_by 2025-01-01 has passed" in m for m in messages)
    assert any("facet where: unknown template variables: nowhere" in m for m in messages)


def test_lint_refuses_a_facet_without_any_source(tmp_path: Path) -> None:
    text = ENTRY.replace("    source: [《优待证管理办法（试行）》]\n", "")
    body = textwrap.indent("fee:\n  answer: 免费。", " " * 6)
    (tmp_path / "card.yaml").write_text(text.format(facets=body), encoding="utf-8")
    problems = lint(kb_mod.load(tmp_path), dt.date(2026, 12, 9))
    assert any(p.message.startswith("facet fee: no source") for p in problems)


def test_the_shipped_kb_loads_and_its_facets_are_clean(ctx: object) -> None:
    kb = kb_mod.load()
    problems = [p for p in lint(kb, dt.date(2026, 12, 9)) if p.message.startswith("facet ")]
    assert problems == []


# -- answering with a facet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def faceted(ctx: Context) -> Context:
    """The shipped KB with a fee facet on card.fee and a deadline facet on card.time."""
    import dataclasses

    from knowledge.index import Index
    from knowledge.kb import Facet

    kb = ctx.kb
    fee = kb.get("card.fee")
    time = kb.get("card.time")
    assert fee is not None and time is not None
    kb = kb.with_entry(
        dataclasses.replace(
            fee, facets=(Facet("fee", "首次申领优待证不收任何费用。", ("管理办法第二十条",)),)
        )
    )
    kb = kb.with_entry(
        dataclasses.replace(
            time, facets=(Facet("deadline", "制卡和寄送需要一段时间。", local=True),)
        )
    )
    return dataclasses.replace(ctx, kb=kb, index=Index(kb))


def test_the_asked_aspect_is_answered_first_with_its_own_source(faceted: Context) -> None:
    result = ask(faceted, "办优待证要交钱吗")
    assert result["entry_id"] == "card.fee"
    assert result["answer"].startswith("首次申领优待证不收任何费用。")
    assert "管理办法第二十条" in result["answer"]
    assert "管理办法第二十条" in result["sources"]


def test_a_local_facet_says_who_sets_it(faceted: Context) -> None:
    result = ask(faceted, "优待证申请了要多长时间才能拿到")
    assert result["entry_id"] == "card.time"
    first = result["answer"].splitlines()
    assert first[0] == "制卡和寄送需要一段时间。"
    assert "以当地公布为准" in first[1] and "退役军人事务局" in first[1]

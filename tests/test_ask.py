"""`vetbot ask` contract and behaviour on odd input (DESIGN.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ask import ask
from intents.context import Context

ROOT = Path(__file__).resolve().parent.parent
INTENTS = {
    "faq",
    "card",
    "survival_cert",
    "petition",
    "handoff",
    "crisis",
    "greeting",
    "out_of_scope",
    "unknown",
}
KEYS = {"id", "intent", "entry_id", "confidence", "answer", "handoff", "sources"}

ODD_INPUTS = [
    "",
    "   \t\n ",
    "优" * 10_000,
    "👍🙏😀",
    "\x00\x01\x1b[31m优待证\x7f",
    "<script>alert('x')</script>",
    "'; DROP TABLE tickets; --",
    "优待证 how to apply 優待證",
    "１２３４５",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_gets_a_polite_well_formed_answer(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert set(result) == KEYS
    assert result["intent"] in INTENTS
    assert result["answer"].strip()
    assert "Traceback" not in result["answer"]
    assert "<script>" not in result["answer"]
    assert 0.0 <= result["confidence"] <= 1.0


def test_low_confidence_does_not_guess_and_offers_topics_and_a_human(ctx: Context) -> None:
    result = ask(ctx, "我那个事你们到底管不管")
    assert result["intent"] == "unknown"
    assert result["entry_id"] is None
    assert "转人工" in result["answer"]


def test_faq_answer_carries_its_sources(ctx: Context) -> None:
    result = ask(ctx, "伤残抚恤金没按时确认会怎样")
    assert result["intent"] == "faq"
    assert result["sources"] and all(s in result["answer"] for s in result["sources"])


def test_crisis_gives_12356_and_never_promises_24_hours(ctx: Context) -> None:
    result = ask(ctx, "我真的不想活了")
    assert result["intent"] == "crisis"
    assert "12356" in result["answer"] and "110" in result["answer"]
    assert "24小时" not in result["answer"]


def test_cli_batch_keeps_order_and_ids(tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    lines = [{"id": "a", "q": "优待证要交钱吗"}, {"id": 2, "q": "转人工"}, {"id": "c", "q": ""}]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--batch", str(batch), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", 2, "c"]
    assert results[1]["intent"] == "handoff" and results[1]["handoff"] is True


def test_cli_rejects_a_missing_question_with_a_clear_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "text",
    [
        "我已经写好遗书了",
        "活着还有什么意思",
        "人活着太累了，不如早点走",
        "等了这么多年也没人管，我真想一死了之",
        "药我已经攒了一瓶了",
        "再不给解决，我就跟他们拼了",
        "再不给我解决我就去把信访局砸了",
    ],
)
def test_indirect_danger_is_met_with_care_not_an_faq(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "110" in result["answer"]


def test_breaking_a_phone_is_not_a_threat(ctx: Context) -> None:
    assert ask(ctx, "手机屏幕砸了能修吗")["intent"] != "crisis"


@pytest.mark.parametrize(
    "text", ["我要去省里上访，带上几十个人", "这个月我们老兵要集体去市政府门口坐着"]
)
def test_crowd_petitions_are_urgent_and_offered_the_lawful_channel(ctx: Context, text: str) -> None:
    result = ask(ctx, text)
    assert result["intent"] == "crisis"
    assert "信访" in result["answer"] and "工作人员" in result["answer"]

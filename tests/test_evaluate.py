"""`vetbot eval` scores real public questions three ways (correct / abstained / wrong) with
the rules of shared/tools/score_real.py, per aspect and per confidence bucket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli import evaluate as scoring

FEE = {"id": "r1", "q": "优待证收费吗", "keywords": [["免费"], ["银行"]], "aspect": "fee"}
LOCAL = {"id": "r2", "q": "北京公交免费吗", "keywords": [["1月1日"]], "national": False}


def answered(answer: str, intent: str = "faq", confidence: float = 0.8) -> dict[str, object]:
    return {"intent": intent, "answer": answer, "confidence": confidence, "entry_id": "card.fee"}


@pytest.mark.parametrize(
    ("case", "result", "outcome"),
    [
        (FEE, answered("首次申领免费；丢失补办按发卡银行规定收费。"), "correct"),
        (FEE, answered("首次申领免费。"), "wrong"),  # a keyword group missed
        (FEE, answered("不确定", intent="unknown"), "abstained"),
        (FEE, answered("已转人工", intent="handoff"), "abstained"),
        (FEE, answered("不归我们管", intent="out_of_scope"), "abstained"),
        # a national question answered "set locally" is still wrong
        (FEE, answered("以当地公布为准。"), "wrong"),
        # a local question answered with an explicit "set locally" is an honest deferral
        (LOCAL, answered("具体以当地公布为准。"), "abstained"),
        (LOCAL, answered("优待证可以免费坐公交。"), "wrong"),
        (LOCAL, answered("自2024年1月1日起免费。"), "correct"),
    ],
)
def test_real_questions_are_scored_three_ways(
    case: dict[str, object], result: dict[str, object], outcome: str
) -> None:
    verdict = scoring.judge(case, result)
    assert verdict.outcome == outcome
    assert verdict.ok is (outcome == "correct")


def test_the_older_format_is_still_ok_or_not() -> None:
    case = {"id": "d1", "q": "优待证收费吗", "intent": ["faq"], "must": [["免费"]]}
    assert scoring.judge(case, answered("首次申领免费。")).ok
    verdict = scoring.judge(case, answered("不知道", intent="unknown"))
    assert not verdict.ok and verdict.outcome == ""


def test_tables_by_aspect_and_by_confidence() -> None:
    verdicts = [
        scoring.judge(FEE, answered("免费，银行", confidence=0.95)),
        scoring.judge(FEE, answered("免费", confidence=0.45)),
        scoring.judge({**FEE, "aspect": "deadline"}, answered("?", "unknown", 0.3)),
    ]
    assert scoring.by_aspect(verdicts) == [("deadline", 0, 1, 0), ("fee", 1, 0, 1)]
    assert scoring.calibration(verdicts) == [
        ("0.0–0.4", 0, 1, 0),
        ("0.4–0.5", 0, 0, 1),
        ("0.9–1.0", 1, 0, 0),
    ]
    assert scoring.summary(verdicts) == "score: 1/3 (real: correct 1/3, abstained 1, wrong 1)"


def test_vetbot_eval_prints_the_tables_and_a_machine_readable_last_line(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "q": "办优待证要交钱吗", "keywords": [["免费"]], "aspect": "fee"},
        {"id": "b", "q": "今天天气怎么样", "keywords": [["晴"]], "aspect": "other"},
    ]
    path = tmp_path / "real.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    result = CliRunner().invoke(app, ["eval", str(path)])
    assert result.exit_code == 0, result.output
    assert "by aspect" in result.output and "confidence vs correctness" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last == "score: 1/2 (real: correct 1/2, abstained 1, wrong 0)"

"""Real-style questions fixed for issue 15, kept as data (tests/real_regressions.yaml): the
asked aspect is read, and the answer comes from the right entry or is an honest "no exact
rule here" — never another entry's summary given as if it answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.shell.ask import ask
from intents.context import Context
from knowledge import aspect

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "real_regressions.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["q"][:16] for c in CASES])
def test_a_fixed_real_question_stays_fixed(ctx: Context, case: dict[str, Any]) -> None:
    assert aspect.primary(case["q"]) == case["aspect"]
    result = ask(ctx, case["q"])
    if case.get("abstain"):
        later = case.get("also_entry") or []
        assert result["intent"] == "unknown" or result["entry_id"] in later, result
        if result["intent"] == "unknown":
            assert "转人工" in result["answer"]
    else:
        assert result["intent"] == "faq", result
        assert result["entry_id"] == case["entry"], result

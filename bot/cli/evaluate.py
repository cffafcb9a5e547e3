"""`vetbot eval FILE`: score answers against expectations (DESIGN.md eval format)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    id: str
    question: str
    ok: bool
    why: str
    intent: str
    answer: str


def judge(case: dict[str, Any], result: dict[str, Any]) -> Verdict:
    answer = str(result.get("answer", ""))
    problems: list[str] = []
    allowed = case.get("intent") or []
    if allowed and result.get("intent") not in allowed:
        problems.append(f"intent {result.get('intent')} not in {allowed}")
    for group in case.get("must") or []:
        if not any(alt in answer for alt in group):
            problems.append(f"missing one of {group}")
    for banned in case.get("must_not") or []:
        if banned in answer:
            problems.append(f"contains {banned!r}")
    return Verdict(
        str(case.get("id")),
        str(case.get("q", "")),
        not problems,
        "; ".join(problems),
        str(result.get("intent")),
        answer,
    )

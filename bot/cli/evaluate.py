"""`vetbot eval FILE`: score answers against expectations.

Two formats, told apart line by line:

- the DESIGN.md eval format ``{id, q, intent: [...], must: [[...]], must_not: [...]}``:
  ok or not;
- the real-question format ``{id, q, keywords: [[...]], aspect, national}``: three ways,
  with the same rules as ``shared/tools/score_real.py`` —
  **abstained**: intent unknown / handoff / out_of_scope, or, for a local question
  (``national: false``), an answer that says the matter is set locally;
  **correct**: answered and every keyword group hit; **wrong**: answered, a group missed.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CORRECT, ABSTAINED, WRONG = "correct", "abstained", "wrong"
OUTCOMES = (CORRECT, ABSTAINED, WRONG)
ABSTAINING = ("unknown", "handoff", "out_of_scope")
#: an answer saying the matter is set locally (score_real.py's list)
LOCAL = ("以当地", "当地公布", "当地规定", "各地", "各省", "由省", "本地区", "当地退役军人")
#: confidence buckets of the calibration table: [low, high)
BUCKETS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


@dataclass(frozen=True)
class Verdict:
    id: str
    question: str
    ok: bool
    why: str
    intent: str
    answer: str
    outcome: str = ""  # correct | abstained | wrong (real-question format); "" otherwise
    aspect: str = ""
    confidence: float = 0.0
    entry_id: str = ""


def is_real(case: dict[str, Any]) -> bool:
    """A real-question line (keywords to hit) rather than an intent/must expectation."""
    return "keywords" in case


def judge(case: dict[str, Any], result: dict[str, Any]) -> Verdict:
    return judge_real(case, result) if is_real(case) else judge_expected(case, result)


def judge_expected(case: dict[str, Any], result: dict[str, Any]) -> Verdict:
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
    return _verdict(case, result, not problems, "; ".join(problems), "")


def judge_real(case: dict[str, Any], result: dict[str, Any]) -> Verdict:
    answer = str(result.get("answer", ""))
    intent = str(result.get("intent"))
    if intent in ABSTAINING:
        return _verdict(case, result, False, f"abstained ({intent})", ABSTAINED)
    missed = [g for g in case.get("keywords") or [] if not any(k in answer for k in g)]
    if missed and not case.get("national", True) and any(w in answer for w in LOCAL):
        return _verdict(case, result, False, "local: said it is set locally", ABSTAINED)
    if missed:
        return _verdict(case, result, False, f"missing one of {missed[0]}", WRONG)
    return _verdict(case, result, True, "", CORRECT)


def _verdict(
    case: dict[str, Any], result: dict[str, Any], ok: bool, why: str, outcome: str
) -> Verdict:
    return Verdict(
        str(case.get("id")),
        str(case.get("q", "")),
        ok,
        why,
        str(result.get("intent")),
        str(result.get("answer", "")),
        outcome,
        str(case.get("aspect") or "-"),
        float(result.get("confidence") or 0.0),
        str(result.get("entry_id") or ""),
    )


def three_way(verdicts: Iterable[Verdict]) -> Counter[str]:
    return Counter(v.outcome for v in verdicts if v.outcome)


def by_aspect(verdicts: Sequence[Verdict]) -> list[tuple[str, int, int, int]]:
    """(aspect, correct, abstained, wrong) per aspect of the real-question lines."""
    counts: dict[str, Counter[str]] = {}
    for v in verdicts:
        if v.outcome:
            counts.setdefault(v.aspect, Counter())[v.outcome] += 1
    return [(a, c[CORRECT], c[ABSTAINED], c[WRONG]) for a, c in sorted(counts.items())]


def bucket(confidence: float) -> str:
    for low, high in itertools.pairwise(BUCKETS):
        if low <= confidence < high:
            return f"{low:.1f}–{min(high, 1.0):.1f}"
    return f"{BUCKETS[-2]:.1f}–1.0"


def calibration(verdicts: Sequence[Verdict]) -> list[tuple[str, int, int, int]]:
    """(confidence bucket, correct, abstained, wrong): does confidence separate right from
    wrong? Lines of the DESIGN.md format count as correct (ok) or wrong (not ok)."""
    counts: dict[str, Counter[str]] = {bucket(b): Counter() for b in BUCKETS[:-1]}
    for v in verdicts:
        outcome = v.outcome or (CORRECT if v.ok else WRONG)
        counts[bucket(v.confidence)][outcome] += 1
    return [(b, c[CORRECT], c[ABSTAINED], c[WRONG]) for b, c in counts.items() if sum(c.values())]


def summary(verdicts: Sequence[Verdict]) -> str:
    """The last line: ``score: N/M``, with the three-way count when real lines were scored."""
    line = f"score: {sum(v.ok for v in verdicts)}/{len(verdicts)}"
    real = [v for v in verdicts if v.outcome]
    if real:
        c = three_way(real)
        line += (
            f" (real: correct {c[CORRECT]}/{len(real)}, abstained {c[ABSTAINED]}, wrong {c[WRONG]})"
        )
    return line

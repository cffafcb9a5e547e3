"""`vetbot ask` and `POST /api/ask`: one fresh conversation per question (DESIGN.md contract)."""

from __future__ import annotations

from typing import Any

from intents.context import Context
from intents.engine import step
from intents.state import ConversationState
from intents.turn import Inbound
from knowledge.clock import Clock, SystemClock

MAX_QUESTION = 10_000


def ask(
    ctx: Context,
    question: str,
    qid: Any = None,
    region: str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    state = ConversationState(region=region)
    inbound = Inbound(
        channel="cli",
        user_id="ask",
        text=str(question or "")[:MAX_QUESTION],
        at=(clock or SystemClock()).now(),
    )
    turn = step(state, inbound, ctx)
    u = turn.understanding
    return {
        "id": qid,
        "intent": u.intent,
        "entry_id": u.entry_id,
        "confidence": round(float(u.confidence), 4),
        "answer": turn.text(),
        "handoff": bool(u.handoff),
        "sources": list(u.sources),
    }

"""`vetbot ask` and `POST /api/ask`: one fresh conversation per question (DESIGN.md contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intents.context import Context
from intents.engine import step
from intents.state import ConversationState
from intents.turn import Inbound

MAX_QUESTION = 10_000


def ask(ctx: Context, question: str, qid: Any = None, region: str | None = None) -> dict[str, Any]:
    state = ConversationState(region=region)
    inbound = Inbound(
        channel="cli",
        user_id="ask",
        text=str(question or "")[:MAX_QUESTION],
        at=dt.datetime.now(dt.UTC),
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

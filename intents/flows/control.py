"""Leaving a flow: cancel (saying what was dropped), and whether the bot is
waiting for personal data (so the shell stores that line only encrypted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intents import texts
from intents.context import Context
from intents.state import ConversationState
from intents.turn import Reply, Turn, Understanding
from intents.vocabulary import Intent


def cancel(state: ConversationState, flows: Mapping[str, Any]) -> Turn:
    flow = flows.get(state.flow or "")
    title = flow.title if flow else "当前事项"
    dropped = _dropped(flow, state.trail)
    after = state.cleared().model_copy(update={"pending": {"choices": list(texts.MENU_ACTIONS)}})
    reply = Reply(f"已取消「{title}」{dropped}。有需要随时再找我。", texts.MENU)
    return Turn(after, (reply,), (), Understanding(Intent.GREETING))


def _dropped(flow: Any, trail: list[str]) -> str:
    """ ", 已填写的2项（申请人、建档立卡）已清除" — what a cancel threw away."""
    if not trail:
        return ""
    labels = (
        [getattr(flow.slot(name), "label", "") or name for name in trail] if flow else list(trail)
    )
    return f"，已填写的{len(trail)}项（{'、'.join(labels)}）已清除"


def expects_sensitive(state: ConversationState, ctx: Context) -> bool:
    """Is the bot waiting for personal data (name, ID number, phone, address)?"""
    flow = ctx.flows.get(state.flow or "")
    slot = flow.slot(state.slot) if flow else None
    return bool(slot and getattr(slot, "sensitive", False))

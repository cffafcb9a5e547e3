"""Turns where a person matters more than an answer: 转人工, crisis, the veteran
talking to staff, and the satisfaction question after a case is answered."""

from __future__ import annotations

from typing import Any

from intents import rules, texts
from intents.action import HANDOFF, Action, flow
from intents.context import Context
from intents.options import pick
from intents.state import ConversationState
from intents.turn import (
    EndHandoff,
    ForwardToHuman,
    NotifyStaff,
    OpenTicket,
    RecordSatisfaction,
    Reply,
    Turn,
    Understanding,
)
from intents.vocabulary import Intent, TicketKind
from knowledge.render import context_for

SATISFACTION = ("满意", "基本满意", "不满意")
_HIDDEN = ("id_number", "phone", "name", "address")


def handoff(state: ConversationState, ctx: Context, why: str = "转人工") -> Turn:
    """Open a consultation ticket and let a human take the conversation over."""
    flow = state.flow
    picked = state.slots.get("region")  # a town chosen mid-flow routes the ticket there
    if isinstance(picked, str) and picked in ctx.regions:
        state = state.model_copy(update={"region": picked})
    public = public_slots(ctx.flows.get(flow or ""), state.slots)
    effect = OpenTicket(
        kind=TicketKind.CONSULTATION,
        region_code=state.region,
        summary=f"{why}：{_excerpt_line(state)}",
        details={"flow": flow, "slots": public} if flow else {},
        excerpt=tuple(state.recent),
        handoff=True,
    )
    after = state.cleared().model_copy(update={"handoff_ticket": "pending"})
    reply = Reply(texts.handoff(context_for(ctx.regions, state.region)))
    return Turn(after, (reply,), (effect,), Understanding(Intent.HANDOFF, handoff=True))


def crisis(state: ConversationState, ctx: Context, text: str, action: Action) -> Turn:
    """Care first: 12356 and 110/120, an urgent ticket, staff told at once; the bot stays."""
    local = context_for(ctx.regions, state.region)
    crowd = action.arg == "crowd"
    label = "群体性/越级上访风险：" if crowd else "危机（自伤/伤人风险）："
    summary = label + text[:200]
    effects = (
        OpenTicket(
            TicketKind.CRISIS, state.region, summary, urgent=True, excerpt=tuple(state.recent)
        ),
        NotifyStaff(state.region, "【紧急】" + summary, urgent=True),
    )
    if crowd:
        after = state.cleared().model_copy(
            update={"pending": {"choices": [str(flow("petition")), str(HANDOFF)]}}
        )
        reply = Reply(texts.crisis_crowd(local), ("我要反映（信访）", "转人工"))
    else:
        after = state  # stay with the user; an open flow is kept
        reply = Reply(texts.crisis_self(local))
    return Turn(after, (reply,), effects, Understanding(Intent.CRISIS, handoff=True))


def with_human(state: ConversationState, ctx: Context, text: str, norm: str, plain: str) -> Turn:
    """A human owns the conversation: forward the message (crisis still comes first)."""
    ticket = state.handoff_ticket or ""
    if rules.END_HANDOFF.match(norm):
        after = state.cleared().model_copy(update={"handoff_ticket": None})
        reply = Reply("好的，已结束人工服务，回到机器人。有问题请直接问我。")
        return Turn(after, (reply,), (EndHandoff(ticket),), Understanding(Intent.GREETING))
    danger = rules.crisis_action(norm, plain) if norm else None
    if danger is not None:
        return crisis(state, ctx, text, danger)
    effects = (ForwardToHuman(ticket, text),) if text else ()
    if state.pending.get("forward_acked"):
        return Turn(state, (), effects, Understanding(Intent.HANDOFF, handoff=True))
    after = state.model_copy(update={"pending": {"forward_acked": True}})
    reply = Reply("您的消息已转给工作人员，请稍候。回复“结束人工”可回到机器人。")
    return Turn(after, (reply,), effects, Understanding(Intent.HANDOFF, handoff=True))


def satisfaction(state: ConversationState, text: str) -> Turn | None:
    """The answer to 满意/基本满意/不满意, or None when the message is something else."""
    ticket = str(state.pending["satisfaction"])
    chosen = pick(text, SATISFACTION)
    if chosen is None:
        return None
    after = state.model_copy(update={"pending": {}})
    reply = Reply("感谢您的评价！有问题随时找我。")
    effect = RecordSatisfaction(ticket, SATISFACTION[chosen])
    return Turn(after, (reply,), (effect,), Understanding(Intent.GREETING))


def public_slots(flow: Any, slots: dict[str, Any]) -> dict[str, Any]:
    """Slots safe to copy into a ticket's details: no ID numbers, phones, names,
    addresses, nor any answer to a slot the flow marks ``sensitive``."""

    def secret(key: str) -> bool:
        slot = flow.slot(key.split(".")[0]) if flow else None
        return bool(getattr(slot, "sensitive", False)) or key.startswith(_HIDDEN)

    return {k: v for k, v in slots.items() if not secret(k)}


def _excerpt_line(state: ConversationState) -> str:
    lines = [r for r in state.recent if r]
    return lines[-2] if len(lines) >= 2 else (lines[-1] if lines else "")

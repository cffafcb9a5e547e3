"""Walks a flow: asks slots, reads answers, handles back/restart/failures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from intents.context import Context
from intents.flows.base import Flow, Invalid, Outcome, Parsed, Slot, View
from intents.state import ConversationState
from intents.turn import Effect, Reply

MAX_FAILURES = 2


@dataclass(frozen=True)
class FlowStep:
    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    failed: bool = False  # the answer did not fit the slot
    done: bool = False


def ask(slot: Slot, view: View, lead: str = "") -> Reply:
    text = slot.prompt_for(view)
    return Reply(f"{lead}{text}" if lead else text, slot.options_for(view))


def start(
    flows: Mapping[str, Flow],
    name: str,
    state: ConversationState,
    ctx: Context,
    preset: dict[str, object] | None = None,
) -> FlowStep:
    flow = flows[name]
    state = state.cleared().model_copy(update={"flow": name, "slots": dict(preset or {})})
    intro = flow.intro(View(state.slots, ctx, state)) if callable(flow.intro) else flow.intro
    return _continue(flows, flow, state, ctx, lead=(intro + "\n") if intro else "")


def current_prompt(
    flows: Mapping[str, Flow], state: ConversationState, ctx: Context, lead: str = ""
) -> Reply | None:
    flow = flows.get(state.flow or "")
    slot = flow.slot(state.slot) if flow else None
    if slot is None:
        return None
    return ask(slot, View(state.slots, ctx, state), lead)


def answer(
    flows: Mapping[str, Flow], state: ConversationState, text: str, ctx: Context
) -> FlowStep:
    flow = flows[state.flow or ""]
    slot = flow.slot(state.slot)
    if slot is None:
        return _continue(flows, flow, state, ctx)
    view = View(state.slots, ctx, state)
    result = slot.read(text, view)
    if isinstance(result, Invalid):
        return _failed(slot, view, state, result)
    return _accept(flows, flow, slot, state, ctx, result)


def back(flows: Mapping[str, Flow], state: ConversationState, ctx: Context) -> FlowStep:
    flow = flows[state.flow or ""]
    if not state.trail:
        return FlowStep(state, (Reply("已经是第一步了。"), *_prompt(flow, state, ctx)))
    previous = state.trail[-1]
    slots = {
        k: v for k, v in state.slots.items() if k != previous and not k.startswith(previous + ".")
    }
    state = state.model_copy(
        update={"slots": slots, "trail": state.trail[:-1], "slot": previous, "failures": {}}
    )
    slot = flow.slot(previous)
    assert slot is not None
    return FlowStep(state, (ask(slot, View(slots, ctx, state), "好的，回到上一步。\n"),))


def restart(flows: Mapping[str, Flow], state: ConversationState, ctx: Context) -> FlowStep:
    name = state.flow or ""
    step = start(flows, name, state, ctx)
    first = step.replies[0]
    return FlowStep(
        step.state,
        (Reply(f"好的，重新开始「{flows[name].title}」。\n{first.text}", first.options),),
    )


def _prompt(flow: Flow, state: ConversationState, ctx: Context) -> tuple[Reply, ...]:
    slot = flow.slot(state.slot)
    return (ask(slot, View(state.slots, ctx, state)),) if slot else ()


def _failed(slot: Slot, view: View, state: ConversationState, result: Invalid) -> FlowStep:
    count = state.failures.get(slot.name, 0) + 1
    state = state.model_copy(update={"failures": {**state.failures, slot.name: count}})
    if count < MAX_FAILURES:
        reply = Reply(f"{result.reason}\n{slot.prompt_for(view)}", slot.options_for(view))
        return FlowStep(state, (reply,), failed=True)
    example = f"\n例如：{slot.example}" if slot.example else ""
    options = slot.options_for(view)
    hint = "回复选项前的数字即可" if options else "照例子回复即可"
    text = (
        f"好像没对上，我换个说法：{slot.prompt_for(view)}{example}\n"
        f"（{hint}；也可以回复“转人工”请工作人员帮您，回复“取消”结束。）"
    )
    return FlowStep(state, (Reply(text, options),), failed=True)


def _accept(
    flows: Mapping[str, Flow],
    flow: Flow,
    slot: Slot,
    state: ConversationState,
    ctx: Context,
    result: Parsed,
) -> FlowStep:
    slots = {**state.slots, **result.remember, slot.name: result.value}
    if result.label is not None:
        slots[f"{slot.name}.label"] = result.label
    failures = {k: v for k, v in state.failures.items() if k != slot.name}
    state = state.model_copy(
        update={"slots": slots, "trail": [*state.trail, slot.name], "failures": failures}
    )
    if result.finish:
        return _finish(flows, flow, state, ctx)
    return _continue(flows, flow, state, ctx, after=slot.name)


def _continue(
    flows: Mapping[str, Flow],
    flow: Flow,
    state: ConversationState,
    ctx: Context,
    lead: str = "",
    after: str | None = None,
) -> FlowStep:
    view = View(state.slots, ctx, state)
    nxt = flow.next_slot(view, after) or flow.next_slot(view)
    if nxt is None:
        return _finish(flows, flow, state, ctx, lead)
    state = state.model_copy(update={"slot": nxt.name})
    return FlowStep(state, (ask(nxt, view, lead),))


def _finish(
    flows: Mapping[str, Flow], flow: Flow, state: ConversationState, ctx: Context, lead: str = ""
) -> FlowStep:
    outcome: Outcome = flow.finish(View(state.slots, ctx, state))
    replies = list(outcome.replies)
    if lead and replies:
        replies[0] = Reply(lead + replies[0].text, replies[0].options)
    region = state.slots.get("region") if isinstance(state.slots.get("region"), str) else None
    done = state.cleared().model_copy(update={"region": region or state.region})
    if outcome.then:
        nxt = start(flows, outcome.then, done, ctx, outcome.then_slots)
        return FlowStep(nxt.state, (*replies, *nxt.replies), outcome.effects, done=False)
    return FlowStep(done, tuple(replies), outcome.effects, done=True)

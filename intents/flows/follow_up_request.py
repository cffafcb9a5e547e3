"""申请复查/复核 (flow ``follow_up``): a veteran who is not satisfied with the written
reply to a petition (or with a 复查意见) asks the level above to look again
(《信访工作条例》第三十五、三十六条).

Two rounds of one flow. First the receipt number and lookup code — the same slots,
wrong-pair message and lockout as 查询进度 (``lookup``); the pair is checked
through ``ctx.tickets`` and, when a 复查/复核 cannot be asked for (no reply yet,
window passed, already 复核), the flow ends saying why. When it can, the flow
starts again with the checked case preset and asks for the reason in the
veteran's words and a confirmation → a ``RequestFollowUp`` effect, which the shell
files and answers (``bot.tickets.follow_up``).
"""

from __future__ import annotations

from typing import Any

from intents import follow_ups, rules
from intents.context import LookupLocked
from intents.flows.base import Entry, Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.fields import parse_yes_no
from intents.flows.lookup import SLOTS as PAIR_SLOTS
from intents.flows.lookup import locked, locked_text, wrong_pair
from intents.options import pick
from intents.turn import Reply, RequestFollowUp
from intents.vocabulary import Intent
from knowledge.text import clean

NAME = "follow_up"
MIN_REASON = 5
SUBMIT, EDIT, DROP = "确认提交", "修改理由", "不申请了"
CONFIRM_OPTIONS = (SUBMIT, EDIT, DROP)
AGAIN = "again"  # preset after a wrong pair: the intro is not repeated
CHECKED = ("number", "code", "matter", "stage", "parent_stage", "unit")  # kept for round two

INTRO = (
    "对信访事项的书面答复不满意，可以在收到答复之日起30日内请求复查；"
    "对复查意见不满意，可以在30日内请求复核（《信访工作条例》第三十五、三十六条）。\n"
    "先核对您的信访事项。还没有受理编号、想反映新问题的，请回复“取消”，再说“我要反映”。"
)


def _checked(view: View) -> bool:
    return "matter" in view.slots


def _intro(view: View) -> str:
    """Said once: not again after a wrong pair, nor when the reason is asked."""
    return "" if _checked(view) or AGAIN in view.slots else INTRO


def _reason_prompt(view: View) -> str:
    answer = follow_ups.answer_name(str(view.slots["parent_stage"]))
    return (
        f"请用您自己的话说一说：对{answer}哪些地方不满意，希望怎么处理？"
        "（把事实和理由写清楚，方便上级核查）"
    )


def _parse_reason(text: str, _view: View) -> ParseResult:
    said = clean(text).strip()
    if len(said) < MIN_REASON:
        return Invalid("请再多写几句：对答复哪里不满意，希望怎么处理。")
    return Parsed(said)


def _confirm_prompt(view: View) -> str:
    slots = view.slots
    name = follow_ups.stage_name(str(slots["stage"]))
    answer = follow_ups.answer_name(str(slots["parent_stage"]))
    return (
        "请确认：\n"
        f"· 请求事项：对 {slots['matter']} 的{answer}请求{name}\n"
        f"· 办理单位：{slots['unit']}\n"
        f"· 理由：{str(slots['reason'])[:200]}\n"
        "确认提交吗？"
    )


def _parse_confirm(text: str, view: View) -> ParseResult:
    chosen = pick(text, CONFIRM_OPTIONS)
    if chosen is not None:
        return Parsed(CONFIRM_OPTIONS[chosen])
    said = parse_yes_no(text, view)
    if isinstance(said, Invalid):
        return Invalid("请回复数字：1 确认提交，2 修改理由，3 不申请了。")
    return Parsed(SUBMIT if said.value else DROP)


SLOTS: tuple[Slot, ...] = (
    *PAIR_SLOTS,
    Slot(
        "reason",
        _reason_prompt,
        parse=_parse_reason,
        example="乡里答复说不符合条件，但我有当年的入伍通知书，希望上级重新核查",
        when=_checked,
        free_text=True,
        label="理由",
    ),
    Slot(
        "confirm",
        _confirm_prompt,
        CONFIRM_OPTIONS,
        _parse_confirm,
        example="回复“1”提交",
        when=_checked,
        label="确认",
    ),
)


def _finish(view: View) -> Outcome:
    if not _checked(view):
        return _check_pair(view)
    choice = view.slots.get("confirm")
    if choice == EDIT:
        reply = Reply("好的，请重新写一下理由。")
        return Outcome((reply,), then=NAME, then_slots=_kept(view.slots))
    if choice == DROP:
        return Outcome((Reply("好的，不申请了。需要时随时再找我，也可以回复“转人工”。"),))
    effect = RequestFollowUp(str(view.slots["matter"]), str(view.slots["reason"]))
    return Outcome((), (effect,))  # the shell answers: the new ticket, or why not


def _check_pair(view: View) -> Outcome:
    """Round one: the number/code pair, then whether a 复查/复核 can be asked for."""
    if locked(view):
        return Outcome((Reply(locked_text()),))
    directory = view.ctx.tickets
    if directory is None:
        return Outcome((Reply(follow_ups.UNAVAILABLE),))
    try:
        case = directory.petition_case(str(view.slots["number"]), str(view.slots["code"]))
    except LookupLocked:
        return Outcome((Reply(locked_text()),))
    if case is None:
        return wrong_pair(view, retry=NAME, then_slots={AGAIN: True})
    why_not = follow_ups.refusal(case, view.today, view.ctx.deadlines)
    if why_not is not None:
        return Outcome((Reply(why_not),))
    checked = {
        **view.slots,
        "matter": case.number,
        "stage": case.next_stage,
        "parent_stage": case.stage,
        "unit": case.next_unit,
    }
    reply = Reply(follow_ups.can_ask(case, view.ctx.deadlines))
    return Outcome((reply,), then=NAME, then_slots=_kept(checked))


def _kept(slots: dict[str, Any]) -> dict[str, Any]:
    return {k: slots[k] for k in CHECKED if k in slots}


def follow_up_flow() -> Flow:
    return Flow(
        name=NAME,
        intent=Intent.PETITION,
        title="申请复查/复核",
        slots=SLOTS,
        finish=_finish,
        intro=_intro,
        topic="信访",
        # "我要申请复查", "我对处理意见不服"; "复查的期限是多久" asks about the rules
        entry=(Entry(("follow_up_start",), unless=rules.asks_about_follow_up),),
    )

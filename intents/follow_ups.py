"""复查 / 复核 (《信访工作条例》第三十五、三十六条) as the veteran hears them: whether
a petition can be followed up now and, when not, why — and the receipt once it is
filed. Pure: the engine (before asking for reasons) and the shell (when filing)
judge a ``PetitionCase`` with the same words and the same deadline code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from intents import deadlines
from intents.context import PetitionCase
from intents.deadlines import Deadlines

STAGE_NAMES = {"initial": "信访事项", "review": "复查", "recheck": "复核"}
ANSWER_NAMES = {"initial": "书面答复", "review": "复查意见", "recheck": "复核意见"}
UNAVAILABLE = "暂时提交不了，请稍后再试，或回复“转人工”请工作人员帮您办。"
ASK_STAFF = "有疑问或有新的情况，可以回复“转人工”，工作人员帮您看看。"


def stage_name(stage: str) -> str:
    """复查 | 复核."""
    return STAGE_NAMES.get(stage, stage)


def answer_name(stage: str) -> str:
    """What is challenged: the 书面答复 of a petition, or the 复查意见 of a 复查."""
    return ANSWER_NAMES.get(stage, "答复")


def article(stage: str) -> str:
    return deadlines.CALENDAR_DAYS[stage][1]


def window_end(case: PetitionCase, days: Deadlines) -> dt.date:
    """Last day to ask: 30 days after the reply (the same count as ``bot.tickets.actions``)."""
    assert case.replied_on is not None and case.next_stage is not None
    return days.due(case.next_stage, case.replied_on)


def refusal(case: PetitionCase, today: dt.date, days: Deadlines) -> str | None:
    """Why a 复查/复核 cannot be asked for now, or None when it can."""
    if case.replied_on is None:
        return _still_handled(case) if case.open else _no_reply(case)
    if case.next_stage is None:
        return _after_recheck(case)
    end = window_end(case, days)
    if today > end:
        return _window_passed(case, end)
    return None


def can_ask(case: PetitionCase, days: Deadlines) -> str:
    """Said once the number and code check out: what can be asked, of whom, by when."""
    assert case.next_stage is not None and case.replied_on is not None
    name = stage_name(case.next_stage)
    return (
        f"核对无误。{case.number} 已于{case.replied_on:%Y年%m月%d日}作出{answer_name(case.stage)}。\n"
        f"您可以请求{name}，由上一级的{case.next_unit}办理；"
        f"请求期限到{window_end(case, days):%Y年%m月%d日}（《信访工作条例》{article(case.next_stage)}）。"
    )


def _due_line(case: PetitionCase) -> str:
    return f"\n这件事的答复期限：{case.due:%Y年%m月%d日}前。" if case.due else ""


def _still_handled(case: PetitionCase) -> str:
    if case.stage == "initial":
        return (
            f"您的信访事项 {case.number} 还在办理中（{case.status}），还没有书面答复，"
            "现在还不能请求复查。\n"
            "按《信访工作条例》第三十四条，一般自受理之日起60日内办结并书面答复您；"
            f"情况复杂的，经批准可以延长，最多再延30日。{_due_line(case)}\n"
            "收到书面答复后，如果不满意，可以在30日内再来请求复查。"
        )
    name = stage_name(case.stage)
    then = "" if case.stage == "recheck" else "\n收到复查意见后，如果不满意，可以在30日内请求复核。"
    return (
        f"您的{name}请求 {case.number} 还在办理中（{case.status}）。"
        f"按《信访工作条例》{article(case.stage)}，自收到请求之日起30日内提出{name}意见"
        f"并书面答复您。{_due_line(case)}{then}"
    )


def _no_reply(case: PetitionCase) -> str:
    return (
        f"{case.number} 没有可以请求复查的书面答复（当前状态：{case.status}）。"
        f"复查是对书面答复不满意时提出的。\n{ASK_STAFF}"
    )


def _after_recheck(case: PetitionCase) -> str:
    return (
        f"您这件事已经复核过了（{case.number}）。按《信访工作条例》第三十六条，复核以后，"
        "同一事项以同样的事实和理由再提出的，不再受理，所以这里不能再申请。\n"
        "如果生活上还有困难，或者有新的情况，可以联系服务站工作人员：回复“转人工”即可。"
    )


def _window_passed(case: PetitionCase, end: dt.date) -> str:
    assert case.next_stage is not None and case.replied_on is not None
    name = stage_name(case.next_stage)
    answer = answer_name(case.stage)
    return (
        f"{case.number} 的{answer}是{case.replied_on:%Y年%m月%d日}作出的。"
        f"按《信访工作条例》{article(case.next_stage)}，请求{name}要在收到{answer}之日起30日内提出，"
        f"这个期限已经在{end:%Y年%m月%d日}结束了，这里不能再提交{name}请求。\n{ASK_STAFF}"
    )


@dataclass(frozen=True)
class Filed:
    """A 复查/复核 request saved as a ticket, for the receipt."""

    number: str  # the new ticket
    stage: str  # review | recheck
    parent: str  # the ticket whose answer is challenged
    parent_stage: str
    unit: str  # who handles it: the level above
    due: dt.date | None


def receipt(filed: Filed) -> str:
    name = stage_name(filed.stage)
    due = f"即{filed.due:%Y年%m月%d日}前" if filed.due else "具体日期以书面告知为准"
    return (
        f"已提交您的{name}请求。\n"
        f"受理编号：{filed.number}（查询进度仍用原来的查询码）\n"
        f"请求事项：对 {filed.parent} 的{answer_name(filed.parent_stage)}请求{name}\n"
        f"办理单位：{filed.unit}（原办理单位的上一级）\n"
        f"答复期限：按《信访工作条例》{article(filed.stage)}，自收到请求之日起30日内"
        f"提出{name}意见并书面答复您，{due}。\n"
        f"{name}结果以书面{name}意见为准，我这里不能预先承诺结果。"
    )

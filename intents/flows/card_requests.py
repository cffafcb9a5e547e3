"""What the 优待证 guide hands to the station: 预登记 (``card_preapp``, name and phone
→ a ``card_preapp`` ticket) and "我的优待证办到哪了" (``card_status`` → a
``status_request`` ticket; the shell adds the number, unit and due date)."""

from __future__ import annotations

import dataclasses

from intents import rules
from intents.flows.answers import choice_or_yes_no
from intents.flows.base import Entry, Flow, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.card import card_kind
from intents.flows.fields import parse_name, parse_phone, town_slot
from intents.flows.local import settings
from intents.turn import OpenTicket, Reply
from intents.vocabulary import Intent, TicketKind

PREAPP = ("好，帮我预登记", "不用了")


# ---- 预登记 -------------------------------------------------------------------------


def _preapp_prompt(view: View) -> str:
    name = settings(view)["station"]["name"]
    return (
        f"需要我帮您做“预登记”吗？登记后{name}的工作人员会联系您，约好时间一次办成，少跑腿。\n"
        "预登记要留申请人姓名和联系电话，只用于这次办理联系，加密保存。"
    )


def _name_prompt(view: View) -> str:
    if view.slots.get("book") and "offer" not in view.slots:
        return (
            "好的，帮您预约建档立卡，同时做优待证预登记。"
            "要留申请人姓名和联系电话，只用于这次办理联系，加密保存。\n请告诉我申请人的姓名："
        )
    return "请告诉我申请人的姓名："


def _preapp_finish(view: View) -> Outcome:
    slots = view.slots
    if slots.get("offer") is False:
        return Outcome((Reply("好的。需要时说“我要办优待证”，随时找我。"),))
    booking = " 含建档立卡预约" if slots.get("book") else ""
    details = {
        "card_kind": card_kind(slots),
        "applicant": slots.get("applicant"),
        "jiandang": slots.get("jiandang"),
        "home_visit": bool(slots.get("home_visit")),
        "town": slots.get("town.label"),
    }
    effect = OpenTicket(
        kind=TicketKind.CARD_PREAPP,
        region_code=str(slots.get("region") or view.region),
        summary=f"优待证预登记（{card_kind(slots)}）{booking}".strip(),
        category="优待证",
        details=details,
        pii={"name": str(slots["name"]), "phone": str(slots["phone"])},
    )
    lead = "好的，已为您预登记。" + ("建档立卡会一并安排。" if slots.get("book") else "")
    return Outcome((Reply(lead),), (effect,))


def card_preapp_flow() -> Flow:
    return Flow(
        name="card_preapp",
        intent=Intent.CARD,
        title="优待证预登记",
        topic="优待证",
        slots=(
            Slot(
                "offer",
                _preapp_prompt,
                PREAPP,
                _offer_parse,
                example="回复“1”预登记，回复“2”不用",
                when=lambda v: not v.slots.get("book"),
                label="预登记",
            ),
            Slot(
                "name",
                _name_prompt,
                parse=parse_name,
                example="张三",
                label="姓名",
                sensitive=True,
            ),
            Slot(
                "phone",
                "请留一个联系电话（手机或带区号的固定电话）：",
                parse=parse_phone,
                example="13812345678",
                label="联系电话",
                sensitive=True,
            ),
        ),
        finish=_preapp_finish,
    )


def _offer_parse(text: str, view: View) -> ParseResult:
    result = choice_or_yes_no(PREAPP)(text, view)
    if isinstance(result, Parsed) and result.value is False:
        return Parsed(False, label=PREAPP[1], finish=True)
    return result


# ---- 我的优待证办到哪了 ------------------------------------------------------------------


def _status_finish(view: View) -> Outcome:
    effect = OpenTicket(
        kind=TicketKind.STATUS_REQUEST,
        region_code=str(view.slots.get("region") or view.region),
        summary="优待证办理进度查询",
        category="优待证",
        details={"topic": "优待证", "town": view.slots.get("town.label")},
        pii={"phone": str(view.slots["phone"])},
    )
    return Outcome(
        (Reply("好的，已把您的查询转给服务站工作人员，他们查到后会打电话告诉您。"),), (effect,)
    )


def card_status_flow() -> Flow:
    """ "我的优待证办到哪了": the station looks it up and calls back."""
    return Flow(
        name="card_status",
        intent=Intent.CARD,
        title="优待证进度查询",
        topic="优待证",
        # "优待证办到哪一步了"; naming the stage ("显示初审通过") asks what it means: the KB
        entry=(Entry(("card_status",), unless=rules.names_card_stage),),
        intro="优待证办到哪一步，要由受理的服务站工作人员在系统里查。我帮您把查询转给他们。",
        slots=(
            dataclasses.replace(
                town_slot(), prompt="当初是在哪个乡镇（街道）服务站申请的？回复数字，或直接写名字："
            ),
            Slot(
                "phone",
                "请留一个联系电话，工作人员查到后打给您（只用于这次联系，加密保存）：",
                parse=parse_phone,
                example="13812345678",
                label="联系电话",
                sensitive=True,
            ),
        ),
        finish=_status_finish,
    )

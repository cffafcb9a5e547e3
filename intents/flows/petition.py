"""信访 intake (flow ``petition``): privacy notice and consent, who, where, what, then a
numbered summary to confirm (“修改第N项”) → an ``OpenTicket``.

Matters that belong to courts, arbitration or administrative review are said to go
there (依法分类处理, 《信访工作条例》第三十一条) and recorded as a consultation.
"""

from __future__ import annotations

import re
from typing import Any

from intents import rules
from intents.flows.base import Entry, Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.fields import (
    parse_id_number,
    parse_name,
    parse_phone,
    parse_yes_no,
    town_slot,
    village_slot,
)
from intents.flows.legal import legal_channel
from intents.flows.petition_summary import (
    SUMMARY_OPTIONS,
    edit_number,
    edit_slots,
    items,
    parse_confirm,
    summary_text,
)
from intents.options import pick
from intents.turn import OpenTicket, Reply
from intents.vocabulary import Intent, TicketKind
from knowledge.render import context_for
from knowledge.text import clean

CATEGORIES = ("安置", "抚恤优待", "就业创业", "医疗", "住房", "军休", "其他")
EARLIER_NUMBER = re.compile(r"XF-?(\d{8})-?(\d{4})")
SKIP = re.compile(r"^(不记得|忘了|记不清|不知道|没有|没编号|跳过|无)")

PRIVACY = (
    "在您反映问题之前，先说明个人信息怎么用（《个人信息保护法》）：\n"
    "· 要收集：姓名、身份证号、联系电话、户籍地，以及您反映的情况和诉求；\n"
    "· 用途：只用于受理、转交、办理和答复您的信访事项，并核对是否重复反映，不作他用；\n"
    "· 身份证号属于敏感个人信息，加密保存，只有承办的工作人员能查看，按规定期限保存后删除；\n"
    "· 您可以随时回复“取消”停止提交。\n"
    "您同意按上面的方式提供信息吗？"
)


def _consent(text: str, view: View) -> ParseResult:
    chosen = pick(text, ("同意", "不同意"))
    if chosen is not None:
        agreed = chosen == 0
    else:
        said = parse_yes_no(text, view)
        if isinstance(said, Invalid):
            return Invalid("请回复“同意”或“不同意”（或数字1、2）。")
        agreed = bool(said.value)
    return Parsed(agreed, label="同意" if agreed else "不同意", finish=not agreed)


def _free_text(minimum: int, why: str) -> Any:
    def parse(text: str, view: View) -> ParseResult:
        said = clean(text).strip()
        if len(said) < minimum:
            return Invalid(why)
        channel = legal_channel(said) or view.slots.get("legal")
        return Parsed(said, remember={"legal": channel} if channel else {})

    return parse


def _earlier_number(text: str, _view: View) -> ParseResult:
    said = clean(text).strip().upper().replace(" ", "")
    found = EARLIER_NUMBER.search(said)
    if found:
        return Parsed(f"XF-{found.group(1)}-{found.group(2)}")
    if SKIP.match(said):
        return Parsed("", label="不记得编号")
    return Invalid("编号的样子是 XF-年月日-4位数字，例如 XF-20260105-0003；不记得请回复“不记得”。")


def _not_legal(view: View) -> bool:
    return not view.slots.get("legal")


SLOTS: tuple[Slot, ...] = (
    Slot(
        "consent",
        PRIVACY,
        ("同意", "不同意"),
        _consent,
        example="回复“1”表示同意",
        label="个人信息告知",
    ),
    Slot(
        "name",
        "请告诉我您的姓名：",
        parse=parse_name,
        example="张建国",
        label="姓名",
        sensitive=True,
    ),
    Slot(
        "id_number",
        "请输入您的18位身份证号码（加密保存）：",
        parse=parse_id_number,
        example="18位数字，最后一位可能是X",
        label="身份证号",
        sensitive=True,
    ),
    Slot(
        "phone",
        "请留一个联系电话（手机或带区号的固话）：",
        parse=parse_phone,
        example="13800000000",
        label="联系电话",
        sensitive=True,
    ),
    town_slot(),
    village_slot(),
    Slot("category", "您反映的事情属于哪一类？", CATEGORIES, label="事项类别"),
    Slot(
        "facts",
        "请写一下发生了什么：什么时间、在哪里、经过怎样（写清楚一些，方便工作人员了解）：",
        parse=_free_text(5, "请再多写几句发生了什么，比如时间、地点、经过。"),
        example="2025年起村里一直没给我发优抚金，找过村委会两次",
        free_text=True,
        label="反映的问题",
    ),
    Slot(
        "request",
        "您希望怎么解决（您的诉求）？",
        parse=_free_text(2, "请写一下您希望怎么解决。"),
        example="希望补发2025年的优抚金",
        when=_not_legal,
        free_text=True,
        label="诉求",
    ),
    Slot(
        "before",
        "这件事以前反映过吗？",
        ("是", "否"),
        parse_yes_no,
        when=_not_legal,
        label="以前是否反映过",
    ),
    Slot(
        "before_number",
        "还记得上次的受理编号吗？请输入编号，不记得请回复“不记得”。",
        parse=_earlier_number,
        example="XF-20260105-0003",
        when=lambda v: bool(v.slots.get("before")) and _not_legal(v),
        label="原受理编号",
    ),
    Slot(
        "confirm",
        lambda v: summary_text(v),
        SUMMARY_OPTIONS,
        parse_confirm,
        example="回复“1”提交，或“修改第3项”",
        label="确认",
    ),
)


def _finish(view: View) -> Outcome:
    slots = view.slots
    if not slots.get("consent"):
        return _declined(view)
    number = edit_number(slots.get("confirm"))
    if number is not None:
        return _edit(view, number)
    if slots.get("legal"):
        return _legal(view)
    return _submitted(view)


def _edit(view: View, number: int) -> Outcome:
    item = items(view)[number - 1]
    reply = Reply(f"好的，重新填写第{number}项「{item.label}」。")
    return Outcome((reply,), then="petition", then_slots=edit_slots(view, item))


def _declined(view: View) -> Outcome:
    office = context_for(view.ctx.regions, view.state.region)["petition_office"]
    text = (
        "好的，尊重您的选择，不收集您的个人信息。\n"
        "不留身份信息，网上无法受理信访事项。您可以到"
        + str(office["name"])
        + "当面反映（电话："
        + str(office["phone"])
        + "），"
        "或直接提问政策问题；需要工作人员帮忙请回复“转人工”。"
    )
    return Outcome((Reply(text),))


def _details(view: View) -> dict[str, Any]:
    slots = view.slots
    return {
        "facts": slots.get("facts", ""),
        "request": slots.get("request", ""),
        "petitioned_before": bool(slots.get("before")),
        "earlier_number": slots.get("before_number") or None,
        "town": slots.get("town"),
        "village": slots.get("village"),
    }


def _region(view: View) -> str | None:
    region = view.slots.get("region")
    return str(region) if region else view.state.region


def _submitted(view: View) -> Outcome:
    slots = view.slots
    ticket = OpenTicket(
        kind=TicketKind.PETITION,
        region_code=_region(view),
        summary=f"【{slots['category']}】{str(slots['facts'])[:120]}",
        category=str(slots["category"]),
        details=_details(view),
        pii={k: str(slots[k]) for k in ("name", "id_number", "phone")},
    )
    reply = Reply(
        "好的，已提交。承办单位会依法按期办理并书面答复您；办理结果以答复为准，我这里不能预先承诺。"
    )
    return Outcome((reply,), (ticket,))


def _legal(view: View) -> Outcome:
    slots = view.slots
    channel = str(slots["legal"])
    ticket = OpenTicket(
        kind=TicketKind.CONSULTATION,
        region_code=_region(view),
        summary=f"【{slots['category']}·涉{channel}，依法分类处理】{str(slots['facts'])[:120]}",
        category=str(slots["category"]),
        details={**_details(view), "legal_channel": channel},
        pii={k: str(slots[k]) for k in ("name", "phone")},
    )
    text = (
        f"您说的情况涉及{channel}。按照《信访工作条例》第三十一条“依法分类处理”，"
        f"已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决的事项，要走这些途径，信访渠道不能替代。\n"
        "您的联系方式和情况已作为咨询登记，工作人员会联系您，告诉您该向哪里提出、怎么准备材料；"
        "经济困难的，可以向当地法律援助机构申请法律援助。"
    )
    return Outcome((Reply(text),), (ticket,))


def petition_flow() -> Flow:
    return Flow(
        name="petition",
        intent=Intent.PETITION,
        title="信访反映",
        slots=SLOTS,
        finish=_finish,
        topic="信访",
        # "我要上访", "反映了八年一直没解决"; "信访多久受理" asks about the rules, but a
        # grievance the KB cannot answer is taken down rather than met with unrelated topics
        entry=(
            Entry(("wants_to_file", "grievance"), unless=rules.asks_about_rules, unanswered=True),
        ),
    )

"""生存认证 (年度确认) flow: who → smartphone? → can come out? → a way to certify:
online (face recognition), 自主认证 at the station, 代理认证, or a booked 上门认证.

Facts: 《军人抚恤优待条例》(2024) 第八条; 《伤残抚恤管理办法》第二十五条 (DOMAIN.md §4–§5).
Deadlines and the online channel are region settings (``survival_cert.deadline`` / ``.online``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from intents.flows.answers import choice_or_yes_no
from intents.flows.base import (
    Entry,
    Flow,
    Invalid,
    Outcome,
    Parsed,
    ParseResult,
    Preset,
    Slot,
    View,
)
from intents.flows.fields import parse_phone, town_slot, village_slot
from intents.flows.local import settings, station_text
from intents.options import pick
from intents.turn import OpenTicket, Reply
from intents.vocabulary import Intent, TicketKind
from knowledge.text import clean, normalize

SELF = "我本人"
FAMILY = "家里人（如父母、配偶）"
WHO = (SELF, FAMILY)
PHONE = ("会用，或有家人帮忙", "不会用/没有智能手机")
MOBILE = ("能出门", "出不了门（高龄、卧床、残疾等）")
ONLINE = "手机上刷脸认证（线上）"
STATION = "到服务站现场认证（自主认证）"
AGENT = "家属代办（代理认证）"
HOME = "预约工作人员上门（上门认证）"
HOME_VISIT = (
    "好的，帮您预约上门认证（工作人员到家里办理生存认证，随时回复“取消”退出，“上一步”返回）。"
)
METHOD_WORDS = (
    (HOME, r"上门|到家|来家"),
    (AGENT, r"代理|代办|代为|替"),
    (ONLINE, r"手机|线上|网上|刷脸|小程序|app"),
    (STATION, r"现场|自主|服务站|自己去"),
)
HALF_DAYS = ("上午", "下午")
ANY_TIME = "哪天都可以"
WEEKDAYS = "一二三四五六日"
BOOKING_DAYS = 3
_QUESTION = re.compile(r"[?？]$|吗|什么|怎么|多久|哪些|为啥|为什么")


# ---- reading answers ----------------------------------------------------------------


def parse_who(text: str, view: View) -> ParseResult:
    chosen = pick(text, WHO)
    if chosen is not None:
        return Parsed(WHO[chosen])
    norm = normalize(text)
    if re.search(r"父母|爷爷|奶奶|老伴|丈夫|老公|爱人|媳妇|妻子|家人|家里|老人|替|帮", norm):
        return Parsed(FAMILY)
    if re.search(r"本人|自己|^我$|^我(的|做|要)", norm):
        return Parsed(SELF)
    return Invalid("没听明白是给谁认证。")


def methods(view: View) -> tuple[str, ...]:
    """The ways that fit, the recommended one first."""
    phone, mobile = view.slots.get("smartphone"), view.slots.get("mobile")
    if phone and mobile:
        return (ONLINE, STATION, AGENT)
    if phone:
        return (ONLINE, HOME, AGENT)
    if mobile:
        return (STATION, AGENT)
    return (HOME, AGENT)


def parse_method(text: str, view: View) -> ParseResult:
    offered = methods(view)
    chosen = pick(text, offered)
    if chosen is not None:
        return Parsed(offered[chosen])
    norm = normalize(text)
    found = next((m for m, pattern in METHOD_WORDS if re.search(pattern, norm)), None)
    return Parsed(found) if found else Invalid("没听明白选哪种办法。")


def parse_address(text: str, view: View) -> ParseResult:
    """A street address (any wording), but not a question asked in the middle."""
    address = clean(text).strip()
    if _QUESTION.search(address) or len(address) < 4:
        return Invalid("请写上门的详细住址，比如“和平村3组12号”。")
    return Parsed(address[:200])


def half_days(view: View) -> tuple[str, ...]:
    """Half-days of the next working days (Chinese calendar, 调休 aware)."""
    start = _booking_start(view)
    days = view.ctx.deadlines.next_working_days(start, BOOKING_DAYS)
    return (*(f"{_day_label(d)}{half}" for d in days for half in HALF_DAYS), ANY_TIME)


def _booking_start(view: View) -> dt.date:
    """The date the options were first shown, so "1" means the same slot next day too."""
    shown = view.slots.get("asked_on")
    return dt.date.fromisoformat(shown) if isinstance(shown, str) else view.today


def _day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def parse_half_day(text: str, view: View) -> ParseResult:
    offered = half_days(view)
    chosen = pick(text, offered)
    if chosen is None:
        return Invalid("请回复下面时间前的数字。")
    if offered[chosen] == ANY_TIME:
        return Parsed("any", label=ANY_TIME)
    day = view.ctx.deadlines.next_working_days(_booking_start(view), BOOKING_DAYS)[chosen // 2]
    return Parsed(f"{day.isoformat()} {HALF_DAYS[chosen % 2]}", label=offered[chosen])


def _phone_and_date(text: str, view: View) -> ParseResult:
    result = parse_phone(text, view)
    if isinstance(result, Parsed):
        return dataclasses.replace(result, remember={"asked_on": view.today.isoformat()})
    return result


# ---- what to tell -------------------------------------------------------------------


def _subject(slots: dict[str, Any]) -> str:
    return "您家人" if slots.get("who") == FAMILY else "您"


def deadline_text(view: View) -> str:
    """Always said: the region's deadline and what happens when it is missed."""
    local = settings(view)
    return (
        f"【截止时间】{local['survival_cert']['deadline']}。\n"
        "【错过了会怎样】多数地方会暂停发放抚恤补助，补做认证通过后恢复；停发期间的钱能否补发，以当地规定为准。"
        "伤残人员要特别注意：接到通知60日内未确认的，伤残抚恤金从下个月起停发，确认后从下个月起恢复，停发的月份不补发"
        "（《伤残抚恤管理办法》第二十五条）。\n"
        "（依据：《军人抚恤优待条例》第八条）"
    )


def _online(view: View) -> str:
    app = settings(view)["survival_cert"]["online"]
    return (
        f"【手机上认证】\n1. 打开{app}，找到“生存认证”或“年度确认”；\n"
        f"2. 核对领待遇人（{_subject(view.slots)}）的身份信息；\n"
        "3. 按提示做人脸识别，要领待遇的本人对着镜头，家人可以帮着拿手机操作；\n"
        "4. 看到“认证成功”才算办完，最好截个图。\n"
        "如果一直认证不成功（有的苹果手机用不了），请换一种办法：到服务站现场认证，或请家属代理认证。"
    )


def _station_way(view: View) -> str:
    return f"【到服务站现场认证】请{_subject(view.slots)}本人带身份证到：\n{station_text(view)}\n要带的材料以服务站公布为准，去之前可以先打电话问清楚。"


def _agent(view: View) -> str:
    return (
        f"【家属代理认证】家属或受托人带上{_subject(view.slots)}和代办人的身份证件，到：\n{station_text(view)}\n"
        "向工作人员说明情况后办理；具体要带哪些材料以当地服务站公布为准，去之前先打电话问清楚。"
    )


def _home(view: View) -> tuple[Reply, OpenTicket]:
    slots = view.slots
    when = str(slots.get("when.label") or ANY_TIME)
    effect = OpenTicket(
        kind=TicketKind.HOME_VISIT,
        region_code=str(slots.get("region") or view.region),
        summary=f"上门生存认证预约（希望时间：{when}）",
        category="生存认证",
        details={
            "service": "survival_cert",
            "who": "本人" if slots.get("who") == SELF else "家属",
            "preferred": slots.get("when"),
            "preferred_label": when,
            "town": slots.get("town.label"),
            "village": slots.get("village.label"),
        },
        pii={"phone": str(slots["phone"]), "address": str(slots["address"])},
    )
    text = f"【上门认证】已为您预约，希望时间：{when}。工作人员上门前会先打电话和您确认；请提前备好身份证。"
    return Reply(text), effect


def _finish(view: View) -> Outcome:
    method = view.slots.get("method")
    if method == HOME:
        reply, effect = _home(view)
        return Outcome((reply, Reply(deadline_text(view))), (effect,))
    way = {ONLINE: _online, STATION: _station_way, AGENT: _agent}[str(method)](view)
    return Outcome((Reply(way), Reply(deadline_text(view))))


def _at_town(view: View) -> bool:
    code = str(view.slots.get("region") or "")
    return code in view.ctx.regions and view.ctx.regions.get(code).level == "town"


def _needs_station(view: View) -> bool:
    return view.slots.get("method") in (STATION, AGENT, HOME)


def _is_home(view: View) -> bool:
    return view.slots.get("method") == HOME


def survival_cert_flow() -> Flow:
    return Flow(
        name="survival_cert",
        intent=Intent.SURVIVAL_CERT,
        title="生存认证",
        topic="生存认证",
        # "我要预约上门认证" chose the way already; "我要做生存认证", "帮我妈做下今年的认证"
        entry=(Entry(("home_visit_start",), preset="home"), Entry(("survival_start",))),
        presets={"home": Preset({"smartphone": None, "mobile": False, "method": HOME}, HOME_VISIT)},
        intro="好的，我帮您看看生存认证（年度确认）怎么做最方便（随时回复“取消”退出，“上一步”返回）。",
        slots=(
            Slot(
                "who",
                "请问是给谁做认证？",
                WHO,
                parse_who,
                example="回复“1”表示给自己做",
                label="认证对象",
            ),
            Slot(
                "smartphone",
                lambda v: f"{_subject(v.slots)}会用智能手机刷脸吗？家里人在旁边帮忙操作也算。",
                PHONE,
                choice_or_yes_no(PHONE, no_words=r"不会|不懂|老人机|没有手机|用不了|不识字"),
                example="回复“1”表示会用",
                label="智能手机",
            ),
            Slot(
                "mobile",
                lambda v: f"{_subject(v.slots)}能自己出门到服务站吗？",
                MOBILE,
                choice_or_yes_no(
                    MOBILE,
                    yes_words=r"能出门|能去|能走|可以去",
                    no_words=r"行动不便|住院|重病|去不了",
                ),
                example="回复“2”表示出不了门",
                label="能否出门",
            ),
            Slot(
                "method",
                "根据您说的情况，可以这样办（推荐第1种）：",
                methods,
                parse_method,
                example="回复“1”",
                label="认证方式",
            ),
            dataclasses.replace(
                town_slot(),
                when=_needs_station,
                prompt=lambda v: (
                    f"{_subject(v.slots)}的户籍在哪个乡镇（街道）？回复数字，或直接写名字："
                ),
            ),
            dataclasses.replace(
                village_slot(),
                when=lambda v: _is_home(v) and _at_town(v),
                prompt="在哪个村（社区）？",
            ),
            Slot(
                "address",
                "请写上门的详细住址（村/小区、组或楼栋、门牌号），只用于这次上门，加密保存：",
                parse=parse_address,
                example="和平村3组12号",
                when=_is_home,
                label="住址",
                sensitive=True,
            ),
            Slot(
                "phone",
                "请留一个联系电话，工作人员上门前先打给您：",
                parse=_phone_and_date,
                example="13812345678",
                when=_is_home,
                label="联系电话",
                sensitive=True,
            ),
            Slot(
                "when",
                "希望哪个时间上门？（工作人员会再和您确认）",
                half_days,
                parse_half_day,
                example="回复“1”",
                when=_is_home,
                label="上门时间",
            ),
        ),
        finish=_finish,
    )

"""优待证 flows: the application guide (``card``), 预登记 (``card_preapp``) and
"我的优待证办到哪了" (``card_status``).

Facts: 《退役军人、其他优抚对象优待证管理办法（试行）》 (DOMAIN.md §3). Every local
fact (station, hours, phone, photo spec, benefits) comes from the region settings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from intents.flows.base import Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.fields import parse_name, parse_phone, parse_yes_no, town_slot, village_slot
from intents.options import pick
from intents.turn import OpenTicket, Reply
from knowledge.render import context_for
from knowledge.text import normalize

VETERAN = "本人是退役军人"
MARTYR = "烈士遗属"
DUTY = "因公牺牲军人遗属"
ILLNESS = "病故军人遗属"
FAMILY = "替家人咨询"
APPLICANTS = (VETERAN, MARTYR, DUTY, ILLNESS, FAMILY)
FAMILY_KINDS = ("退役军人", MARTYR, DUTY, ILLNESS)
JIANDANG = ("已经建档立卡", "还没有", "不清楚")
BOOK = ("好，帮我预约", "先不用，继续看办理指引")
MOBILITY = ("是，出门不方便", "否，能去服务站")
PREAPP = ("好，帮我预登记", "不用了")
_CARRY = ("applicant", "family_kind", "jiandang", "book", "home_visit", "region", "town.label")
SOURCE = "《退役军人、其他优抚对象优待证管理办法（试行）》"

# keyword → applicant type, most specific first (run on normalised text)
_TYPE_WORDS = (
    (MARTYR, r"烈士"),
    (DUTY, r"因公|牺牲"),
    (ILLNESS, r"病故|病逝"),
    ("退役军人", r"退役|退伍|复员|转业|军人|当兵"),
)
_NOT = re.compile(r"^(不|没|别|否|未|还没)")
_FRAIL = r"行动不便|重病|病重|住院|[89]\d岁|[八九]十|出门不方便"
_SUBJECT = re.compile(r"^(他|她|我|俺|咱|老人|家人|父母|老伴|爷爷|奶奶)(们)?(也|都|还|倒)?")
_CAN = re.compile(r"^(会|能|可以|行(?!动)|有|是|要|好|对|嗯|中)")
_FAMILY_WORDS = r"替|父母|爷爷|奶奶|外公|老伴|丈夫|老公|爱人|儿子|女儿|家人|家里|亲戚|老人"


# ---- reading answers --------------------------------------------------------


def _kind_in(norm: str) -> str | None:
    return next((kind for kind, pattern in _TYPE_WORDS if re.search(pattern, norm)), None)


def parse_applicant(text: str, view: View) -> ParseResult:
    """ "1"…"5", the option text, or words: "替我爸问，他是老兵" → 替家人 + 退役军人."""
    chosen = pick(text, APPLICANTS)
    if chosen is not None:
        return Parsed(APPLICANTS[chosen])
    norm = normalize(text)
    kind = _kind_in(norm)
    if re.search(_FAMILY_WORDS, norm) and not norm.startswith(("我是", "本人")):
        remember = {"family_kind": kind} if kind else {}
        return Parsed(FAMILY, remember=remember)
    if kind is not None:
        return Parsed(VETERAN if kind == "退役军人" else kind)
    if re.search(r"^(我|本人|自己)", norm):
        return Parsed(VETERAN)
    return Invalid("没听明白是谁申请。")


def parse_family_kind(text: str, view: View) -> ParseResult:
    chosen = pick(text, FAMILY_KINDS)
    if chosen is not None:
        return Parsed(FAMILY_KINDS[chosen])
    kind = _kind_in(normalize(text))
    return Parsed(kind) if kind else Invalid("没听明白是哪一类。")


def parse_jiandang(text: str, view: View) -> ParseResult:
    chosen = pick(text, JIANDANG)
    if chosen is not None:
        return Parsed(("done", "no", "unsure")[chosen], label=JIANDANG[chosen])
    if re.search(r"不清楚|不知道|不确定|不记得|忘了|啥是|什么是", normalize(text)):
        return Parsed("unsure", label=JIANDANG[2])
    yes_no = parse_yes_no(text, view)
    if isinstance(yes_no, Parsed):
        return Parsed("done" if yes_no.value else "no", label=JIANDANG[0 if yes_no.value else 1])
    return Invalid("请告诉我是否已经建档立卡。")


def choice_or_yes_no(
    options: tuple[str, str], yes_words: str = "", no_words: str = ""
) -> Callable[[str, View], ParseResult]:
    """A two-option slot (yes first) that also understands 是/否/好/不用, "他不会用手机"
    (the subject is dropped), and slot-specific words (``yes_words``/``no_words``)."""

    def parse(text: str, view: View) -> ParseResult:
        said = _SUBJECT.sub("", normalize(text))
        for candidate in (text, said):
            chosen = pick(candidate, options) if candidate else None
            if chosen is not None:
                return Parsed(chosen == 0, label=options[chosen])
        if yes_words and re.search(yes_words, said):
            return _yes_no(True, options)
        if no_words and re.search(no_words, said):
            return _yes_no(False, options)
        if said and (_NOT.match(said) or _CAN.match(said)):
            return _yes_no(not _NOT.match(said), options)
        yes_no = parse_yes_no(text, view)
        if isinstance(yes_no, Parsed):
            return _yes_no(bool(yes_no.value), options)
        return Invalid("请回复1或2。")

    return parse


def _yes_no(yes: bool, options: tuple[str, str]) -> Parsed:
    return Parsed(yes, label=options[0 if yes else 1])


# ---- what the answers mean -----------------------------------------------------


def card_kind(slots: dict[str, Any]) -> str:
    """退役军人 / 烈士遗属 / 因公牺牲军人遗属 / 病故军人遗属 — whose card it is."""
    applicant = str(slots.get("applicant", VETERAN))
    if applicant == FAMILY:
        return str(slots.get("family_kind") or "退役军人")
    return "退役军人" if applicant == VETERAN else applicant


def who(slots: dict[str, Any]) -> str:
    return "您家人" if slots.get("applicant") == FAMILY else "您"


def _station(view: View, code: str | None = None) -> dict[str, Any]:
    return context_for(view.ctx.regions, code or str(view.slots.get("region") or view.region))


def station_text(view: View, code: str | None = None) -> str:
    """Name, address, hours and phone of the veteran's station, from region settings."""
    s = _station(view, code)["station"]
    return f"{s['name']}\n地址：{s['address']}\n时间：{s['hours']}\n电话：{s['phone']}"


# ---- the guide ---------------------------------------------------------------------


def _where(view: View) -> str:
    lines = [f"【去哪办】{who(view.slots)}户籍地的服务站：", station_text(view)]
    lines.append("常住外地的，也可以到常住地的乡镇（街道）退役军人服务站申请。")
    lines.append(
        "也可以网上申请：全国一体化政务服务平台“退役军人服务专区”，或本省政务服务App（名称以当地公布为准）。"
    )
    if view.slots.get("home_visit"):
        phone = _station(view)["station"]["phone"]
        lines.append(f"年满80周岁、重病或卧床的，可以请服务站工作人员入户办理：打{phone}约时间。")
    return "\n".join(lines)


def _materials(view: View) -> str:
    kind = card_kind(view.slots)
    if kind == "退役军人":
        proof = "退役证明：转业证、退伍证、复员证或军队离退休证等（残疾军人另带残疾军人证）"
        title = "中华人民共和国退役军人优待证"
    else:
        proof = f"{_certificate(kind)}，以及与牺牲（病故）军人的亲属关系证明"
        title = "中华人民共和国烈士、因公牺牲军人、病故军人遗属优待证"
    lines = [
        f"【带什么】申请的是“{title}”，一般要带：",
        "1. 居民身份证、居民户口簿；",
        f"2. {proof}；",
        f"3. 照片：{_station(view)['card_photo']}。",
        "证件丢了或当年没发的，可由村（社区）委员会出具证明，经县级退役军人事务部门核实。",
    ]
    if view.slots.get("applicant") == FAMILY:
        lines.append(
            "替家人代办要带哪些委托材料，以服务站要求为准；申请人无民事行为能力的，由监护人代为申请。"
        )
    lines.append("具体以服务站要求为准。")
    return "\n".join(lines)


def _certificate(kind: str) -> str:
    return {MARTYR: "烈士证明书", DUTY: "因公牺牲军人证明书", ILLNESS: "病故军人证明书"}.get(
        kind, "证明书"
    )


def _time_and_use(view: View) -> str:
    return (
        "【费用和时间】首次申领免费。\n"
        "县退役军人事务局初审通过后，30个工作日内完成审核及备案；之后由银行制卡，领卡时间以当地通知为准。\n"
        f"【有什么用】{_station(view)['card_benefits']}。\n"
        f"（依据：{SOURCE}）"
    )


def _jiandang_note(view: View) -> str:
    if view.slots.get("jiandang") == "done":
        return ""
    return "【第一步】先到服务站建档立卡（信息采集），可以和优待证申请同一次办。\n"


def _guide_finish(view: View) -> Outcome:
    replies = (
        Reply(_jiandang_note(view) + _where(view)),
        Reply(_materials(view)),
        Reply(_time_and_use(view)),
    )
    carry: dict[str, Any] = {k: view.slots[k] for k in _CARRY if k in view.slots}
    return Outcome(replies, then="card_preapp", then_slots=carry)


def _jiandang_prompt(view: View) -> str:
    lead = "不清楚也没关系，服务站一查就知道。\n" if view.slots.get("jiandang") == "unsure" else ""
    return (
        f"{lead}建档立卡（信息采集）是在服务站登记个人信息、核对退役材料，办优待证前要先做，两件事可以同一次办。\n"
        "要不要我帮您预约？服务站工作人员会联系您约时间。"
    )


def _town_slot() -> Slot:
    slot = town_slot()
    return dataclasses.replace(
        slot, prompt=lambda v: f"{who(v.slots)}的户籍在哪个乡镇（街道）？回复数字，或直接写名字："
    )


def _village_slot() -> Slot:
    slot = village_slot()

    def at_town(view: View) -> bool:
        code = str(view.slots.get("region") or "")
        return code in view.ctx.regions and view.ctx.regions.get(code).level == "town"

    return dataclasses.replace(slot, when=at_town, prompt="在哪个村（社区）？不清楚可以跳过：")


def card_flow() -> Flow:
    """优待证办理指引: who → 建档立卡 → 户籍 → personalised answer → 预登记."""
    return Flow(
        name="card",
        intent="card",
        title="优待证办理指引",
        intro="好的，我一步步帮您弄清楚优待证怎么办（随时回复“取消”退出，“上一步”返回）。",
        slots=(
            Slot(
                "applicant",
                "请问是谁申请优待证？",
                APPLICANTS,
                parse_applicant,
                example="回复“1”，或写“我是退伍老兵”",
                label="申请人",
            ),
            Slot(
                "family_kind",
                "您家人属于哪一类？",
                FAMILY_KINDS,
                parse_family_kind,
                example="回复“1”表示退役军人",
                when=lambda v: v.slots.get("applicant") == FAMILY,
                label="家人类别",
            ),
            Slot(
                "jiandang",
                lambda v: f"{who(v.slots)}有没有在退役军人服务站建档立卡（信息采集）？",
                JIANDANG,
                parse_jiandang,
                example="回复“1”表示已经建档",
                label="建档立卡",
            ),
            Slot(
                "book",
                _jiandang_prompt,
                BOOK,
                choice_or_yes_no(BOOK),
                example="回复“1”预约，回复“2”先看办理指引",
                when=lambda v: v.slots.get("jiandang") in ("no", "unsure"),
                label="预约建档",
            ),
            _town_slot(),
            _village_slot(),
            Slot(
                "home_visit",
                lambda v: f"{who(v.slots)}是否年满80周岁，或者重病、卧床出不了门？",
                MOBILITY,
                choice_or_yes_no(MOBILITY, yes_words=_FRAIL),
                example="回复“1”表示出门不方便",
                label="入户办理",
            ),
        ),
        finish=_guide_finish,
    )


# ---- 预登记 -------------------------------------------------------------------------


def _preapp_prompt(view: View) -> str:
    name = _station(view)["station"]["name"]
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
        kind="card_preapp",
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
        intent="card",
        title="优待证预登记",
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
        kind="status_request",
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
        intent="card",
        title="优待证进度查询",
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

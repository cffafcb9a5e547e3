"""优待证 application guide (flow ``card``): who applies → 建档立卡 → 户籍 → a
personalised answer, then 预登记 (``card_requests``).

Facts: 《退役军人、其他优抚对象优待证管理办法（试行）》 (DOMAIN.md §3). Every local
fact (station, hours, phone, photo spec, benefits) comes from the region settings.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from intents.flows.answers import choice_or_yes_no
from intents.flows.base import Entry, Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.fields import parse_yes_no, town_slot, village_slot
from intents.flows.local import settings, station_text
from intents.options import pick
from intents.turn import Reply
from intents.vocabulary import Intent
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
_CARRY = ("applicant", "family_kind", "jiandang", "book", "home_visit", "region", "town.label")
SOURCE = "《退役军人、其他优抚对象优待证管理办法（试行）》"

# keyword → applicant type, most specific first (run on normalised text)
_TYPE_WORDS = (
    (MARTYR, r"烈士"),
    (DUTY, r"因公|牺牲"),
    (ILLNESS, r"病故|病逝"),
    ("退役军人", r"退役|退伍|复员|转业|军人|当兵"),
)
_FRAIL = r"行动不便|重病|病重|住院|[89]\d岁|[八九]十|出门不方便"
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


# ---- what the answers mean -----------------------------------------------------


def card_kind(slots: dict[str, Any]) -> str:
    """退役军人 / 烈士遗属 / 因公牺牲军人遗属 / 病故军人遗属 — whose card it is."""
    applicant = str(slots.get("applicant", VETERAN))
    if applicant == FAMILY:
        return str(slots.get("family_kind") or "退役军人")
    return "退役军人" if applicant == VETERAN else applicant


def who(slots: dict[str, Any]) -> str:
    return "您家人" if slots.get("applicant") == FAMILY else "您"


# ---- the guide ---------------------------------------------------------------------


def _where(view: View) -> str:
    lines = [f"【去哪办】{who(view.slots)}户籍地的服务站：", station_text(view)]
    lines.append("常住外地的，也可以到常住地的乡镇（街道）退役军人服务站申请。")
    lines.append(
        "也可以网上申请：全国一体化政务服务平台“退役军人服务专区”，或本省政务服务App（名称以当地公布为准）。"
    )
    if view.slots.get("home_visit"):
        phone = settings(view)["station"]["phone"]
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
        f"3. 照片：{settings(view)['card_photo']}。",
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
        f"【有什么用】{settings(view)['card_benefits']}。\n"
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
        intent=Intent.CARD,
        title="优待证办理指引",
        topic="优待证",
        entry=(Entry(("card_start",)),),  # "我要办优待证", "帮我爸申请一张优待证"
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

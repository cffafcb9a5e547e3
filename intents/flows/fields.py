"""Reusable slot parsers: region (from the tree), name, phone, ID number, yes/no."""

from __future__ import annotations

import re

import phonenumbers
from stdnum.cn import ric

from intents.flows.base import Invalid, Parsed, ParseResult, Slot, View
from intents.options import pick
from knowledge.regions import Region
from knowledge.text import clean

YES_NO = ("是", "否")
_YES = re.compile(
    r"^(是|是的|对|对的|有|有的|办了|办过|做过|已经|已办|嗯|好|好的|可以|行|中|要|需要|yes|y|ok)"
)
_NO = re.compile(r"^(否|不是|没|没有|无|不|还没|未|不要|不用|不需要|no|n)")


def parse_yes_no(text: str, _view: View) -> ParseResult:
    chosen = pick(text, YES_NO)
    if chosen is not None:
        return Parsed(YES_NO[chosen] == "是")
    said = clean(text).strip().lower()
    if _NO.match(said):
        return Parsed(False)
    if _YES.match(said):
        return Parsed(True)
    return Invalid("请回复“是”或“否”（或数字1、2）。")


_NOT_A_NAME = re.compile(
    r"什么|怎么|吗|为啥|为什么|多久|哪里|哪个|不知道|不清楚|不记得|不想|不要|不用|材料"
)


def parse_name(text: str, _view: View) -> ParseResult:
    name = re.sub(r"^(我叫|我是|姓名|名字|叫)[:：]?", "", clean(text).strip())
    if _NOT_A_NAME.search(name):  # "要带什么材料" asked mid-flow is a question, not a name
        return Invalid("请填写真实姓名（2到12个汉字）。")
    if re.fullmatch(r"[\u4e00-\u9fa5·•]{2,12}|[A-Za-z][A-Za-z .'-]{1,39}", name):
        return Parsed(name)
    return Invalid("请填写真实姓名（2到12个汉字）。")


def normalize_phone(text: str) -> str | None:
    """E.164-free national form of a valid CN mobile or landline, else None."""
    digits = re.sub(r"[\s\-()（）]", "", clean(text))
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(
        " ", ""
    )


def parse_phone(text: str, _view: View) -> ParseResult:
    phone = normalize_phone(text)
    if phone is None:
        return Invalid("这个电话号码好像不对，请填11位手机号，或带区号的固定电话。")
    return Parsed(phone)


def parse_id_number(text: str, _view: View) -> ParseResult:
    value = re.sub(r"\s", "", clean(text)).upper()
    if not ric.is_valid(value):
        return Invalid("身份证号码校验没通过，请核对后重新输入18位号码（最后一位可能是X）。")
    return Parsed(ric.compact(value))


def _region_options(view: View, parent: str) -> tuple[str, ...]:
    return tuple(r.name for r in view.ctx.regions.children(parent))


def _named_village(text: str, view: View, parent: str) -> Region | None:
    """A village or community whose full name appears in the text."""
    said = clean(text)
    found = view.ctx.regions.match(text, within=parent)
    return next((r for r in found if r.level == "village" and r.name in said), None)


def town_slot(name: str = "town", prompt: str = "请问您的户籍在哪个乡镇（街道）？") -> Slot:
    """Pick a town of the default county: numbered options or a typed (fuzzy) name."""

    def options(view: View) -> tuple[str, ...]:
        county = view.ctx.regions.ancestor(view.ctx.default_region, "county")
        return _region_options(view, county.code if county else view.ctx.default_region)

    def parse(text: str, view: View) -> ParseResult:
        county = view.ctx.regions.ancestor(view.ctx.default_region, "county")
        parent = county.code if county else view.ctx.default_region
        towns = view.ctx.regions.children(parent)
        village = _named_village(text, view, parent)
        if village is not None:  # "西山乡石桥村": the village too, not just the town
            town = view.ctx.regions.ancestor(village.code, "town") or village
            label = view.ctx.regions.full_name(village.code)
            return Parsed(town.code, label=label, remember={"region": village.code})
        chosen = pick(text, [t.name for t in towns])
        if chosen is not None:
            return Parsed(
                towns[chosen].code,
                label=towns[chosen].name,
                remember={"region": towns[chosen].code},
            )
        found = view.ctx.regions.match(text, within=parent, limit=1)
        if found:
            region = found[0]
            town = view.ctx.regions.ancestor(region.code, "town") or region
            return Parsed(
                town.code,
                label=view.ctx.regions.full_name(region.code),
                remember={"region": region.code},
            )
        return Invalid("没找到这个地方。请回复下面的数字，或写出乡镇（街道）名称。")

    return Slot(name, prompt, options, parse, example="回复“1”，或写“东城镇”", label="户籍地")


def village_slot(name: str = "village", town_slot_name: str = "town") -> Slot:
    """Optionally narrow to a village/community inside the chosen town."""

    def options(view: View) -> tuple[str, ...]:
        return (*_region_options(view, str(view.slots[town_slot_name])), "不清楚/跳过")

    def parse(text: str, view: View) -> ParseResult:
        town = str(view.slots[town_slot_name])
        villages = view.ctx.regions.children(town)
        names = [v.name for v in villages] + ["不清楚/跳过"]
        chosen = pick(text, names)
        if chosen is None:
            found = view.ctx.regions.match(text, within=town, limit=1)
            if not found:
                return Invalid("没找到这个村（社区）。请回复数字，或回复“跳过”。")
            return Parsed(found[0].code, label=found[0].name, remember={"region": found[0].code})
        if chosen == len(villages):
            return Parsed(town, label="（未填写村社区）")
        return Parsed(
            villages[chosen].code,
            label=villages[chosen].name,
            remember={"region": villages[chosen].code},
        )

    return Slot(
        name, "在哪个村（社区）？", options, parse, example="回复数字，或写村名", label="村（社区）"
    )

"""Another place named ("北京的…", "成都市…", "惠来县…"): the national part is answered, the
local part is left to that place's 退役军人事务局, and our county's numbers are not handed
out as if they were that place's (issue 15)."""

from __future__ import annotations

import pytest

from bot.shell.ask import ask
from intents.context import Context
from knowledge import place


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京的退役军人坐地铁免费吗", "北京市"),
        ("成都市优待证去哪里办", "成都市"),
        ("惠来县义务兵家庭优待金", "惠来县"),
        ("惠来这边的优待金", "惠来县"),
        ("恩施土家族苗族自治州的定补", "恩施土家族苗族自治州"),
        ("廣州的優待證", "广州市"),
        ("回来安置的岗位不满意", None),  # 来安 is not read inside 回来安置
        ("后事都安排好了", None),
        ("祝您身体安康", None),
        ("户口在河南老家，人在深圳打工", None),  # two places: the national rule answers
        ("几个战友一起去北京讨个说法", None),  # a petition's destination, not a local rule
        ("示例县的优待证去哪办", None),  # the configured region itself
        ("优待证怎么办", None),
    ],
)
def test_another_place_is_told_from_ours(ctx: Context, text: str, expected: str | None) -> None:
    from knowledge.text import clean

    found = place.elsewhere(clean(text), ctx.regions)
    assert (found.name if found else None) == expected


def test_the_local_part_is_left_to_the_named_places_bureau(ctx: Context) -> None:
    result = ask(ctx, "成都市的优待证去哪里申请")
    assert result["intent"] == "faq" and result["entry_id"] == "card.where"
    answer = result["answer"]
    assert "成都市退役军人事务局" in answer and "以当地公布为准" in answer
    assert "示例县" not in answer and "0000-" not in answer  # not our county's numbers


def test_our_own_region_keeps_its_numbers(ctx: Context) -> None:
    from knowledge.render import render_answer

    entry = ctx.kb.get("card.where")
    assert entry is not None
    assert "示例县" in render_answer(entry, ctx.regions, None)
    elsewhere = render_answer(entry, ctx.regions, None, place="成都市")
    assert "示例县" not in elsewhere and "成都市" in elsewhere

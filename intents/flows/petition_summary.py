"""The petition summary: numbered items shown (masked) before submitting, and
“修改第N项” to change one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intents.flows.base import Invalid, Parsed, ParseResult, View
from intents.flows.legal import legal_channel
from intents.options import number, pick
from knowledge.text import clean

SUMMARY_OPTIONS = ("确认提交", "修改某一项")
CONFIRM = "yes"
_EDIT = re.compile(
    r"(?:修改|改|更正|更改|错).*?第?\s*([0-9]{1,2}|[一二两三四五六七八九十])|第?\s*([0-9]{1,2}|[一二两三四五六七八九十])\s*(?:项|条)?\s*(?:要改|改|修改|错|不对)"
)
_YES = re.compile(r"^(确认|确定|提交|对|对的|没问题|没错|正确|是|是的|好|好的|可以|行|ok)")


@dataclass(frozen=True)
class Item:
    label: str
    slots: tuple[str, ...]  # the answers this item clears when edited
    shown: str


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    if len(value) <= keep_head + keep_tail:
        return value[:1] + "*" * max(len(value) - 1, 0)
    return (
        value[:keep_head]
        + "*" * (len(value) - keep_head - keep_tail)
        + value[len(value) - keep_tail :]
    )


def _short(text: Any, limit: int = 60) -> str:
    said = str(text or "")
    return said if len(said) <= limit else said[:limit] + "…"


def _place(slots: dict[str, Any]) -> str:
    town = str(slots.get("town.label") or "")
    village = str(slots.get("village.label") or "")
    return town + ("" if not village or village.startswith("（") else village)


def _before(slots: dict[str, Any]) -> str:
    if not slots.get("before"):
        return "否"
    number = slots.get("before_number")
    return f"是，原编号 {number}" if number else "是（不记得编号）"


def items(view: View) -> list[Item]:
    """What the summary lists, in order; names and numbers masked (they are logged)."""
    s = view.slots
    name = str(s.get("name") or "")
    found = [
        Item("姓名", ("name",), _mask(name, 1, 1 if len(name) > 2 else 0)),
        Item("身份证号", ("id_number",), _mask(str(s.get("id_number") or ""), 3, 4)),
        Item("联系电话", ("phone",), _mask(str(s.get("phone") or ""), 3, 4)),
        Item("户籍地", ("town", "town.label", "village", "village.label", "region"), _place(s)),
        Item("事项类别", ("category",), str(s.get("category") or "")),
        Item("反映的问题", ("facts", "legal"), _short(s.get("facts"))),
    ]
    if "request" in s:
        found.append(Item("诉求", ("request", "legal"), _short(s.get("request"))))
    if "before" in s:
        found.append(Item("以前是否反映过", ("before", "before_number"), _before(s)))
    return found


def summary_text(view: View) -> str:
    lines = ["请核对您要提交的内容（为保护隐私，姓名和号码部分隐去）："]
    lines += [f"{n}. {item.label}：{item.shown}" for n, item in enumerate(items(view), 1)]
    if view.slots.get("legal"):
        lines.append(f"注意：这件事涉及{view.slots['legal']}，将按“依法分类处理”作为咨询登记。")
    lines.append("内容无误请回复“1”提交；要改某一项，请回复“修改第N项”，例如“修改第3项”。")
    return "\n".join(lines)


def parse_confirm(text: str, view: View) -> ParseResult:
    said = clean(text).strip()
    edit = _EDIT.search(said)
    if edit:
        n = number(edit.group(1) or edit.group(2))
        count = len(items(view))
        if 1 <= n <= count:
            return Parsed(f"edit:{n}", label=f"修改第{n}项")
        return Invalid(f"只有第1到第{count}项。请回复“修改第N项”，或回复“1”提交。")
    chosen = pick(said, SUMMARY_OPTIONS)
    if chosen == 0 or (chosen is None and _YES.match(said)):
        return Parsed(CONFIRM, label="确认提交")
    return Invalid("请告诉我改第几项，例如回复“修改第3项”；内容无误请回复“1”提交。")


def edit_number(decision: Any) -> int | None:
    """N when the summary answer was “修改第N项”."""
    if isinstance(decision, str) and decision.startswith("edit:"):
        return int(decision[5:])
    return None


def edit_slots(view: View, item: Item) -> dict[str, Any]:
    """The answers kept when one item is asked again (the summary is shown again after)."""
    dropped = (
        set(item.slots) | {"confirm", "confirm.label"} | {f"{name}.label" for name in item.slots}
    )
    kept = {k: v for k, v in view.slots.items() if k not in dropped}
    if "legal" in item.slots:
        channel = next(
            (c for c in (legal_channel(str(kept.get(k) or "")) for k in ("facts", "request")) if c),
            None,
        )
        kept.pop("legal", None)
        if channel:
            kept["legal"] = channel
    return kept

"""What the veteran is told once the shell has saved a ticket (number, code, dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KIND_NAMES = {
    "petition": "信访事项",
    "consultation": "咨询",
    "home_visit": "上门服务预约",
    "card_preapp": "优待证预登记",
    "status_request": "进度查询",
    "callback": "回电预约",
    "crisis": "紧急求助",
}


@dataclass(frozen=True)
class Saved:
    kind: str
    number: str
    unit: str  # who will handle it (承办单位)
    due: dt.date | None
    lookup_code: str | None = None
    merged: bool = False  # an open ticket for the same matter already existed
    accept_due: dt.date | None = None


def acknowledge(saved: Saved) -> str:
    if saved.kind == "petition":
        return _petition(saved)
    name = KIND_NAMES.get(saved.kind, "事项")
    due = f"，预计{saved.due:%Y年%m月%d日}前联系您" if saved.due else ""
    return f"已登记您的{name}，编号 {saved.number}。由{saved.unit}办理{due}。"


def _petition(saved: Saved) -> str:
    if saved.merged:
        return (
            f"您反映的这件事已经在办理中，编号 {saved.number}，由{saved.unit}承办。\n"
            "这次补充的情况已并入原件，不再重复立案。查询进度请用原来的查询码。"
        )
    lines = [
        f"已收到您的信访事项。受理编号：{saved.number}",
        f"查询码：{saved.lookup_code}（请保存好，查询进度时需要，不要告诉他人）",
        f"承办单位：{saved.unit}",
    ]
    if saved.accept_due:
        lines.append(
            f"1. {saved.accept_due:%Y年%m月%d日}前书面告知您接收情况以及处理途径和程序（《信访工作条例》第二十三条）"
        )
    lines.append("2. 受理后60日内办结并书面答复，情况复杂的经批准可延长不超过30日（第三十四条）")
    lines.append("3. 对答复不服，可在收到答复之日起30日内请求复查（第三十五条）")
    return "\n".join(lines)

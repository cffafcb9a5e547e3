"""Local facts for flow replies, from the region settings (never invented): the
station card and the merged settings of the region the veteran picked."""

from __future__ import annotations

from typing import Any

from intents.flows.base import View
from knowledge.render import context_for


def settings(view: View, code: str | None = None) -> dict[str, Any]:
    """Region settings with safe defaults, for the region chosen in the flow (or the veteran's)."""
    return context_for(view.ctx.regions, code or str(view.slots.get("region") or view.region))


def station_text(view: View, code: str | None = None) -> str:
    """Name, address, hours and phone of the veteran's station."""
    s = settings(view, code)["station"]
    return f"{s['name']}\n地址：{s['address']}\n时间：{s['hours']}\n电话：{s['phone']}"

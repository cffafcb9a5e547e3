"""Conversation state: typed, versioned, JSON-serialisable; never pickled."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

VERSION = 2


class Pending(TypedDict, total=False):
    """What the conversation waits for besides a flow's slot (each key optional)."""

    choices: list[str]  # numbered choices on offer, as actions ("faq:<id>", "handoff")
    resume: bool  # "继续上次的，还是重新开始？" was asked
    satisfaction: str  # the ticket whose 满意/基本满意/不满意 question was asked
    forward_acked: bool  # a human took over; the bot said so once


class ConversationState(BaseModel):
    """Where one (channel, user_id) conversation stands."""

    version: int = VERSION
    flow: str | None = None  # current guided flow (card, survival_cert, petition, lookup…)
    slot: str | None = None  # slot being asked
    slots: dict[str, Any] = Field(default_factory=dict)  # answers collected so far
    trail: list[str] = Field(default_factory=list)  # slots answered, for 上一步
    failures: dict[str, int] = Field(default_factory=dict)
    region: str | None = None  # veteran's region code once known
    language: str = "zh-Hans"
    handoff_ticket: str | None = None  # a human owns the conversation (ticket number)
    pending: Pending = Field(default_factory=lambda: Pending())
    recent: list[str] = Field(default_factory=list)  # the last few user lines, for tickets
    last_activity: dt.datetime | None = None
    lookup_failures: list[dt.datetime] = Field(
        default_factory=list
    )  # wrong 查询进度 tries (lockout); kept by cleared()

    def to_json(self) -> str:
        return self.model_dump_json()

    def cleared(self) -> ConversationState:
        """No flow, no pending choice; region and handoff survive."""
        return self.model_copy(
            update={
                "flow": None,
                "slot": None,
                "slots": {},
                "trail": [],
                "failures": {},
                "pending": {},
            }
        )


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 stored ``filled`` and ``owner``; v2 calls them ``slots`` and ``handoff_ticket``."""
    data = dict(data)
    data["slots"] = data.pop("filled", {}) or {}
    data["handoff_ticket"] = data.pop("owner", None)
    data["version"] = 2
    return data


_MIGRATIONS = {1: _v1_to_v2}


def load_state(raw: str | dict[str, Any] | None) -> ConversationState:
    """Parse stored state, upgrading older versions."""
    if not raw:
        return ConversationState()
    data = dict(raw) if isinstance(raw, dict) else json.loads(raw)
    version = int(data.get("version", 1))
    while version < VERSION:
        data = _MIGRATIONS[version](data)
        version = int(data["version"])
    return ConversationState.model_validate(data)

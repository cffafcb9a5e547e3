"""A fake Telegram Bot API (``/bot<token>/<method>``) for offline tests.

PTB is pointed at it with ``base_url=base + "/bot"``. Records sendMessage calls;
``fail("sendMessage", status=500, payload={...})`` scripts errors.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from fakes.recording import Call, FakeApi

BOT = {"id": 4242, "is_bot": True, "first_name": "vetbot", "username": "vetbot_test_bot"}


def error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


@dataclass
class FakeTelegram(FakeApi):
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        method = call.path.rsplit("/", 1)[-1]
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "sendMessage":
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(call.body["chat_id"]), "type": "private"},
                "text": call.body.get("text", ""),
            }
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Bodies of sendMessage calls that succeeded (not scripted failures)."""
        return [
            c.body
            for c in self.delivered("/sendMessage")
            if chat_id is None or int(c.body["chat_id"]) == chat_id
        ]

"""A fake WeChat Official Account + WeCom API (``/cgi-bin/…``) for offline tests.

Point wechatpy at ``base + "/cgi-bin/"`` (settings ``wechat_api_base``/``wecom_api_base``).
Records 客服 messages, menu creation, WeCom cards and token fetches; ``fail()`` scripts
errors: ``fail("message/custom/send", payload={"errcode": 45015, ...})``, 5xx, delays.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from fakes.recording import Call, FakeApi

OK = {"errcode": 0, "errmsg": "ok"}
ERR_45015 = {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}


@dataclass
class FakeWeChat(FakeApi):
    tokens: list[str] = field(default_factory=list)
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    def answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.path.endswith("/token") or call.path.endswith("/gettoken"):
            token = f"token-{next(self._counter)}"
            self.tokens.append(token)
            return 200, {"access_token": token, "expires_in": 7200}
        if call.query.get("access_token") not in self.tokens[-1:]:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        return 200, OK

    def texts(self) -> list[tuple[str, str]]:
        """(openid, text) of every accepted 客服 text message, in order."""
        return [
            (c.body["touser"], c.body["text"]["content"])
            for c in self.delivered("/message/custom/send")
            if c.body.get("msgtype") == "text"
        ]

    def token_fetches(self) -> int:
        return len(self.sent("/token")) + len(self.sent("/gettoken"))

    def cards(self) -> list[dict[str, Any]]:
        """WeCom text cards delivered (staff notifications)."""
        return [
            c.body for c in self.delivered("/message/send") if c.body.get("msgtype") == "textcard"
        ]

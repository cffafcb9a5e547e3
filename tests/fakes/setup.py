"""Wiring the app under test to the fakes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

from bot.process.runtime import Runtime

#: The suite's "today" (China). Pinned, so no result depends on the day it runs; run the
#: suite under another date with VETBOT_TEST_TODAY=YYYY-MM-DD.
TEST_TODAY = dt.date.fromisoformat(os.environ.get("VETBOT_TEST_TODAY") or "2026-12-09")

WECHAT_TOKEN = "vetbot-test-token"
WECHAT_APPID = "wx0123456789abcdef"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars, as WeChat issues
TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "tg-secret-for-tests"


def with_settings(rt: Runtime, **updates: Any) -> Runtime:
    return dataclasses.replace(rt, settings=rt.settings.model_copy(update=updates))


def wechat_settings(api_base: str, aes: bool = False) -> dict[str, Any]:
    return {
        "wechat_token": WECHAT_TOKEN,
        "wechat_appid": WECHAT_APPID,
        "wechat_secret": "wechat-secret",
        "wechat_aes_key": WECHAT_AES_KEY if aes else "",
        "wechat_api_base": api_base + "/cgi-bin/",
        "wecom_api_base": api_base + "/cgi-bin/",
        "outbox_poll_seconds": 0.2,
    }


def telegram_settings(api_base: str) -> dict[str, Any]:
    return {
        "telegram_token": TELEGRAM_TOKEN,
        "telegram_secret": TELEGRAM_SECRET,
        "telegram_api_base": api_base + "/bot",
        "outbox_poll_seconds": 0.2,
    }


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until ``check()`` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)

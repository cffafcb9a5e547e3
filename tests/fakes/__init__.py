"""Offline stand-ins for the platforms (WeChat, WeCom, Telegram) and a uvicorn runner.

Tests import them as ``from fakes import ...`` (``tests/`` is on sys.path via conftest).
"""

from fakes.asgi import serve_app
from fakes.recording import Call, FakeApi
from fakes.telegram_api import FakeTelegram
from fakes.wechat_api import FakeWeChat

__all__ = ["Call", "FakeApi", "FakeTelegram", "FakeWeChat", "serve_app"]

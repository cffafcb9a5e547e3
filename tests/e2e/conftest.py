"""Browser tests: the app on uvicorn (real HTTP), the fake WeChat API, and Debian's Chromium
driven by Playwright. Without Chromium these tests skip locally and FAIL in CI."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeWeChat, serve_app
from fakes.setup import TEST_TODAY, WECHAT_TOKEN, wechat_settings, with_settings
from fakes.wechat_push import WeChatPusher

from bot.app import create_app
from bot.process.runtime import Runtime, build_context
from bot.process.settings import Settings
from bot.shell.effects import EffectContext, apply_all
from db import conversations, staff
from db.crypto import PiiVault
from db.session import make_engine, session_factory, transaction
from intents.context import Context
from intents.turn import OpenTicket
from knowledge.clock import FixedClock

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("VETBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-password-1"
STAFF = {
    "dong": ("staff", "990101", "东城镇小王"),
    "county": ("supervisor", "990100", "县局老李"),
    "chief": ("leader", "990100", "王局长"),
    "xishan": ("staff", "990102", "西山乡小赵"),
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Live:
    url: str
    rt: Runtime
    wechat: FakeWeChat
    pusher: WeChatPusher

    def petition(
        self,
        user_id: str,
        channel: str = "wechat",
        region: str = "990101001",
        summary: str = "三个月抚恤金未到账，要求核实补发",
        phone: str = "13812345678",
    ) -> str:
        """A petition as the bot files it (same effects path as the petition flow).
        The intake merges open petitions of one person, so other people need another ``phone``."""
        with transaction(self.rt.sessions) as s:
            conv = conversations.get_or_create(s, channel, user_id)
            ec = EffectContext(
                session=s,
                ctx=self.rt.ctx,
                vault=self.rt.vault,
                conversation=conv,
                today=self.rt.clock.today(),
                channel=channel,
            )
            pii = {"name": "张三丰", "phone": phone}
            applied = apply_all(
                ec, (OpenTicket("petition", region, summary, category="抚恤", pii=pii),)
            )
            return applied.tickets[0].number


def _serve(db_url: str, settings: Settings, ctx: Context) -> Iterator[Live]:
    api = FakeWeChat()
    base = api.start()
    settings = settings.model_copy(update={"database_url": db_url})
    engine = make_engine(db_url)
    rt = with_settings(
        Runtime(
            settings,
            ctx,
            engine,
            session_factory(engine),
            PiiVault(settings.secret_key),
            clock=FixedClock.on(TEST_TODAY),
        ),
        **wechat_settings(base),
    )
    with transaction(rt.sessions) as s:
        for username, (role, region, name) in STAFF.items():
            staff.create(s, username, PASSWORD, role, region, name)
    try:
        with serve_app(create_app(runtime=rt)) as url:
            now = lambda: int(rt.clock.now().timestamp())  # noqa: E731 (the app's pinned clock)
            yield Live(url, rt, api, WeChatPusher(url, WECHAT_TOKEN, now=now))
    finally:
        api.stop()
        engine.dispose()


@pytest.fixture
def live(db_url: str, settings_base: Settings, ctx: Context) -> Iterator[Live]:
    """The app on uvicorn with the shared (read-only) KB."""
    yield from _serve(db_url, settings_base, ctx)


@pytest.fixture
def live_private_kb(db_url: str, tmp_path: Path, settings_base: Settings) -> Iterator[Live]:
    """The app with its own copy of the KB: curators' edits touch only the copy."""
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    for path in (ROOT / "knowledge").glob("*.yaml"):
        shutil.copy(path, kb_dir / path.name)
    settings = settings_base.model_copy(update={"kb_dir": kb_dir})
    yield from _serve(db_url, settings, build_context(settings))


@pytest.fixture
def desktop(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def login(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def shot(page: Any, name: str, request: pytest.FixtureRequest) -> None:
    """Screenshots for people to look at (tests/artifacts/, not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = re.sub(
        r"\W+", "_", request.node.callspec.id if hasattr(request.node, "callspec") else ""
    )
    page.screenshot(
        path=str(ARTIFACTS / f"{name}{'_' + suffix if suffix else ''}.png"), full_page=True
    )

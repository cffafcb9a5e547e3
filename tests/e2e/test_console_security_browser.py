"""The console's defences as a browser sees them (Chromium, uvicorn, SQLite and PostgreSQL):
a cookie copied before logout is dead, an admin lifts a lock from the accounts page, and
no site can frame the web chat or the console."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD, Live, login, shot
from playwright.sync_api import expect

from db import staff as staff_repo
from db.session import transaction

pytestmark = pytest.mark.browser


def test_a_cookie_copied_before_logout_no_longer_opens_the_console(
    live: Live, desktop: Any
) -> None:
    page = desktop.new_page()
    login(page, live.url, "dong")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    copied = desktop.cookies()
    assert any(c["name"] == "vetbot_staff" for c in copied)
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live.url}/staff/login")

    thief = desktop.browser.new_context()
    thief.add_cookies(copied)
    stolen = thief.new_page()
    stolen.goto(f"{live.url}/staff/queue/unit")
    expect(stolen).to_have_url(f"{live.url}/staff/login?next=/staff/queue/unit")
    thief.close()


def test_an_admin_unlocks_a_locked_colleague(
    live: Live, desktop: Any, request: pytest.FixtureRequest
) -> None:
    with transaction(live.rt.sessions) as s:
        staff_repo.create(s, "boss", PASSWORD, "admin", "990100", "县局管理员")
    guess = desktop.new_page()
    for _ in range(staff_repo.MAX_FAILURES):
        login(guess, live.url, "dong", "not-the-password")
    login(guess, live.url, "dong")
    expect(guess.get_by_role("alert")).to_contain_text("锁定")

    admin = desktop.browser.new_context(locale="zh-CN").new_page()
    login(admin, live.url, "boss")
    admin.get_by_role("link", name="账户").click()
    expect(admin.get_by_role("row").filter(has_text="东城镇小王")).to_contain_text("已锁定")
    shot(admin, "accounts_locked", request)
    admin.get_by_role("button", name="解锁 dong").click()
    expect(admin.get_by_role("status")).to_contain_text("已解锁")

    login(guess, live.url, "dong")
    expect(guess.get_by_role("button", name="退出")).to_be_visible()


def test_no_site_can_frame_the_web_chat_or_the_console(live: Live, desktop: Any) -> None:
    page = desktop.new_page()
    page.set_content(
        f'<iframe id="chat" src="{live.url}/chat"></iframe>'
        f'<iframe id="console" src="{live.url}/staff/login"></iframe>'
    )
    page.wait_for_timeout(1500)
    expect(page.frame_locator("#chat").get_by_placeholder("请输入您的问题…")).to_have_count(0)
    expect(page.frame_locator("#console").get_by_label("用户名")).to_have_count(0)
    # the same pages open normally on their own
    page.goto(f"{live.url}/chat")
    expect(page.get_by_placeholder("请输入您的问题…")).to_be_visible()

"""The web chat on a phone (390×844) in a real Chromium, against uvicorn and a real database
(SQLite and PostgreSQL): what an elderly veteran sees on reload, after a staff reply, with
old option buttons, a slow or broken network, and the large-font switch."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Live, login, shot
from playwright.sync_api import expect
from sqlalchemy import select

from db.models import Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _latest_ticket(live: Live) -> str:
    with live.rt.sessions() as s:
        number = s.scalars(select(Ticket.number).order_by(Ticket.id.desc())).first()
    assert number is not None
    return number


def test_a_reply_sent_while_the_page_was_closed_is_there_on_reopening(
    live: Live, phone: Any, chromium: Any, request: pytest.FixtureRequest
) -> None:
    chat = phone.new_page()
    chat.goto(f"{live.url}/chat")
    chat.get_by_role("button", name="转人工").click()
    expect(chat.locator("#log")).to_contain_text("工作人员")
    chat.close()  # the veteran puts the phone away

    staff = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = staff.new_page()
    login(desk, live.url, "county")
    desk.goto(f"{live.url}/staff/tickets/{_latest_ticket(live)}")
    desk.get_by_role("button", name="认领（首问负责）").click()
    desk.get_by_label("回复群众（经其所用渠道送达）").fill(
        "您好，我是县局老李。请打 0000-0000101。"
    )
    desk.get_by_role("button", name="发送回复").click()
    expect(desk.get_by_role("status")).to_contain_text("回复已发送")
    staff.close()

    again = phone.new_page()
    again.goto(f"{live.url}/chat")
    log = again.locator("#log")
    expect(log.locator(".msg.me").first).to_have_text("转人工")  # the earlier exchange is back
    reply = log.locator(".msg.staff").filter(has_text="我是县局老李")
    expect(reply).to_contain_text("工作人员 县局老李（示例县）：")  # from a person, with the unit
    expect(reply.get_by_role("link", name="0000-0000101")).to_have_attribute(
        "href", "tel:00000000101"
    )  # the station number is unmasked and tap-to-call
    expect(again.get_by_role("status").filter(has_text="人工服务中")).to_be_visible()
    shot(again, "chat_reopened_with_staff_reply_phone", request)

    again.get_by_role("button", name="结束人工").click()
    expect(log).to_contain_text("人工服务已结束")
    expect(again.locator("#human")).to_be_hidden()
    shot(again, "chat_human_ended_phone", request)


def test_old_option_buttons_are_disabled_and_the_bubble_shows_the_label(
    live: Live, phone: Any, request: pytest.FixtureRequest
) -> None:
    chat = phone.new_page()
    chat.goto(f"{live.url}/chat")
    chat.get_by_role("textbox").fill("我想申请优待证")
    chat.get_by_role("button", name="发送").click()
    first = chat.locator("ol[data-offer]").nth(0)
    expect(first.get_by_role("button").first).to_be_enabled()
    label = first.get_by_role("button").first.inner_text()
    first.get_by_role("button").first.click()
    expect(chat.locator(".msg.me").last).to_have_text(label)  # the words tapped, not "1"
    expect(first.get_by_role("button").first).to_be_disabled()  # answered: no longer live
    chat.get_by_role("textbox").fill("取消")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator("#log")).to_contain_text("已取消")
    expect(chat.locator("#log")).to_contain_text("这个问题已经结束")
    shot(chat, "chat_stale_options_phone", request)

    chat.reload()  # after a reload, too, only the newest question's buttons answer
    lists = chat.locator("ol[data-offer]")
    expect(lists.first).to_be_visible()
    for i in range(lists.count() - 1):
        for button in lists.nth(i).get_by_role("button").all():
            expect(button).to_be_disabled()


def test_phone_polish_waiting_retry_big_font_and_touch_targets(
    live: Live, phone: Any, request: pytest.FixtureRequest
) -> None:
    chat = phone.new_page()
    chat.goto(f"{live.url}/chat")
    expect(chat.get_by_role("textbox")).not_to_be_focused()  # no keyboard before reading
    greeting = chat.locator(".greeting")
    gap = chat.evaluate(
        "() => { const g = document.querySelector('.greeting');"
        " return g.querySelector('ol').getBoundingClientRect().top"
        " - g.querySelector('p').getBoundingClientRect().bottom; }"
    )
    assert gap < 16, gap  # no blank lines under the greeting
    for button in [
        *greeting.get_by_role("button").all(),
        chat.get_by_role("button", name="发送"),
        chat.locator("#bigfont"),
    ]:
        box = button.bounding_box()
        assert box and box["height"] >= 44, button
    shot(chat, "chat_open_phone", request)

    def slow(route: Any) -> None:
        time.sleep(1.5)
        route.continue_()

    chat.route("**/chat/send", slow)
    chat.get_by_role("textbox").fill("抚恤金什么时候发")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator(".msg.pending")).to_have_text("正在查询…")
    shot(chat, "chat_waiting_phone", request)
    expect(chat.locator(".msg.pending")).to_have_count(0, timeout=15_000)
    chat.unroute("**/chat/send")

    chat.route("**/chat/send", lambda route: route.abort())
    chat.get_by_role("textbox").fill("优待证怎么办")
    chat.get_by_role("button", name="发送").click()
    failed = chat.locator(".msg.failed")
    expect(failed).to_contain_text("没有发出去", timeout=15_000)
    shot(chat, "chat_network_error_phone", request)
    chat.unroute("**/chat/send")
    failed.get_by_role("button", name="重新发送").click()
    expect(failed).to_have_count(0)
    expect(chat.locator(".msg.bot").last).to_contain_text("优待证")

    big = chat.locator("#bigfont")
    expect(big).to_have_text("大字：关")
    big.click()
    expect(big).to_have_text("大字：开")
    expect(big).to_have_attribute("aria-pressed", "true")
    send = chat.get_by_role("button", name="发送").bounding_box()
    assert send and send["height"] < 70  # 发送 stays on one line
    shot(chat, "chat_bigfont_phone", request)
    chat.reload()
    expect(chat.locator("#bigfont")).to_have_text("大字：开")  # remembered


def test_the_lookup_code_of_a_petition_is_shown_as_a_card(
    live: Live, phone: Any, request: pytest.FixtureRequest
) -> None:
    chat = phone.new_page()
    chat.goto(f"{live.url}/chat")
    chat.evaluate(
        "() => { const s = document.createElement('div'); s.id = 'probe'; document.body.append(s); }"
    )
    # the receipt as the petition flow words it (intents/receipts.py)
    chat.route(
        "**/chat/send",
        lambda route: route.fulfill(
            json={
                "replies": [
                    {
                        "text": "已受理登记。\n受理编号：XF-1\n查询码：AB12CD34（请保存好，查询进度时需要，不要告诉他人）",
                        "options": [],
                    }
                ]
            }
        ),
    )
    chat.get_by_role("textbox").fill("我要反映")
    chat.get_by_role("button", name="发送").click()
    card = chat.get_by_role("note")
    expect(card).to_contain_text("AB12CD34")
    expect(card).to_contain_text(re.compile("截图|抄下"))
    shot(chat, "chat_lookup_code_card_phone", request)

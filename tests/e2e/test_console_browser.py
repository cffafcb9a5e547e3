"""The staff console in a real headless Chromium (Playwright), against uvicorn, the fake
WeChat API and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PASSWORD, Live, login, shot
from fakes.setup import eventually
from fakes.wechat_push import text_xml
from playwright.sync_api import expect

from db import staff as staff_repo

pytestmark = pytest.mark.browser


def unfold(page: Any, section: str) -> None:
    """Open one of the ticket page's action sections (a <details>)."""
    page.locator("summary").filter(has_text=re.compile(f"^{section}$")).click()


OPENID = "oVeteranWeChat0001"


def test_petition_from_wechat_is_claimed_answered_escalated_and_resolved(
    live: Live, desktop: Any, request: pytest.FixtureRequest
) -> None:
    number = live.petition(OPENID)
    town = desktop.new_page()
    login(town, live.url, "dong")
    town.get_by_role("link", name=re.compile("待认领")).click()
    row = town.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("信访")
    expect(row).to_contain_text("138****5678")
    expect(row).to_contain_text(re.compile(r"剩 \d+ 天"))
    shot(town, "queue", request)

    row.get_by_role("link", name=number).click()
    town.get_by_role("button", name="认领（首问负责）").click()
    expect(town.get_by_role("status")).to_contain_text("已认领")
    unfold(town, "受理 / 不予受理")
    town.get_by_role("button", name="受理并告知", exact=True).click()
    expect(town.get_by_role("status")).to_contain_text("已受理")
    eventually(lambda: [t for u, t in live.wechat.texts() if u == OPENID and "已受理" in t])
    town.get_by_label("回复群众（经其所用渠道送达）").fill(
        "您好，您的信访事项已收到，我们正在核实发放记录。"
    )
    town.get_by_role("button", name="发送回复").click()
    expect(town.get_by_role("status")).to_contain_text("回复已发送")
    sent = eventually(
        lambda: [t for u, t in live.wechat.texts() if u == OPENID and "正在核实发放记录" in t]
    )
    assert sent  # delivered to the veteran's WeChat through the outbox worker

    # the veteran answers on WeChat: the bot stays quiet and the line appears live on the page
    live.pusher.push(text_xml(OPENID, "好的，我的银行卡尾号是5678", "9001"))
    expect(town.locator("#messages")).to_contain_text("银行卡尾号是5678")

    unfold(town, "转办")
    town.get_by_label("或转给个人（用户名，可不填）").fill("county")
    town.get_by_role("button", name="转办", exact=True).click()
    expect(
        town.get_by_text("转办原因（必填）")
    ).to_be_visible()  # the reason is required (browser validation)
    town.get_by_label("转办原因（必填）").fill("涉及县级资金拨付，转县局信访科")
    town.get_by_role("button", name="转办", exact=True).click()
    expect(town.get_by_role("status")).to_contain_text("已转办")

    county = desktop.new_page()
    login(county, live.url, "county")
    county.goto(f"{live.url}/staff/queue/mine")
    county.get_by_role("link", name=number).click()
    unfold(county, "包案领导")
    county.get_by_label("包案领导").select_option(label="王局长")
    county.get_by_role("button", name="设置").click()
    expect(county.get_by_role("status")).to_contain_text("已设置包案领导")
    unfold(county, "上报上级")
    county.get_by_label("上报原因（必填）").fill("需市局协调资金")
    shot(county, "ticket", request)
    county.get_by_role("button", name="上报").click()
    expect(county.get_by_role("status")).to_contain_text("已上报上级单位")

    # the city now owns the unit queue; the 包案领导 still sees it and the supervisor of the city resolves
    chief = desktop.new_page()
    login(chief, live.url, "chief")
    chief.get_by_role("link", name=re.compile("包案")).click()
    chief.get_by_role("link", name=number).click()
    unfold(chief, "办结")
    chief.get_by_label("办理结果（必填）").fill("已协调补发三个月抚恤金")
    chief.get_by_role("button", name="办结并请群众评价").click()
    expect(chief.get_by_role("status")).to_contain_text("已办结")
    question = eventually(
        lambda: [t for u, t in live.wechat.texts() if u == OPENID and "请对本次办理进行评价" in t]
    )
    assert "1. 满意" in question[0]
    texts = [t for u, t in live.wechat.texts() if u == OPENID]
    answer = next(i for i, t in enumerate(texts) if "已协调补发三个月抚恤金" in t)
    assert "答复意见" in texts[answer] and answer < texts.index(question[0])  # the 答复 first
    live.pusher.push(text_xml(OPENID, "1", "9002"))
    chief.reload()
    expect(chief.locator("#satisfaction")).to_have_text("满意")
    expect(chief.locator(".events")).to_contain_text("转办")
    expect(chief.locator(".events")).to_contain_text("上报")

    # on a phone, with the large-font toggle (it is remembered)
    chief.set_viewport_size({"width": 390, "height": 844})
    chief.get_by_role("button", name="大字").click()
    chief.reload()
    expect(chief.locator("html")).to_have_class(re.compile("big"))
    shot(chief, "ticket_phone", request)

    for n, region in enumerate(("990102001", "990103001", "990101002", "990102002")):
        live.petition(f"oDash{n}", region=region, phone=f"1390000000{n}")
    chief.set_viewport_size({"width": 1366, "height": 768})
    chief.goto(f"{live.url}/staff/dashboard")
    expect(chief.locator("svg.chart").first).to_contain_text("信访")
    shot(chief, "dashboard", request)


def test_web_chat_handoff_live_both_ways_and_satisfaction(
    live: Live, desktop: Any, chromium: Any, request: pytest.FixtureRequest
) -> None:
    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    veteran = phone.new_page()
    veteran.goto(f"{live.url}/chat")
    assert "工作人员" in ask(veteran, "转人工")

    staffer = desktop.new_page()
    login(staffer, live.url, "county")  # region unknown: the county queue
    staffer.get_by_role("link", name=re.compile("待认领")).click()
    staffer.get_by_role("row").filter(has_text="咨询").first.get_by_role("link").first.click()
    staffer.get_by_role("button", name="认领（首问负责）").click()
    staffer.get_by_label("回复群众（经其所用渠道送达）").fill(
        "您好，我是县退役军人事务局老李，请问有什么可以帮您？"
    )
    staffer.get_by_role("button", name="发送回复").click()
    expect(veteran.locator("#log")).to_contain_text(
        "我是县退役军人事务局老李"
    )  # staff → veteran (poll)

    veteran.get_by_placeholder("请输入您的问题…").fill("我想问问我父亲的优待证")
    veteran.get_by_role("button", name="发送").click()
    expect(staffer.locator("#messages")).to_contain_text(
        "我想问问我父亲的优待证"
    )  # veteran → staff, live

    unfold(staffer, "办结")
    staffer.get_by_label("办理结果（必填）").fill("已电话指导办理")
    staffer.get_by_role("button", name="办结并请群众评价").click()
    expect(veteran.locator("#log")).to_contain_text("请对本次办理进行评价")
    expect(veteran.locator("#log .notice").filter(has_text="办理结果")).to_contain_text(
        "已电话指导办理"
    )  # the result itself, before the question, as a 服务通知
    shot(veteran, "chat_resolved_result_and_survey_phone", request)
    veteran.locator("#log").get_by_role("button", name="满意", exact=True).last.click()
    expect(veteran.locator("#log")).to_contain_text("感谢您的评价")
    staffer.reload()
    expect(staffer.locator("#satisfaction")).to_have_text("满意")
    phone.close()


CANDIDATES = ("俺的优待卡叫娃弄没了", "优待卡叫小孙子给整没了", "那张优待的卡叫娃弄丢了咋整")


def unanswered_question(live: Live) -> str:
    """A way of asking about a lost card that the KB does not know yet (it keeps growing)."""
    from intents.faq import lookup

    for q in CANDIDATES:
        found = lookup(q, live.rt.ctx)
        if not found.confident:
            return q
    raise AssertionError(
        "every candidate is already answered: add a new way of asking to CANDIDATES"
    )


def ask(page: Any, text: str) -> str:
    """Type into the web chat and wait for the bot's answer."""
    replies = page.locator("#log .msg.bot:not(.pending)")  # not the 正在查询… bubble
    before = replies.count()
    page.get_by_placeholder("请输入您的问题…").fill(text)
    page.get_by_role("button", name="发送").click()
    expect(replies).to_have_count(before + 1)
    return str(replies.last.inner_text())


def test_kb_curation_turns_an_unanswered_question_into_a_phrasing(
    live_private_kb: Live, desktop: Any
) -> None:
    live = live_private_kb
    question = unanswered_question(live)
    entry = live.rt.ctx.kb.get("card.lost")
    assert entry is not None
    marker = entry.answer.splitlines()[0][:8]
    veteran = desktop.new_page()
    veteran.goto(f"{live.url}/chat")
    assert marker not in ask(veteran, question)

    curator = desktop.new_page()
    login(curator, live.url, "county")
    curator.goto(f"{live.url}/staff/kb")
    group = curator.locator("article.group").filter(has_text=question)
    expect(group).to_contain_text("1 次")
    group.get_by_label("加入到条目（编号）").fill("card.lost")
    group.get_by_role("button", name="加入问法").click()
    expect(curator.get_by_role("status")).to_contain_text("知识库已更新")
    expect(curator.locator(".edit").first).to_contain_text("card.lost")

    assert marker in ask(veteran, question)  # the bot now answers it, without a restart


def test_rbac_csrf_and_lockout(live: Live, desktop: Any, request: pytest.FixtureRequest) -> None:
    number = live.petition("oOtherTown", region="990101001")
    page = desktop.new_page()
    login(page, live.url, "xishan")
    response = page.goto(f"{live.url}/staff/tickets/{number}")
    assert (
        response is not None and response.status == 404
    )  # 西山乡 cannot open 东城镇's ticket by URL (nor tell it exists)
    forged = page.request.post(f"{live.url}/staff/tickets/{number}/claim", form={"note": "x"})
    assert forged.status == 403  # logged in, but no CSRF token

    attacker = desktop.browser.new_context()
    guess = attacker.new_page()
    for _ in range(staff_repo.MAX_FAILURES):
        login(guess, live.url, "dong", "not-the-password")
        expect(guess.get_by_role("alert")).to_be_visible()
    login(guess, live.url, "dong", PASSWORD)
    expect(guess.get_by_role("alert")).to_contain_text("锁定")
    attacker.close()

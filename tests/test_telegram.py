"""Telegram in webhook mode inside the app (python-telegram-bot, updater(None)), over real HTTP,
against a fake Bot API; staff linking, /queue, /claim, /reply, /escalate; staff notifications."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fakes import FakeTelegram, FakeWeChat, serve_app
from fakes.setup import (
    TELEGRAM_SECRET,
    eventually,
    telegram_settings,
    wechat_settings,
    with_settings,
)
from sqlalchemy import select
from starlette.applications import Starlette

from bot.app import create_app
from bot.channels.telegram.channel import SECRET_HEADER, webhook_path
from bot.delivery.staff_link import issue_link_code
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db.models import Staff, Ticket
from db.session import transaction

_ids = itertools.count(1000)


@dataclass
class Live:
    url: str
    app: Starlette
    rt: Runtime
    tg: FakeTelegram
    wx: FakeWeChat

    def post(
        self, update: dict[str, Any], secret: str = TELEGRAM_SECRET, path: str | None = None
    ) -> httpx.Response:
        url = f"{self.url}/telegram/{path or webhook_path(TELEGRAM_SECRET)}"
        return httpx.post(url, json=update, headers={SECRET_HEADER: secret}, timeout=30)

    def say(self, chat_id: int, text: str) -> httpx.Response:
        return self.post(message(chat_id, text))


def message(chat_id: int, text: str) -> dict[str, Any]:
    n = next(_ids)
    msg: dict[str, Any] = {
        "message_id": n,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "老兵"},
        "text": text,
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": n, "message": msg}


def button(chat_id: int, data: str) -> dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": n,
        "callback_query": {
            "id": f"cbq{n}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "老兵"},
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": n,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
        },
    }


@pytest.fixture
def live(runtime: Runtime) -> Iterator[Live]:
    tg, wx = FakeTelegram(), FakeWeChat()
    tg_base, wx_base = tg.start(), wx.start()
    settings = (
        telegram_settings(tg_base)
        | wechat_settings(wx_base)
        | {"wecom_corp_id": "corp", "wecom_secret": "s", "wecom_agent_id": "1000002"}
    )
    rt = with_settings(runtime, **settings)
    app = create_app(runtime=rt)
    try:
        with serve_app(app) as url:
            yield Live(url, app, rt, tg, wx)
    finally:
        tg.stop()
        wx.stop()


def texts(live: Live, chat_id: int) -> list[str]:
    return [m["text"] for m in live.tg.messages(chat_id)]


def buttons(body: dict[str, Any]) -> list[str]:
    markup = body.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def test_start_gets_the_welcome_with_options_as_inline_buttons(live: Live) -> None:
    assert live.say(501, "/start").status_code == 200
    live.tg.wait_for("/sendMessage")
    [body] = live.tg.messages(501)
    assert "退役军人服务小助手" in body["text"] and "回复数字" not in body["text"]
    assert buttons(body)[:2] == ["优待证办理", "生存认证"] and "转人工" in buttons(body)


def test_a_text_update_is_answered_at_the_bot_api(live: Live) -> None:
    live.say(502, "优待证怎么办")
    live.tg.wait_for("/sendMessage")
    assert "建档立卡" in texts(live, 502)[0]


def test_pressing_a_button_continues_the_conversation(live: Live) -> None:
    live.post(button(503, "优待证办理"))
    live.tg.wait_for("/sendMessage")
    [body] = live.tg.messages(503)
    assert "优待证" in body["text"] and "本人是退役军人" in buttons(body)
    assert live.tg.sent("/answerCallbackQuery")


def test_a_retried_update_is_answered_once(live: Live) -> None:
    update = message(504, "优待证怎么办")
    assert [live.post(update).status_code for _ in range(3)] == [200, 200, 200]
    live.tg.wait_for("/sendMessage")
    time.sleep(0.5)
    assert len(live.tg.messages(504)) == 1


def test_wrong_secret_path_or_body_is_refused(live: Live) -> None:
    assert live.post(message(505, "hi"), secret="wrong").status_code == 403
    assert live.post(message(505, "hi"), path="0" * 32).status_code == 404
    bad = httpx.post(
        f"{live.url}/telegram/{webhook_path(TELEGRAM_SECRET)}",
        content=b"{not json",
        headers={SECRET_HEADER: TELEGRAM_SECRET},
    )
    assert bad.status_code == 400
    time.sleep(0.3)
    assert live.tg.messages(505) == []


def test_photos_get_a_please_type_reply(live: Live) -> None:
    update = message(506, "x")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    assert live.post(update).status_code == 200
    live.tg.wait_for("/sendMessage")
    assert "打字" in texts(live, 506)[0]


def test_link_codes_and_photos_are_rate_limited_per_chat(live: Live) -> None:
    code = _officer(live)
    for n in range(25):  # guessing staff link codes in bulk
        live.say(907, f"/link {n:08d}")
    live.say(907, f"/link {code}")  # the right code, but over the limit: not even tried
    said = texts(live, 907)
    assert len(said) == 21 and said[-1].startswith("您发得太快了")
    with live.rt.sessions() as s:
        assert s.scalars(select(Staff.telegram_chat_id)).one() is None
    photo = message(908, "x")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    for _ in range(25):
        assert live.post(photo | {"update_id": next(_ids)}).status_code == 200
    eventually(lambda: len(live.tg.messages(908)) >= 21)
    time.sleep(0.5)  # nothing more arrives
    assert sum("打字" in t for t in texts(live, 908)) == 20 and len(texts(live, 908)) == 21


def _officer(live: Live, username: str = "li", role: str = "staff", on_duty: bool = False) -> str:
    with transaction(live.rt.sessions) as s:
        officer = staff_repo.create(s, username, "password-123", role, "990100")
        officer.on_duty = on_duty
        return issue_link_code(s, live.rt.vault, officer)


def test_staff_link_queue_claim_and_reply_reach_the_veteran(live: Live) -> None:
    code = _officer(live)
    live.say(900, "/link 00000000")
    live.say(900, f"/link {code}")
    assert "无效" in texts(live, 900)[0] and "已绑定" in texts(live, 900)[1]
    live.say(900, f"/link {code}")  # one-time
    assert "无效" in texts(live, 900)[2]

    live.say(601, "转人工")  # a veteran on Telegram asks for a human
    eventually(lambda: live.tg.messages(601))
    with live.rt.sessions() as s:
        ticket = s.scalars(select(Ticket)).one()
    live.say(900, "/queue")
    assert f"#{ticket.id}" in texts(live, 900)[-1] and "待认领" in texts(live, 900)[-1]
    live.say(900, f"/claim {ticket.id}")
    assert "已认领" in texts(live, 900)[-1]
    live.say(900, f"/reply {ticket.id} 您好，我是服务站小李，\n明天给您回电。")
    assert "已发送" in texts(live, 900)[-1]
    eventually(lambda: len(live.tg.messages(601)) == 2)
    assert texts(live, 601)[-1] == "【工作人员回复】您好，我是服务站小李，\n明天给您回电。"
    with live.rt.sessions() as s:
        assert s.get(Ticket, ticket.id).owner_id == s.scalars(select(Staff.id)).one()  # type: ignore[union-attr]
    live.say(
        900, f"/escalate {ticket.id} 需要上级协调"
    )  # the console's rules (bot.tickets.actions)
    assert "已上报至" in texts(live, 900)[-1]
    with live.rt.sessions() as s:
        moved = s.get(Ticket, ticket.id)
        assert moved is not None and moved.queue != ticket.queue and moved.owner_id is None


def test_unlinked_chats_cannot_use_staff_commands(live: Live) -> None:
    live.say(902, "/queue")
    live.say(902, "/claim 1")
    assert all("仅限" in t for t in texts(live, 902))


def test_a_crisis_notifies_the_duty_officer_on_telegram_and_wecom(live: Live) -> None:
    code = _officer(live, "duty", on_duty=True)
    live.say(901, f"/link {code}")
    _officer(live, "zhao")  # an ordinary officer, not on duty: not told about a crisis
    with transaction(live.rt.sessions) as s:
        for person in s.scalars(select(Staff)):
            person.wecom_userid = f"wc-{person.username}"
    live.say(602, "我不想活了")
    eventually(lambda: live.wx.cards())
    eventually(lambda: len(live.tg.messages(901)) == 2)
    assert "紧急" in texts(live, 901)[-1]
    cards = live.wx.cards()
    assert [c["touser"] for c in cards] == ["wc-duty"] and "紧急" in cards[0]["textcard"]["title"]
    reply = " ".join(texts(live, 602))
    assert "12356" in reply

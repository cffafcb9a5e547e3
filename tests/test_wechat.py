"""WeChat Official Account callback, end to end over real HTTP on uvicorn (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fakes import FakeWeChat, serve_app
from fakes.setup import (
    WECHAT_AES_KEY,
    WECHAT_APPID,
    WECHAT_TOKEN,
    eventually,
    wechat_settings,
    with_settings,
)
from fakes.wechat_api import ERR_45015
from fakes.wechat_push import WeChatPusher, event_xml, media_xml, text_xml
from sqlalchemy import func, select
from starlette.applications import Starlette

import bot.shell.inbound
from bot.app import create_app
from bot.delivery.staff_reply import send_staff_reply
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db.models import Conversation, Message, OutboxMessage, Ticket, TicketEvent
from db.session import transaction


@dataclass
class Live:
    url: str
    app: Starlette
    rt: Runtime
    api: FakeWeChat
    plain: WeChatPusher
    aes: WeChatPusher


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChat]:
    api = FakeWeChat()
    api.base = api.start()  # type: ignore[attr-defined]
    yield api
    api.stop()


def _serve(runtime: Runtime, api: FakeWeChat, aes: bool = True, **extra: Any) -> Iterator[Live]:
    """The app on uvicorn; in safe mode (AES key set) unless ``aes`` is False. The
    pushers sign with the app's pinned clock (stale timestamps are refused)."""
    rt = with_settings(runtime, **wechat_settings(api.base, aes=aes), **extra)  # type: ignore[attr-defined]
    app = create_app(runtime=rt)
    now = lambda: int(rt.clock.now().timestamp())  # noqa: E731
    with serve_app(app) as url:
        yield Live(
            url,
            app,
            rt,
            api,
            WeChatPusher(url, WECHAT_TOKEN, now=now),
            WeChatPusher(url, WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY, now=now),
        )


@pytest.fixture
def live(runtime: Runtime, wechat_api: FakeWeChat) -> Iterator[Live]:
    """Safe mode (安全模式): only encrypted posts are accepted."""
    yield from _serve(runtime, wechat_api)


@pytest.fixture
def plain_live(runtime: Runtime, wechat_api: FakeWeChat) -> Iterator[Live]:
    """Plaintext mode (明文模式): no AES key configured."""
    yield from _serve(runtime, wechat_api, aes=False)


@pytest.fixture(params=["plain", "aes"])
def mode(
    request: pytest.FixtureRequest, runtime: Runtime, wechat_api: FakeWeChat
) -> Iterator[tuple[Live, WeChatPusher, bool]]:
    """Each mode with its own pusher: a plaintext server, then a safe-mode one."""
    aes = request.param == "aes"
    for live in _serve(runtime, wechat_api, aes=aes):
        yield live, live.aes if aes else live.plain, aes


def count(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def inbound_lines(rt: Runtime, openid: str) -> list[str]:
    with rt.sessions() as s:
        stmt = (
            select(Message.text)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.user_id == openid, Message.direction == "in")
            .order_by(Message.id)
        )
        return list(s.scalars(stmt))


# -- the happy paths ----------------------------------------------------------------


def test_signed_plaintext_text_gets_the_answer_passively(plain_live: Live) -> None:
    live = plain_live
    got = live.plain.push(text_xml("o-plain", "优待证怎么办", "1001"))
    assert got.status == 200
    assert got.fields["MsgType"] == "text"
    assert got.fields["ToUserName"] == "o-plain" and got.fields["FromUserName"] == "gh_test"
    assert "建档立卡" in got.content and "依据" in got.content


def test_aes_safe_mode_text_gets_an_encrypted_passive_answer(live: Live) -> None:
    got = live.aes.push(text_xml("o-aes", "优待证怎么办", "1002"), aes=True)
    assert got.status == 200
    assert "<Encrypt>" in got.body and "建档立卡" not in got.body  # nothing readable on the wire
    assert "建档立卡" in got.content


def test_url_verification_echoes_only_with_a_valid_signature(live: Live) -> None:
    params = live.plain.params(False, "1700000000", "abc")
    ok = httpx.get(live.url + "/wechat", params=params | {"echostr": "echo-123"})
    assert ok.status_code == 200 and ok.text == "echo-123"
    bad = httpx.get(live.url + "/wechat", params=params | {"signature": "0" * 40, "echostr": "x"})
    assert bad.status_code == 403


def test_the_same_msgid_three_times_runs_the_engine_once(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    real_step = bot.shell.inbound.step

    def counting_step(*args: Any) -> Any:
        runs.append("step")
        return real_step(*args)

    monkeypatch.setattr(bot.shell.inbound, "step", counting_step)
    body, params = live.aes.body_and_params(text_xml("o-retry", "转人工", "777001"), aes=True)

    def post(_: int) -> httpx.Response:
        return httpx.post(live.url + "/wechat", params=params, content=body, timeout=30)

    with ThreadPoolExecutor(3) as pool:  # WeChat's retries can overlap the first attempt
        replies = list(pool.map(post, range(3)))
    replies.append(post(3))  # and one more after the first was answered
    assert [r.status_code for r in replies] == [200] * 4
    contents = [live.aes.decode(r.text, params)["Content"] for r in replies]
    assert len(set(contents)) == 1 and "转人工" in contents[0]
    assert runs == ["step"]
    assert count(live.rt, Ticket) == 1
    assert len(inbound_lines(live.rt, "o-retry")) == 1


def test_a_slow_answer_says_success_then_sends_one_customer_service_message(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import bot.channels.wechat.passive as passive

    real_handle = passive.handle_batch

    def slow_handle(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.8)
        return real_handle(*args, **kwargs)

    monkeypatch.setattr(passive, "handle_batch", slow_handle)
    for live in _serve(runtime, wechat_api, wechat_passive_seconds=0.2):
        got = live.aes.push(text_xml("o-slow", "优待证怎么办", "2001"), aes=True)
        assert got.status == 200 and got.body == "success"
        sent = wechat_api.wait_for("/message/custom/send")
        time.sleep(0.6)  # nothing else arrives
        assert wechat_api.texts() == [("o-slow", sent[0].body["text"]["content"])]
        assert "建档立卡" in sent[0].body["text"]["content"]


def test_a_long_answer_is_split_under_the_wechat_limit(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intents.turn import Reply

    long_text = "\n".join(f"第{i}条：" + "退役军人优待证政策说明" * 12 for i in range(40))
    monkeypatch.setattr(bot.shell.inbound, "_final_replies", lambda *_: (Reply(long_text),))
    got = live.aes.push(text_xml("o-long", "优待证怎么办", "3001"), aes=True)
    assert got.status == 200 and got.content.startswith("第0条")
    live.api.wait_for("/message/custom/send")
    eventually(lambda: count(live.rt, OutboxMessage, OutboxMessage.status != "sent") == 0)
    pieces = [got.content] + [text for _, text in live.api.texts()]
    assert all(len(p.encode()) <= 2048 for p in pieces)
    assert "\n".join(pieces) == long_text


def test_subscribe_welcomes_with_the_numbered_main_menu(live: Live) -> None:
    got = live.aes.push(event_xml("o-new", "subscribe"), aes=True)
    assert "退役军人服务小助手" in got.content
    assert "1. 优待证办理" in got.content and "6. 转人工" in got.content


def test_a_menu_click_starts_that_service(live: Live) -> None:
    got = live.aes.push(event_xml("o-menu", "CLICK", "card"), aes=True)
    assert "优待证" in got.content and "1. 本人是退役军人" in got.content


def test_media_asks_to_type_and_voice_uses_the_recognition_or_offers_choices(live: Live) -> None:
    image = live.aes.push(
        media_xml("o-media", "image", "4001", PicUrl="http://x/y.jpg", MediaId="m"), aes=True
    )
    assert image.status == 200 and "打字" in image.content
    voice = live.aes.push(
        media_xml(
            "o-media", "voice", "4002", MediaId="m", Format="amr", Recognition="优待证怎么办"
        ),
        aes=True,
    )
    assert "建档立卡" in voice.content
    silent = live.aes.push(
        media_xml("o-media", "voice", "4003", MediaId="m", Format="amr"), aes=True
    )
    assert "打字" not in silent.content  # an elderly person is not told to type
    assert "1. 转人工" in silent.content and "2. 请工作人员给我打电话" in silent.content
    assert "3. 菜单" in silent.content
    chosen = live.aes.push(text_xml("o-media", "2", "4004"), aes=True)
    assert "能接电话的号码" in chosen.content  # the digit is understood: the callback flow


def test_unsubscribe_and_link_clicks_get_success(live: Live) -> None:
    assert live.aes.push(event_xml("o-ev", "unsubscribe"), aes=True).body == "success"
    view = event_xml("o-ev", "VIEW", "https://example.org")
    assert live.aes.push(view, aes=True).body == "success"


# -- staff replies and undeliverable messages ------------------------------------------


def _handoff_ticket(live: Live, openid: str, msg_id: str) -> Ticket:
    live.aes.push(text_xml(openid, "转人工", msg_id), aes=True)
    with live.rt.sessions() as s:
        return s.scalars(select(Ticket)).one()


def _staff_reply(live: Live, ticket_id: int, text: str) -> None:
    with transaction(live.rt.sessions) as s:
        officer = staff_repo.create(s, "wang", "password-123", "staff", "990100")
        send_staff_reply(s, s.get(Ticket, ticket_id), text, officer)  # type: ignore[arg-type]
    live.app.state.delivery.kick()


def test_a_staff_reply_reaches_the_veteran_on_wechat(live: Live) -> None:
    ticket = _handoff_ticket(live, "o-human", "5001")
    _staff_reply(live, ticket.id, "您好，我是服务站小王，明天上午给您回电。")
    live.api.wait_for("/message/custom/send")
    assert live.api.texts() == [
        ("o-human", "【工作人员回复】您好，我是服务站小王，明天上午给您回电。")
    ]
    assert count(live.rt, TicketEvent, TicketEvent.action == "reply") == 1


def test_errcode_45015_marks_the_message_and_the_ticket_undeliverable(live: Live) -> None:
    ticket = _handoff_ticket(live, "o-gone", "6001")
    live.api.fail("/message/custom/send", payload=ERR_45015)
    _staff_reply(live, ticket.id, "请问您方便接电话吗？")
    eventually(lambda: count(live.rt, OutboxMessage, OutboxMessage.status == "undeliverable") == 1)
    with live.rt.sessions() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "undeliverable")).one()
        assert "45015" in row.last_error and row.attempts == 1
        assert s.get(Ticket, ticket.id).undeliverable is True  # type: ignore[union-attr]
        events = [
            e.action
            for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        ]
        assert "undeliverable" in events
    assert live.api.texts() == []


# -- hostile and odd input: never a 500, nothing lost ------------------------------------

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]><xml><ToUserName>gh</ToUserName><FromUserName>o-bomb</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&i;</Content><MsgId>9</MsgId></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-xxe</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>10</MsgId></xml>"
)


def test_a_wrong_signature_is_refused_and_not_processed(
    mode: tuple[Live, WeChatPusher, bool],
) -> None:
    live, pusher, aes = mode
    body, params = pusher.body_and_params(text_xml("o-forged", "优待证怎么办", "7001"), aes=aes)
    res = httpx.post(live.url + "/wechat", params=params | {"signature": "f" * 40}, content=body)
    assert res.status_code == 403
    if aes:
        res = httpx.post(
            live.url + "/wechat", params=params | {"msg_signature": "f" * 40}, content=body
        )
        assert res.status_code == 403
    assert inbound_lines(live.rt, "o-forged") == []


@pytest.mark.parametrize("xml", [BOMB, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_and_dtd_attacks_are_rejected_with_400(
    mode: tuple[Live, WeChatPusher, bool], xml: str
) -> None:
    live, pusher, aes = mode
    got = pusher.push(xml, aes=aes)
    assert got.status == 400
    assert count(live.rt, Message) == 0


def test_a_2mb_body_is_rejected_with_413(live: Live) -> None:
    got = live.plain.push(text_xml("o-big", "优" * 700_000, "8001"))
    assert got.status == 413


def test_odd_messages_get_a_reply_and_are_logged(live: Live) -> None:
    def push(xml: str) -> Any:
        return live.aes.push(xml, aes=True)

    cases = {
        "unknown": push(media_xml("o-odd", "miniprogrampage", "9001", Title="x")),
        "empty": push(text_xml("o-odd", "", "9002")),
        "huge": push(text_xml("o-odd", "我想问优待证" + "啊" * 10_000, "9003")),
        "emoji": push(text_xml("o-odd", "👍🙏 优待证怎么办 🇨🇳", "9004")),
        "garbage": push("<xml><MsgType>text</MsgType></xml>"),
    }
    assert {k: v.status for k, v in cases.items()} == {
        "unknown": 200,
        "empty": 200,
        "huge": 200,
        "emoji": 200,
        "garbage": 400,
    }
    assert "打字" in cases["unknown"].content
    assert "1. 优待证办理" in cases["empty"].content
    assert cases["huge"].content
    assert "建档立卡" in cases["emoji"].content
    lines = inbound_lines(live.rt, "o-odd")
    assert len(lines) == 3  # empty, huge and emoji went through the engine and were logged
    assert lines[1].startswith("我想问优待证啊")
    assert "👍" in lines[2] or "优待证怎么办" in lines[2]


def test_menu_apply_sets_three_buttons_with_the_engines_keys(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app as cli

    for key, value in wechat_settings(wechat_api.base).items():  # type: ignore[attr-defined]
        monkeypatch.setenv(f"VETBOT_{key.upper()}", str(value))
    monkeypatch.setenv("VETBOT_DATABASE_URL", runtime.settings.database_url)
    result = CliRunner().invoke(cli, ["wechat", "menu", "--apply"])
    assert result.exit_code == 0, result.output
    [call] = wechat_api.delivered("/menu/create")
    buttons = call.body["button"]
    assert len(buttons) == 3
    keys = [b["key"] for top in buttons for b in top.get("sub_button", [top])]
    assert keys == ["card", "survival_cert", "lookup", "policy", "petition", "handoff"]

"""The durable inbox: nothing acknowledged is lost, nothing is answered twice (SQLite and
PostgreSQL, real HTTP on uvicorn, fake WeChat and Telegram APIs)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fakes import FakeTelegram, FakeWeChat, serve_app
from fakes.setup import (
    TELEGRAM_SECRET,
    WECHAT_AES_KEY,
    WECHAT_APPID,
    WECHAT_TOKEN,
    eventually,
    telegram_settings,
    wechat_settings,
    with_settings,
)
from fakes.wechat_push import WeChatPusher, text_xml
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

import bot.channels.wechat.passive as passive
import bot.shell.inbound as shell
from bot.app import create_app
from bot.channels.telegram.channel import SECRET_HEADER, webhook_path
from bot.process.runtime import Runtime
from bot.shell import inbox
from db.models import Conversation, InboxMessage, Message, OutboxMessage, Ticket
from db.session import transaction
from intents.turn import Inbound

LATER = dt.timedelta(minutes=1)  # past every lease: the drain may take a message back


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChat]:
    api = FakeWeChat()
    api.base = api.start()  # type: ignore[attr-defined]
    yield api
    api.stop()


@contextmanager
def wechat_server(runtime: Runtime, api: FakeWeChat, **extra: Any) -> Iterator[WeChatPusher]:
    settings = wechat_settings(api.base, aes=True) | {"inbox_drain_seconds": 0.1} | extra  # type: ignore[attr-defined]
    app = create_app(runtime=with_settings(runtime, **settings))
    now = lambda: int(runtime.clock.now().timestamp())  # noqa: E731 — WeChat signs with the app's clock
    with serve_app(app) as url:
        yield WeChatPusher(url, WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY, now=now)


def count(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def inbox_status(rt: Runtime) -> list[str]:
    with rt.sessions() as s:
        return list(s.scalars(select(InboxMessage.status).order_by(InboxMessage.id)))


def slow_engine(monkeypatch: pytest.MonkeyPatch, seconds: float, fail: bool = False) -> None:
    """The engine takes longer than the passive window (and, with ``fail``, the database
    goes away before its transaction commits)."""
    real = passive.handle_batch

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        if fail:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(passive, "handle_batch", slow)


# -- WeChat -----------------------------------------------------------------------------


def test_success_is_said_only_for_a_stored_message_and_a_restart_finishes_it(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_engine(monkeypatch, 0.5, fail=True)
    with wechat_server(runtime, wechat_api, wechat_passive_seconds=0.2) as wx:
        got = wx.push(text_xml("o-crash", "转人工", "10001"), aes=True)
        assert got.status == 200 and got.body == "success"
        time.sleep(0.6)  # the step failed after 'success': nothing of it was committed
    assert count(runtime, Conversation) == 0 and inbox_status(runtime) == ["pending"]
    monkeypatch.undo()

    with wechat_server(runtime, wechat_api):  # the restarted server
        runtime.clock.advance(LATER)  # type: ignore[attr-defined]
        sent = wechat_api.wait_for("/message/custom/send")
        assert sent[0].body["touser"] == "o-crash" and "人工" in sent[0].body["text"]["content"]
        eventually(lambda: inbox_status(runtime) == ["done"])
    assert count(runtime, Ticket) == 1
    assert len(wechat_api.texts()) == 1


def test_a_late_answer_is_not_sent_again_as_a_passive_reply_when_wechat_retries(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_engine(monkeypatch, 0.6)
    with wechat_server(runtime, wechat_api, wechat_passive_seconds=0.2) as wx:
        xml = text_xml("o-late", "优待证需要什么材料", "10002")
        assert wx.push(xml, aes=True).body == "success"
        wechat_api.wait_for("/message/custom/send")
        retry = wx.push(xml, aes=True)
        assert retry.status == 200 and retry.body == "success"  # not the answer a second time
        time.sleep(0.5)
    assert len(wechat_api.texts()) == 1


def test_a_message_is_stored_before_the_engine_runs_and_erased_once_handled(
    runtime: Runtime, wechat_api: FakeWeChat
) -> None:
    with wechat_server(runtime, wechat_api) as wx:
        got = wx.push(text_xml("o-inbox", "我的身份证号11010519491231002X", "10003"), aes=True)
        assert got.status == 200 and got.content
    with runtime.sessions() as s:
        row = s.scalars(select(InboxMessage)).one()
    assert (row.channel, row.user_id, row.status, row.answer) == (
        "wechat",
        "o-inbox",
        "done",
        "reply",
    )
    assert row.payload == ""  # nothing the veteran typed is kept once handled


def test_an_unstorable_message_gets_503_so_wechat_retries(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_down(*_: Any, **__: Any) -> None:
        raise PoolTimeout("QueuePool limit reached")

    monkeypatch.setattr(inbox, "receive", database_down)
    with wechat_server(runtime, wechat_api) as wx:
        got = wx.push(text_xml("o-down", "优待证怎么办", "10004"), aes=True)
    assert got.status == 503 and got.body != "success"
    assert count(runtime, Message) == 0


def test_engine_threads_survive_a_pool_timeout_and_the_message_is_finished_later(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = passive.handle_batch
    calls: list[int] = []

    def stall_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # a database stall longer than the pool timeout
            raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")
        return real(*args, **kwargs)

    monkeypatch.setattr(passive, "handle_batch", stall_once)
    with wechat_server(runtime, wechat_api) as wx:
        first = wx.push(text_xml("o-stall", "转人工", "10005"), aes=True)
        assert first.body == "success"  # it is in the inbox: the drain finishes it
        after = wx.push(text_xml("o-after", "优待证怎么办", "10006"), aes=True)
        assert after.status == 200 and "建档立卡" in after.content  # the engine still runs
        runtime.clock.advance(LATER)  # type: ignore[attr-defined]
        sent = wechat_api.wait_for("/message/custom/send")
    assert sent[0].body["touser"] == "o-stall"
    assert count(runtime, Ticket) == 1


def test_a_long_answer_sent_passively_queues_its_rest_in_the_same_transaction(
    runtime: Runtime, wechat_api: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intents.turn import Reply

    long_text = "\n".join(f"第{i}条：" + "退役军人优待证政策说明" * 12 for i in range(20))
    monkeypatch.setattr(shell, "_final_replies", lambda *_: (Reply(long_text),))
    with wechat_server(runtime, wechat_api, outbox_worker=False) as wx:
        got = wx.push(text_xml("o-long", "优待证怎么办", "10007"), aes=True)
        assert got.content.startswith("第0条")
        rest = count(runtime, OutboxMessage, OutboxMessage.recipient == "o-long")
        assert rest >= 1  # committed with the answer: no window where a crash loses it
        again = wx.push(text_xml("o-long", "优待证怎么办", "10007"), aes=True)
        assert again.content == got.content
    assert count(runtime, OutboxMessage, OutboxMessage.recipient == "o-long") == rest


# -- Telegram and the web chat ---------------------------------------------------------


def test_a_telegram_update_that_failed_is_finished_from_the_inbox(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.channels.telegram.channel as tg_channel

    real = tg_channel.handle
    failing = {"on": True}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failing["on"]:
            raise PoolTimeout("stall")
        return real(*args, **kwargs)

    monkeypatch.setattr(tg_channel, "handle", flaky)
    tg = FakeTelegram()
    base = tg.start()
    rt = with_settings(runtime, **telegram_settings(base), inbox_drain_seconds=0.1)
    try:
        with serve_app(create_app(runtime=rt)) as url:
            update = {
                "update_id": 7001,
                "message": {
                    "message_id": 1,
                    "date": 1_700_000_000,
                    "chat": {"id": 601, "type": "private"},
                    "from": {"id": 601, "is_bot": False, "first_name": "老兵"},
                    "text": "优待证怎么办",
                },
            }
            res = httpx.post(
                f"{url}/telegram/{webhook_path(TELEGRAM_SECRET)}",
                json=update,
                headers={SECRET_HEADER: TELEGRAM_SECRET},
                timeout=30,
            )
            assert res.status_code == 500
            assert inbox_status(runtime) == ["pending"]
            failing["on"] = False
            runtime.clock.advance(LATER)  # type: ignore[attr-defined]
            tg.wait_for("/sendMessage")
            assert "建档立卡" in tg.messages(601)[0]["text"]
    finally:
        tg.stop()
    assert inbox_status(runtime) == ["done"]


def test_a_web_message_sent_again_with_its_id_is_answered_once(runtime: Runtime) -> None:
    from starlette.testclient import TestClient

    with TestClient(create_app(runtime=runtime)) as client:
        client.get("/chat")
        first = client.post("/chat/send", json={"text": "转人工", "id": "m-1"}).json()
        again = client.post("/chat/send", json={"text": "转人工", "id": "m-1"}).json()
        other = client.post("/chat/send", json={"text": "优待证怎么办", "id": "m-2"}).json()

    def seen(reply: dict) -> list[tuple[str, list[str]]]:  # what the veteran sees
        return [(r["text"], r["options"]) for r in reply["replies"]]

    assert seen(again) == seen(first) and seen(other) != seen(first)
    assert count(runtime, Message, Message.direction == "in") == 2
    assert count(runtime, Ticket) == 1


# -- the inbox itself --------------------------------------------------------------------


def _inbound(rt: Runtime, user: str, text: str = "优待证怎么办") -> Inbound:
    return Inbound(channel="web", user_id=user, text=text, at=rt.clock.now())


def test_take_due_waits_for_the_lease_and_takes_each_message_once(runtime: Runtime) -> None:
    inbox.receive(
        runtime, [(_inbound(runtime, "w-a"), "w-a:1"), (_inbound(runtime, "w-b"), "w-b:1")]
    )
    assert inbox.take_due(runtime) == []  # the receiving process is still on them
    runtime.clock.advance(LATER)  # type: ignore[attr-defined]
    taken = inbox.take_due(runtime)
    assert [(p.key, p.inbound.text, p.attempts) for p in taken] == [
        ("w-a:1", "优待证怎么办", 1),
        ("w-b:1", "优待证怎么办", 1),
    ]
    assert inbox.take_due(runtime) == []  # leased again to whoever took them


def test_a_retried_message_that_is_pending_gets_a_fresh_lease_and_a_done_one_stays_done(
    runtime: Runtime,
) -> None:
    message = _inbound(runtime, "w-c")
    inbox.receive(runtime, [(message, "w-c:1")])
    runtime.clock.advance(LATER)  # type: ignore[attr-defined]
    inbox.receive(runtime, [(message, "w-c:1")])  # the sender retried: this process has it
    assert inbox.take_due(runtime) == []
    shell.handle(runtime, message, dedupe_key="w-c:1")
    runtime.clock.advance(LATER)  # type: ignore[attr-defined]
    inbox.receive(runtime, [(message, "w-c:1")])
    assert inbox_status(runtime) == ["done"] and inbox.take_due(runtime) == []


def test_a_message_that_keeps_failing_is_given_up_and_the_veteran_told(runtime: Runtime) -> None:
    inbox.receive(runtime, [(_inbound(runtime, "w-d"), "w-d:1")])
    for _ in range(inbox.MAX_ATTEMPTS):
        runtime.clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
        assert len(inbox.take_due(runtime)) == 1
    runtime.clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    assert inbox.take_due(runtime) == []
    assert inbox_status(runtime) == ["failed"]
    with transaction(runtime.sessions) as s:
        [apology] = s.scalars(select(OutboxMessage)).all()
        assert apology.recipient == "w-d" and "没能处理" in apology.text

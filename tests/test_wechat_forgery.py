"""WeChat messages cannot be forged or crossed (issue 13 §2), over real HTTP on uvicorn.

The outer ``signature`` covers only token, timestamp and nonce — never the body. A
triple copied from a log line must not post as anyone, a stale or future timestamp is
refused, safe mode accepts only encrypted posts, and two users whose messages share a
MsgId each get their own answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fakes import FakeWeChat, serve_app
from fakes.setup import WECHAT_AES_KEY, WECHAT_APPID, WECHAT_TOKEN, wechat_settings, with_settings
from fakes.wechat_push import WeChatPusher, event_xml, text_xml
from sqlalchemy import func, select

from bot.app import create_app
from bot.process.runtime import Runtime
from db.models import Conversation, Message

QUESTION = "优待证怎么办"  # answered with 建档立卡
GREETING = "你好"  # answered with the menu


@dataclass
class Server:
    url: str
    rt: Runtime
    plain: WeChatPusher  # signs only (明文模式)
    aes: WeChatPusher  # signs and encrypts (安全模式)

    def at(self, seconds_off: int) -> WeChatPusher:
        """A pusher whose clock is ``seconds_off`` from the app's."""
        return dataclasses.replace(self.aes, now=lambda: self._now() + seconds_off)

    def _now(self) -> int:
        return int(self.rt.clock.now().timestamp())


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChat]:
    api = FakeWeChat()
    api.base = api.start()  # type: ignore[attr-defined]
    yield api
    api.stop()


@contextmanager
def serve(runtime: Runtime, api: FakeWeChat, aes: bool, **extra: Any) -> Iterator[Server]:
    rt = with_settings(runtime, **wechat_settings(api.base, aes=aes), **extra)  # type: ignore[attr-defined]
    with serve_app(create_app(runtime=rt)) as url:
        now = lambda: int(rt.clock.now().timestamp())  # noqa: E731
        yield Server(
            url,
            rt,
            WeChatPusher(url, WECHAT_TOKEN, now=now),
            WeChatPusher(url, WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY, now=now),
        )


@pytest.fixture
def safe(runtime: Runtime, wechat_api: FakeWeChat) -> Iterator[Server]:
    with serve(runtime, wechat_api, aes=True) as server:
        yield server


@pytest.fixture
def plain(runtime: Runtime, wechat_api: FakeWeChat) -> Iterator[Server]:
    with serve(runtime, wechat_api, aes=False) as server:
        yield server


def lines(rt: Runtime, openid: str) -> list[str]:
    with rt.sessions() as s:
        stmt = (
            select(Message.text)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.user_id == openid, Message.direction == "in")
        )
        return list(s.scalars(stmt))


def post(server: Server, params: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(server.url + "/wechat", params=params, content=body, timeout=30)


# -- safe mode ---------------------------------------------------------------------------


def test_safe_mode_refuses_a_signed_plaintext_post(safe: Server) -> None:
    got = safe.plain.push(text_xml("o-victim", "转人工", "10001"))
    assert got.status == 403
    assert lines(safe.rt, "o-victim") == []
    assert safe.aes.push(text_xml("o-victim", QUESTION, "10002"), aes=True).status == 200


def test_safe_mode_checks_msg_signature_over_the_ciphertext(safe: Server) -> None:
    body, params = safe.aes.body_and_params(text_xml("o-a", QUESTION, "10003"), aes=True)
    other, _ = safe.aes.body_and_params(text_xml("o-victim", "转人工", "10004"), aes=True)
    assert post(safe, params, other).status_code == 403  # the triple, another ciphertext
    assert post(safe, params | {"msg_signature": ""}, body).status_code == 403
    assert lines(safe.rt, "o-victim") == []


# -- a signature triple copied from a log --------------------------------------------------


def test_a_copied_signature_triple_cannot_sign_another_message(plain: Server) -> None:
    body, params = plain.plain.body_and_params(text_xml("o-real", QUESTION, "20001"), aes=False)
    assert post(plain, params, body).status_code == 200
    forged = text_xml("o-victim", "转人工", "20002").encode()
    assert post(plain, params, forged).status_code == 403
    assert lines(plain.rt, "o-victim") == []


def test_wechats_own_retry_with_the_same_nonce_gets_the_same_answer(plain: Server) -> None:
    body, params = plain.plain.body_and_params(text_xml("o-retry", QUESTION, "20003"), aes=False)
    first, again = post(plain, params, body), post(plain, params, body)
    assert first.status_code == again.status_code == 200
    answers = [plain.plain.decode(r.text, params)["Content"] for r in (first, again)]
    assert answers[0] == answers[1] and "建档立卡" in answers[0]
    assert len(lines(plain.rt, "o-retry")) == 1


def test_a_nonce_used_on_one_worker_is_refused_on_another(
    runtime: Runtime, wechat_api: FakeWeChat
) -> None:
    with ExitStack() as stack:
        one, two = (stack.enter_context(serve(runtime, wechat_api, aes=False)) for _ in "12")
        body, params = one.plain.body_and_params(text_xml("o-w", QUESTION, "20004"), aes=False)
        assert post(one, params, body).status_code == 200
        forged = text_xml("o-victim", "转人工", "20005").encode()
        assert post(two, params, forged).status_code == 403
    assert lines(runtime, "o-victim") == []


# -- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds_off",
    [-3 * 86400, 3 * 86400, -301, 301],
    ids=["3d-old", "3d-ahead", "301s-old", "301s-ahead"],
)
def test_a_stale_or_future_timestamp_is_refused(safe: Server, seconds_off: int) -> None:
    got = safe.at(seconds_off).push(text_xml("o-late", QUESTION, "30001"), aes=True)
    assert got.status == 403
    assert lines(safe.rt, "o-late") == []


def test_a_timestamp_a_few_minutes_off_is_accepted(safe: Server) -> None:
    assert safe.at(-290).push(text_xml("o-skew", QUESTION, "30002"), aes=True).status == 200
    assert safe.at(290).push(text_xml("o-skew", QUESTION, "30003"), aes=True).status == 200


def test_the_window_is_a_setting(runtime: Runtime, wechat_api: FakeWeChat) -> None:
    with serve(runtime, wechat_api, aes=True, wechat_max_age_seconds=60) as server:
        assert server.at(-100).push(text_xml("o-w60", QUESTION, "30004"), aes=True).status == 403
        assert server.at(-50).push(text_xml("o-w60", QUESTION, "30005"), aes=True).status == 200


def test_the_window_follows_the_runtime_clock(safe: Server) -> None:
    old = safe.at(0)
    body, params = old.body_and_params(text_xml("o-clock", QUESTION, "30006"), aes=True)
    safe.rt.clock.advance(dt.timedelta(minutes=10))  # type: ignore[attr-defined]
    assert post(safe, params, body).status_code == 403


# -- MsgId collisions ----------------------------------------------------------------------


def test_two_users_with_the_same_msgid_each_get_their_own_answer(safe: Server) -> None:
    first = safe.aes.push(text_xml("o-alice", QUESTION, "40001"), aes=True)
    second = safe.aes.push(text_xml("o-bob", GREETING, "40001"), aes=True)
    assert "建档立卡" in first.content
    assert "建档立卡" not in second.content and "优待证办理" in second.content  # the menu
    assert second.fields["ToUserName"] == "o-bob"
    assert lines(safe.rt, "o-bob") == [GREETING]


def test_events_are_deduplicated_by_user_and_create_time(safe: Server) -> None:
    def subscribe(openid: str) -> None:
        safe.aes.push(event_xml(openid, "subscribe", create_time=1_700_000_000), aes=True)

    subscribe("o-e1")
    subscribe("o-e1")  # WeChat's retry of the same event
    subscribe("o-e2")  # another user, same second
    assert lines(safe.rt, "o-e1") == ["[subscribe]"]
    assert lines(safe.rt, "o-e2") == ["[subscribe]"]
    with safe.rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 4  # 2 in, 2 out

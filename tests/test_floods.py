"""Floods (issue 13 §5): one person repeating a crisis message, sending too fast, or
guessing a ticket's lookup code from fresh conversations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fakes.setup import with_settings
from sqlalchemy import func, select
from starlette.testclient import TestClient

import bot.shell.inbound
from bot.app import create_app
from bot.process.runtime import Runtime
from bot.shell.effects import EffectContext, apply_all
from bot.shell.inbound import handle
from db import conversations
from db.models import Conversation, Message, OutboxMessage, Ticket, TicketEvent
from db.session import make_engine, session_factory, transaction
from intents.turn import Inbound, OpenTicket

CRISIS = "活着没意思，我不想活了"


def say(rt: Runtime, user: str, text: str, channel: str = "wechat", n: int = 0) -> str:
    inbound = Inbound(channel, user, text, rt.clock.now(), msg_id=f"{user}-{n}")
    return handle(rt, inbound, dedupe_key=f"{user}-{n}-{text}").text()


def crisis_tickets(rt: Runtime) -> list[Ticket]:
    with rt.sessions() as s:
        return list(s.scalars(select(Ticket).where(Ticket.kind == "crisis").order_by(Ticket.id)))


def staff_alarms(rt: Runtime) -> int:
    with rt.sessions() as s:
        stmt = select(func.count()).select_from(OutboxMessage)
        return int(s.scalar(stmt.where(OutboxMessage.channel == "staff")) or 0)


def test_the_same_crisis_message_twenty_times_is_one_urgent_case_staff_hear_of_once(
    runtime: Runtime,
) -> None:
    answers = [say(runtime, "o-crisis", CRISIS + "。" * i, n=i) for i in range(20)]
    assert all("12356" in a for a in answers)  # every message still gets the care answer
    [ticket] = crisis_tickets(runtime)
    assert ticket.urgent
    assert staff_alarms(runtime) == 1
    with runtime.sessions() as s:
        notes = list(
            s.scalars(
                select(TicketEvent.note).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.action == "message"
                )
            )
        )
    assert len(notes) == 19 and all("不想活了" in n for n in notes)


def test_another_person_or_a_closed_case_gets_its_own_urgent_ticket(runtime: Runtime) -> None:
    say(runtime, "o-a", CRISIS, n=1)
    say(runtime, "o-b", CRISIS, n=1)
    assert len(crisis_tickets(runtime)) == 2
    with transaction(runtime.sessions) as s:
        s.get(Ticket, crisis_tickets(runtime)[0].id).status = "closed"  # type: ignore[union-attr]
    say(runtime, "o-a", CRISIS, n=2)
    assert len(crisis_tickets(runtime)) == 3
    assert staff_alarms(runtime) == 3


def test_a_crisis_two_days_after_the_first_alarm_alarms_again(runtime: Runtime) -> None:
    say(runtime, "o-c", CRISIS, n=1)
    runtime.clock.advance(dt.timedelta(days=2))  # type: ignore[attr-defined]
    say(runtime, "o-c", CRISIS, n=2)
    assert len(crisis_tickets(runtime)) == 2 and staff_alarms(runtime) == 2


# -- per-user rate limit -----------------------------------------------------------------


def flood(rt: Runtime, user: str, n: int, channel: str = "wechat", start: int = 0) -> list[str]:
    return [say(rt, user, f"优待证怎么办 {i}", channel, n=i) for i in range(start, start + n)]


def intents_logged(rt: Runtime, user: str) -> list[str | None]:
    with rt.sessions() as s:
        stmt = (
            select(Message.intent)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.user_id == user, Message.direction == "in")
            .order_by(Message.id)
        )
        return list(s.scalars(stmt))


def test_a_hundred_messages_in_a_minute_run_the_engine_twenty_times(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    real_step = bot.shell.inbound.step
    monkeypatch.setattr(bot.shell.inbound, "step", lambda *a: runs.append(1) or real_step(*a))
    answers = flood(runtime, "o-flood", 100)
    assert len(runs) == 20
    assert all("建档立卡" in a for a in answers[:20])
    assert all(a.startswith("您发得太快了，请稍后再发") for a in answers[20:])
    assert "110" in answers[-1] and "12356" in answers[-1]  # help in an emergency is still named
    assert intents_logged(runtime, "o-flood")[20:] == ["rate_limited"] * 80  # still logged
    runtime.clock.advance(dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    assert "建档立卡" in say(runtime, "o-flood", "优待证怎么办", n=100)


def test_the_count_is_shared_by_every_worker(runtime: Runtime) -> None:
    other = dataclasses.replace(runtime, engine=make_engine(runtime.settings.database_url))
    other.sessions = session_factory(other.engine)
    try:
        answers = [say((runtime, other)[i % 2], "o-two", f"你好 {i}", n=i) for i in range(30)]
    finally:
        other.engine.dispose()
    assert sum(a.startswith("您发得太快了") for a in answers) == 10


def test_other_users_and_the_cli_are_not_held_up(runtime: Runtime) -> None:
    flood(runtime, "o-noisy", 25)
    assert "建档立卡" in say(runtime, "o-quiet", "优待证怎么办")
    assert not any(a.startswith("您发得太快了") for a in flood(runtime, "ops", 25, channel="cli"))


def test_a_crisis_message_is_never_turned_away(runtime: Runtime) -> None:
    flood(runtime, "o-upset", 25)
    answer = say(runtime, "o-upset", CRISIS, n=99)
    assert "12356" in answer and not answer.startswith("您发得太快了")
    assert len(crisis_tickets(runtime)) == 1


def test_the_limit_is_a_setting(runtime: Runtime) -> None:
    five = with_settings(runtime, rate_limit_per_minute=5)
    assert sum(a.startswith("您发得太快了") for a in flood(five, "o-five", 8)) == 3
    off = with_settings(runtime, rate_limit_per_minute=0)
    assert not any(a.startswith("您发得太快了") for a in flood(off, "o-off", 30))


def test_where_each_reply_is_an_api_call_the_notice_is_sent_once_per_minute(
    runtime: Runtime,
) -> None:
    for i in range(40):
        inbound = Inbound("telegram", "4242", f"你好 {i}", runtime.clock.now())
        handle(runtime, inbound, dedupe_key=f"u{i}", queue_replies=True)
    with runtime.sessions() as s:
        texts = list(s.scalars(select(OutboxMessage.text).where(OutboxMessage.recipient == "4242")))
    assert sum(t.startswith("您发得太快了") for t in texts) == 1
    assert len(texts) == 21


def test_a_retried_message_is_not_counted_twice(runtime: Runtime) -> None:
    for _ in range(30):
        inbound = Inbound("wechat", "o-retry", "优待证怎么办", runtime.clock.now())
        assert "建档立卡" in handle(runtime, inbound, dedupe_key="m:o-retry:1").text()


# -- web chat and /api/ask: per client address --------------------------------------------


def test_new_web_chat_cookies_do_not_escape_the_address_limit(runtime: Runtime) -> None:
    rt = with_settings(runtime, web_rate_limit_per_minute=10, rate_limit_per_minute=100)
    with TestClient(create_app(runtime=rt)) as client:
        codes = []
        for i in range(15):
            client.cookies.clear()
            client.get("/chat")  # a fresh identity each time
            codes.append(client.post("/chat/send", json={"text": f"你好 {i}"}).status_code)
        refused = client.post("/chat/send", json={"text": "你好"})
        assert codes == [200] * 10 + [429] * 5
        assert refused.json()["error"].startswith("您发得太快了")
        assert refused.headers["retry-after"] == "60"
        assert [client.post("/api/ask", json={"q": "你好"}).status_code for _ in range(2)] == [
            429,
            429,
        ]


def test_api_ask_is_limited_per_address(runtime: Runtime) -> None:
    rt = with_settings(runtime, web_rate_limit_per_minute=5)
    with TestClient(create_app(runtime=rt)) as client:
        codes = [client.post("/api/ask", json={"q": "优待证"}).status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3


def test_one_web_cookie_is_limited_like_any_user(runtime: Runtime) -> None:
    with TestClient(create_app(runtime=runtime)) as client:
        client.get("/chat")
        texts = [
            client.post("/chat/send", json={"text": f"优待证怎么办{i}"}).json()["replies"][0][
                "text"
            ]
            for i in range(25)
        ]
    assert sum(t.startswith("您发得太快了") for t in texts) == 5


# -- 查询进度: wrong codes counted per ticket -----------------------------------------------


def petition(rt: Runtime) -> tuple[str, str]:
    """A petition as the bot files it: (number, lookup code)."""
    with transaction(rt.sessions) as s:
        conv = conversations.get_or_create(s, "wechat", "o-owner")
        ec = EffectContext(s, rt.ctx, rt.vault, conv, rt.clock.today(), "wechat")
        pii = {"name": "张三丰", "phone": "13812345678"}
        effect = OpenTicket("petition", "990101001", "抚恤金未到账", category="抚恤", pii=pii)
        applied = apply_all(ec, (effect,))
        return applied.tickets[0].number, applied.secrets[0]


def lookup(rt: Runtime, user: str, number: str, code: str) -> str:
    say(rt, user, "查询进度", "web", n=1)
    say(rt, user, number, "web", n=2)
    return say(rt, user, code, "web", n=3)


def test_fresh_cookies_cannot_keep_guessing_one_tickets_code(runtime: Runtime) -> None:
    number, code = petition(runtime)
    assert "当前状态" in lookup(runtime, "w-owner", number, code)
    for n in range(5):  # five fresh web-chat identities, one wrong guess each
        assert "对不上" in lookup(runtime, f"w-guess{n}", number, f"WRONG{n}")
    refused = lookup(runtime, "w-guess9", number, code)  # even the right code now
    assert "当前状态" not in refused and "查询已暂停" in refused
    runtime.clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    assert "当前状态" in lookup(runtime, "w-later", number, code)


def test_guesses_on_another_number_do_not_lock_this_one(runtime: Runtime) -> None:
    number, code = petition(runtime)
    for n in range(6):
        lookup(runtime, f"w-other{n}", "XF-20261209-0999", f"WRONG{n}")
    assert "当前状态" in lookup(runtime, "w-owner", number, code)

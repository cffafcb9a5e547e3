"""The outbox worker: retries with backoff, permanent errors, several workers at once,
one shared access-token refresh, and the staff notification fan-out (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fakes import FakeWeChat
from fakes.wechat_api import ERR_45015
from sqlalchemy import select, update

from bot.delivery.clients import OfficialAccountClient
from bot.delivery.notifications import notify_unit
from bot.delivery.outbox import RetryPolicy
from bot.delivery.senders import WeChatSender
from bot.delivery.tokens import TokenCache
from bot.delivery.worker import OutboxWorker
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db import tickets
from db.models import ApiToken, OutboxMessage, Staff, Ticket, utcnow
from db.session import make_engine, session_factory, transaction

FAST = RetryPolicy(max_attempts=4, base_seconds=0.01, jitter=0.0)


@pytest.fixture
def api() -> Iterator[FakeWeChat]:
    fake = FakeWeChat()
    fake.base = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


def client(rt: Runtime, api: FakeWeChat, timeout: float = 5.0) -> OfficialAccountClient:
    return OfficialAccountClient(
        "wxapp", "secret", api.base + "/cgi-bin/", TokenCache(rt.sessions), timeout=timeout
    )  # type: ignore[attr-defined]


def worker(
    rt: Runtime, api: FakeWeChat, policy: RetryPolicy = FAST, timeout: float = 5.0
) -> OutboxWorker:
    return OutboxWorker(
        rt.sessions, {"wechat": WeChatSender(client(rt, api, timeout))}, rt.ctx.regions, policy
    )


def add_rows(rt: Runtime, rows: list[tuple[str, str]], ticket_id: int | None = None) -> None:
    with transaction(rt.sessions) as s:
        for recipient, text in rows:
            s.add(
                OutboxMessage(
                    channel="wechat",
                    recipient=recipient,
                    kind="message",
                    text=text,
                    ticket_id=ticket_id,
                )
            )


def drain(w: OutboxWorker, passes: int = 50) -> None:
    async def go() -> None:
        for _ in range(passes):
            if not await w.run_once():
                await asyncio.sleep(0.03)

    asyncio.run(go())


def rows(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=2, cap_seconds=30, jitter=0)
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]


def test_5xx_and_timeouts_are_retried_and_the_message_sent_once(
    runtime: Runtime, api: FakeWeChat
) -> None:
    add_rows(runtime, [("o-1", "您好")])
    api.fail("/message/custom/send", status=502)
    api.fail(
        "/message/custom/send", delay=1.0, status=504
    )  # longer than the client's timeout; not delivered
    drain(worker(runtime, api, timeout=0.3))
    [row] = rows(runtime)
    assert row.status == "sent" and row.attempts == 3
    assert api.texts() == [("o-1", "您好")]


def test_giving_up_after_max_attempts_flags_the_ticket(runtime: Runtime, api: FakeWeChat) -> None:
    with transaction(runtime.sessions) as s:
        ticket = tickets.create(
            s,
            runtime.vault,
            tickets.NewTicket("consultation", "990100", "咨询", dt.date(2025, 3, 3)),
        )
    add_rows(runtime, [("o-2", "回复")], ticket_id=ticket.id)
    api.fail("/message/custom/send", times=10, status=500)
    drain(worker(runtime, api))
    [row] = rows(runtime)
    assert row.status == "failed" and row.attempts == FAST.max_attempts
    with runtime.sessions() as s:
        assert s.get(Ticket, ticket.id).undeliverable is True  # type: ignore[union-attr]
    assert api.texts() == []


def test_45015_is_permanent_no_retry(runtime: Runtime, api: FakeWeChat) -> None:
    add_rows(runtime, [("o-3", "回复")])
    api.fail("/message/custom/send", payload=ERR_45015)
    drain(worker(runtime, api))
    [row] = rows(runtime)
    assert row.status == "undeliverable" and row.attempts == 1 and "45015" in row.last_error


def test_a_partly_sent_long_message_resumes_without_repeating(
    runtime: Runtime, api: FakeWeChat
) -> None:
    text = "\n".join(f"第{i}段" + "说明" * 300 for i in range(3))  # three pieces over 2048 bytes
    add_rows(runtime, [("o-4", text)])
    api.fail("/message/custom/send", status=500)  # the first piece fails once
    drain(worker(runtime, api))
    pieces = [t for _, t in api.texts()]
    assert [p[:3] for p in pieces] == ["第0段", "第1段", "第2段"]


def test_several_workers_send_every_row_exactly_once_in_order(
    runtime: Runtime, api: FakeWeChat
) -> None:
    add_rows(runtime, [(f"o-{i % 10}", f"msg {i}") for i in range(60)])
    engines = [make_engine(runtime.settings.database_url) for _ in range(3)]  # three "processes"
    workers = [
        OutboxWorker(
            session_factory(e),
            {"wechat": WeChatSender(client(runtime, api))},
            runtime.ctx.regions,
            FAST,
        )
        for e in engines
    ]

    async def go() -> None:
        await asyncio.gather(*(asyncio.to_thread(drain, w, 40) for w in workers))

    asyncio.run(go())
    for e in engines:
        e.dispose()
    sent = api.texts()
    assert sorted(t for _, t in sent) == sorted(f"msg {i}" for i in range(60))  # each once
    for user in range(10):
        mine = [int(t.split()[1]) for o, t in sent if o == f"o-{user}"]
        assert mine == sorted(mine)  # per-recipient order kept
    assert {r.status for r in rows(runtime)} == {"sent"}


def test_a_row_left_sending_by_a_dead_worker_is_taken_over(
    runtime: Runtime, api: FakeWeChat
) -> None:
    add_rows(runtime, [("o-5", "仍要送达")])
    with transaction(runtime.sessions) as s:
        s.execute(
            update(OutboxMessage).values(
                status="sending", attempts=1, next_attempt_at=utcnow() - dt.timedelta(seconds=1)
            )
        )
    drain(worker(runtime, api))
    assert api.texts() == [("o-5", "仍要送达")]


def test_the_access_token_is_fetched_once_for_all_workers(
    runtime: Runtime, api: FakeWeChat
) -> None:
    engines = [make_engine(runtime.settings.database_url) for _ in range(4)]
    clients = [
        OfficialAccountClient(
            "wxapp", "secret", api.base + "/cgi-bin/", TokenCache(session_factory(e))
        )  # type: ignore[attr-defined]
        for e in engines
    ]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: c[1].message.send_text(f"o-{c[0]}", "hi"), enumerate(clients)))
    assert api.token_fetches() == 1
    # the platform invalidates the token (40001): one refresh, shared by everyone
    with transaction(runtime.sessions) as s:
        s.execute(update(ApiToken).values(value="revoked-token"))
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: c[1].message.send_text(f"o-{c[0]}", "again"), enumerate(clients)))
    assert api.token_fetches() == 2
    assert len([t for t in api.texts() if t[1] == "again"]) == 4
    for e in engines:
        e.dispose()


def _staff(rt: Runtime) -> None:
    with transaction(rt.sessions) as s:
        for name, role, region, duty in [
            ("town", "staff", "990101", False),
            ("county", "staff", "990100", False),
            ("chief", "supervisor", "990100", False),
            ("duty", "staff", "990100", True),
            ("other", "staff", "990102", False),
            ("nochan", "staff", "990101", False),
        ]:
            person = staff_repo.create(s, name, "password-123", role, region)
            person.on_duty = duty
            person.telegram_chat_id = None if name == "nochan" else str(100 + len(name))
            person.wecom_userid = f"wc-{name}" if name != "nochan" else None
            person.notify_via = "wecom"


def _fanned(rt: Runtime) -> list[str]:
    with rt.sessions() as s:
        return sorted(
            r.recipient
            for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "wecom"))
        )


def test_a_unit_notification_reaches_its_staff_and_those_above(
    runtime: Runtime, api: FakeWeChat
) -> None:
    _staff(runtime)
    with transaction(runtime.sessions) as s:
        notify_unit(s, "990101", "新工单 ZX-1：咨询优待证")
    w = OutboxWorker(
        runtime.sessions, {"wecom": WeChatSender(client(runtime, api))}, runtime.ctx.regions, FAST
    )
    asyncio.run(w.run_once())
    assert _fanned(runtime) == ["wc-chief", "wc-county", "wc-duty", "wc-town"]  # not the other town


def test_a_crisis_goes_to_the_duty_officer_and_supervisors(
    runtime: Runtime, api: FakeWeChat
) -> None:
    _staff(runtime)
    with transaction(runtime.sessions) as s:
        notify_unit(s, "990100", "新紧急工单 JJ-1", urgent=True)
    w = OutboxWorker(
        runtime.sessions, {"wecom": WeChatSender(client(runtime, api))}, runtime.ctx.regions, FAST
    )
    asyncio.run(w.run_once())
    assert _fanned(runtime) == ["wc-chief", "wc-duty"]
    with runtime.sessions() as s:
        assert {
            r.kind for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "wecom"))
        } == {"crisis"}
        assert s.scalars(select(Staff).where(Staff.username == "duty")).one().on_duty

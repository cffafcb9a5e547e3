"""Group commit: several waiting messages handled in one transaction must behave
exactly as if each had been handled alone (bot.shell.inbound.handle_batch)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

import bot.shell.effects
from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, Job, handle, handle_batch
from db.models import Conversation, InboundReceipt, Message, Ticket
from db.session import transaction
from intents.turn import Inbound

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def job(user: str, text: str, key: str | None = None, minute: int = 0) -> Job:
    inbound = Inbound(
        channel="wechat", user_id=user, text=text, at=AT + dt.timedelta(minutes=minute)
    )
    return Job(inbound, key)


def count(rt: Runtime, model: Any) -> int:
    with transaction(rt.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def handled(result: Handled | Exception) -> Handled:
    assert isinstance(result, Handled), result
    return result


def test_two_messages_of_one_veteran_in_a_batch_are_answered_in_order(runtime: Runtime) -> None:
    results = handle_batch(
        runtime, [job("o-a", "我想申请优待证", "m1"), job("o-a", "1", "m2", minute=1)]
    )
    first, second = (handled(r) for r in results)
    assert "优待证" in first.text()
    # the second message is read inside the card flow the first one started
    assert second.turn is not None and second.turn.state.flow == "card"
    assert second.text() != first.text()


def test_a_retry_inside_the_same_batch_replays_the_first_answer(runtime: Runtime) -> None:
    results = handle_batch(
        runtime, [job("o-b", "转人工", "same-id"), job("o-b", "转人工", "same-id")]
    )
    first, retry = (handled(r) for r in results)
    assert retry.duplicate and retry.text() == first.text()
    assert count(runtime, Ticket) == 1
    assert count(runtime, InboundReceipt) == 1


def test_one_failing_message_does_not_lose_the_others(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bot.shell.effects.open_ticket

    def broken(intake: Any, effect: Any, notify: bool = True) -> Any:
        if "砸了" in effect.summary:
            real(intake, effect, notify)  # writes, then fails: the writes must be undone
            raise RuntimeError("routing table broken")
        return real(intake, effect, notify)

    monkeypatch.setattr(bot.shell.effects, "open_ticket", broken)
    results = handle_batch(
        runtime,
        [
            job("o-c", "优待证丢了怎么办", "c1"),
            job("o-d", "我要把他们办公室砸了", "d1"),
            job("o-e", "转人工", "e1"),
        ],
    )
    assert "挂失" in handled(results[0]).text() or "补办" in handled(results[0]).text()
    assert isinstance(results[1], RuntimeError)
    assert "工单" in handled(results[2]).text() or "工作人员" in handled(results[2]).text()
    with transaction(runtime.sessions) as session:
        summaries = list(session.scalars(select(Ticket.summary)))
        logged = {
            conv.user_id: session.scalar(
                select(func.count()).where(Message.conversation_id == conv.id)
            )
            for conv in session.scalars(select(Conversation))
        }
    assert not any("砸了" in s for s in summaries)  # nothing of the failed message stored
    assert len(summaries) == 1  # the 转人工 ticket
    assert logged.get("o-d", 0) == 0 and logged["o-c"] >= 2 and logged["o-e"] >= 2
    # the failed message was not marked as answered: WeChat's retry runs it again
    monkeypatch.setattr(bot.shell.effects, "open_ticket", real)
    retried = handle(runtime, job("o-d", "我要把他们办公室砸了").inbound, dedupe_key="d1")
    assert not retried.duplicate


def test_concurrent_batches_sharing_veterans_all_commit(runtime: Runtime) -> None:
    """Several engine threads (as with PostgreSQL workers) take batches that share
    veterans, some of them new: every message is answered, none deadlocks or is lost."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    texts = ["优待证怎么办", "你好", "转人工", "我想申请优待证", "1", "生存认证怎么做"]

    def worker(seed: int) -> list[Handled | Exception]:
        rnd = random.Random(seed)
        out: list[Handled | Exception] = []
        for b in range(12):
            jobs = [
                job(f"o-{rnd.randrange(12)}", rnd.choice(texts), f"{seed}-{b}-{i}")
                for i in range(rnd.randrange(1, 8))
            ]
            out += handle_batch(runtime, jobs)
        return out

    with ThreadPoolExecutor(4) as pool:
        results = [r for rs in pool.map(worker, range(4)) for r in rs]
    assert all(isinstance(r, Handled) for r in results)
    assert count(runtime, InboundReceipt) == len(results)

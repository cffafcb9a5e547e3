"""The durable inbox (收件箱): a channel message is on disk before anything is acknowledged.

A channel ``receive``s a message (its own short transaction) before it says anything to
the platform; the transaction that handles the message marks it done
(``bot.shell.inbound``). A message left pending — the server died, the database failed
mid-step — is taken up again by ``take_due`` once its lease ran out (at startup and by
the background drain, ``bot.shell.drain``), so a restarted server finishes what was
received. The stored text is encrypted and erased once handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from bot.process.runtime import Runtime
from bot.shell.inbound import queue_reply
from db import inbox as repo
from db.crypto import PiiVault
from db.session import transaction
from intents.turn import Inbound, Reply

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=15)  # the receiving process has this long before anyone else tries
MAX_ATTEMPTS = 5  # recoveries before a message is given up (and the veteran told)
GAVE_UP = "抱歉，您刚才的消息系统没能处理成功。请稍后再发一次，或回复“转人工”由工作人员为您办理。"


@dataclass(frozen=True)
class Pending:
    """A message taken back from the inbox to be handled again."""

    inbound: Inbound
    key: str
    attempts: int


def receive(rt: Runtime, messages: Sequence[tuple[Inbound, str]]) -> None:
    """Store messages durably (one transaction) — the caller acknowledges only after this
    returns. Raises the database's error when they could not be stored."""
    if not messages:
        return
    arrivals = [_arrival(inbound, key, rt.vault) for inbound, key in messages]
    with transaction(rt.sessions) as session:
        repo.store(session, arrivals, rt.clock.now(), _lease(rt))
    for arrival in arrivals:
        rt.metrics.inbox_received.labels(arrival.channel).inc()


@dataclass(frozen=True)
class _Write:
    inbound: Inbound
    key: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


class InboxWriter:
    """Stores received messages for the event loop. One thread writes whatever is waiting
    in one transaction (group commit), so storing every message first costs a commit per
    burst, not per message — and a stalled database holds up this thread only."""

    def __init__(self, rt: Runtime, batch: int = 256) -> None:
        self.rt = rt
        self.batch = batch
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def receive(self, inbound: Inbound, key: str, timeout: float) -> None:
        """Return once the message is stored; raises the database's error, or
        ``TimeoutError`` when that is not known within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        write = _Write(inbound, key, loop, loop.create_future())
        self._ensure_thread()
        self._queue.put(write)
        await asyncio.wait_for(asyncio.shield(write.future), timeout)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="inbox", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while (batch := self._take()) is not None:
            for part, error in self._store(batch):
                for write in part:
                    _settle_soon(write, error)

    def _store(self, batch: list[_Write]) -> list[tuple[list[_Write], Exception | None]]:
        try:
            receive(self.rt, [(w.inbound, w.key) for w in batch])
        except (IntegrityError, DataError) as exc:
            if len(batch) == 1:
                return [(batch, exc)]
            return [r for w in batch for r in self._store([w])]  # one bad row fails alone
        except Exception as exc:  # the database is away: every waiter hears it
            return [(batch, exc)]
        return [(batch, None)]

    def _take(self) -> list[_Write] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self.batch:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._queue.put(None)
                break
            batch.append(more)
        return batch


def _settle_soon(write: _Write, error: Exception | None) -> None:
    def settle() -> None:
        if write.future.done():
            return
        if error is None:
            write.future.set_result(None)
        else:
            write.future.set_exception(error)
            write.future.exception()  # retrieved even if the caller gave up waiting

    with contextlib.suppress(RuntimeError):  # a closed loop: the server is stopping
        write.loop.call_soon_threadsafe(settle)


def take_due(rt: Runtime, limit: int = 50) -> list[Pending]:
    """Claim pending messages whose lease ran out; those tried too often are given up
    (the veteran gets an apology through the outbox)."""
    with transaction(rt.sessions) as session:
        claimed = repo.claim_due(session, rt.clock.now(), _lease(rt), limit)
        spent = [c for c in claimed if c.attempts > MAX_ATTEMPTS]
        if spent:
            _give_up(session, spent)
        return [_pending(c, rt.vault) for c in claimed if c.attempts <= MAX_ATTEMPTS]


def note_failure(rt: Runtime, key: tuple[str, str], error: BaseException) -> None:
    """Keep why handling failed (the error's type only: messages can hold personal data)."""
    with transaction(rt.sessions) as session:
        repo.note_error(session, key, type(error).__name__)


def _give_up(session: Session, spent: Sequence[repo.Claimed]) -> None:
    for claimed in spent:
        log.error(
            "inbox: %s message #%d given up after %d attempts (%s)",
            claimed.channel,
            claimed.id,
            claimed.attempts - 1,
            claimed.last_error or "no error recorded",
        )
        queue_reply(session, claimed.channel, claimed.user_id, Reply(GAVE_UP))
    repo.fail(session, [c.id for c in spent], "given up")


def _lease(rt: Runtime) -> dt.timedelta:
    return dt.timedelta(seconds=rt.settings.inbox_lease_seconds)


def _arrival(inbound: Inbound, key: str, vault: PiiVault) -> repo.Arrival:
    return repo.Arrival(inbound.channel, key, inbound.user_id, vault.encrypt(_dump(inbound)) or "")


def _pending(claimed: repo.Claimed, vault: PiiVault) -> Pending:
    return Pending(_load(vault.decrypt(claimed.payload) or "{}"), claimed.key, claimed.attempts)


def _dump(inbound: Inbound) -> str:
    return json.dumps(
        {
            "channel": inbound.channel,
            "user_id": inbound.user_id,
            "text": inbound.text,
            "at": inbound.at.isoformat(),
            "msg_id": inbound.msg_id,
            "event": inbound.event,
        },
        ensure_ascii=False,
    )


def _load(payload: str) -> Inbound:
    data = json.loads(payload)
    return Inbound(
        channel=str(data["channel"]),
        user_id=str(data["user_id"]),
        text=str(data.get("text") or ""),
        at=dt.datetime.fromisoformat(data["at"]),
        msg_id=data.get("msg_id"),
        event=data.get("event"),
    )

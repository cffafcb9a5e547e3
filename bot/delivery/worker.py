"""The outbox worker: claims due rows, sends them, records the outcome.

One runs inside every server process (started in the app lifespan); claiming makes
that safe. A row is sent at most once in the normal path (its status moves
pending → sending → sent under the claim); only a worker that dies after sending
but before recording can cause a repeat — after its lease (``outbox.LEASE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import notifications, outbox
from bot.delivery.outcome import Item, Outcome, Sender, undeliverable
from db.models import OutboxMessage, utcnow
from db.session import transaction
from knowledge.regions import RegionTree

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        regions: RegionTree,
        policy: outbox.RetryPolicy | None = None,
        poll_seconds: float = 2.0,
        batch: int = 20,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.senders = senders
        self.regions = regions
        self.policy = policy or outbox.RetryPolicy()
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.clock = clock
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def kick(self) -> None:
        """Wake the worker now (new rows were committed). Safe from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            if asyncio.get_running_loop() is loop:
                self._wake.set()
                return
        except RuntimeError:
            pass
        loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        """Until cancelled: drain due rows; then sleep until kicked or the poll interval."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                sent = await self.run_once()
            except Exception:  # keep the worker alive through DB hiccups
                log.exception("outbox worker pass failed")
                sent = 0
            if sent:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def run_once(self) -> int:
        """One pass: claim a batch and process it; returns how many rows were handled."""
        items = await asyncio.to_thread(self._claim)
        await asyncio.gather(*(self._process(item) for item in items))
        return len(items)

    def _claim(self) -> list[Item]:
        with transaction(self.sessions) as session:
            return outbox.claim(session, self.clock(), self.batch)

    async def _process(self, item: Item) -> None:
        if item.channel == "staff":
            await asyncio.to_thread(self._fan_out, item)
            return
        sender = self.senders.get(item.channel)
        outcome = (
            await sender.send(item)
            if sender
            else undeliverable(f"no sender for channel {item.channel!r}")
        )
        status = await asyncio.to_thread(self._record, item, outcome)
        if status != "sent":
            log.warning(
                "outbox %s → %s: %s (attempt %d)", item.id, status, outcome.error, item.attempts
            )

    def _record(self, item: Item, outcome: Outcome) -> str:
        with transaction(self.sessions) as session:
            return outbox.record(session, item, outcome, self.clock(), self.policy)

    def _fan_out(self, item: Item) -> None:
        with transaction(self.sessions) as session:
            row = session.get(OutboxMessage, item.id, with_for_update=True)
            if row is None or row.status != "sending":
                return
            count = notifications.fan_out(session, self.regions, item, "wecom" in self.senders)
            row.status, row.sent_at = "sent", self.clock()
            row.last_error = "" if count else "no staff with a linked channel"
        self.kick()

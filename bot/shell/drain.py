"""The inbox drain: messages left pending (the server died, the database failed mid-step)
are handled again — at startup and then every few seconds, in every server process.

A message is taken only once its lease ran out (the process that received it had its
chance), and the shell's receipt keeps it to one answer even if two processes race. A
channel that answers its own way registers a ``Recover`` (WeChat hands it to its engine
threads); any other channel's recovered answers are queued in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError

from bot.process.runtime import Runtime
from bot.shell.inbound import handle
from bot.shell.inbox import Pending, note_failure, take_due

log = logging.getLogger(__name__)
BATCH = 50
Recover = Callable[[Pending], bool]  # hand one message to its channel (on the event loop)


class Drain:
    def __init__(
        self,
        rt: Runtime,
        channels: Mapping[str, Recover],
        kick: Callable[[], None] = lambda: None,
        every: float = 2.0,
    ) -> None:
        self.rt = rt
        self.channels = channels
        self.kick = kick  # wake the outbox worker
        self.every = every
        self.recovered = 0  # messages taken back from the inbox by this process

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: a pass at once (startup recovery), then every ``every`` seconds."""
        while not stop.is_set():
            try:
                taken = await self.once()
            except SQLAlchemyError as exc:  # the database is away: try again next time
                log.warning("inbox drain: database unavailable (%s)", type(exc).__name__)
                taken = 0
            except Exception:
                log.exception("inbox drain pass failed")
                taken = 0
            if taken >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)

    async def once(self) -> int:
        """One pass: take what is due and hand it on; returns how many were taken."""
        due = await asyncio.to_thread(take_due, self.rt, BATCH)
        others = [p for p in due if not self._to_channel(p)]
        if others:
            await asyncio.to_thread(self._handle, others)
        for item in due:
            self.rt.metrics.inbox_recovered.labels(item.inbound.channel).inc()
        if due:
            self.recovered += len(due)
            log.info("inbox drain: %d message(s) taken back from the inbox", len(due))
        return len(due)

    def _to_channel(self, pending: Pending) -> bool:
        recover = self.channels.get(pending.inbound.channel)
        if recover is None:
            return False
        recover(pending)
        return True

    def _handle(self, pending: list[Pending]) -> None:
        for item in pending:
            try:
                handle(self.rt, item.inbound, item.key, queue_replies=True)
            except Exception as exc:  # stays pending: tried again after its lease
                log.warning(
                    "inbox drain: a %s message failed again (%s)",
                    item.inbound.channel,
                    type(exc).__name__,
                )
                with contextlib.suppress(SQLAlchemyError):
                    note_failure(self.rt, (item.inbound.channel, item.key), exc)
        self.kick()

"""Answer within the platform's window, or hand the answer to the outbox.

WeChat waits 5 s for a passive reply and retries the same message (same MsgId) up to
three times. ``PassiveRunner.run`` queues the message for the engine threads and waits
up to ``patience`` seconds. If the answer is ready in time, the caller replies
passively; if not, the caller replies ``success`` and, when the engine finishes, the
replies are queued in the outbox (客服 messages). Who wins is decided once, under a
lock, so the veteran never gets the answer both ways.

An engine thread takes every message waiting in the queue (up to ``batch``) and
handles them in one transaction (``bot.shell.inbound.handle_batch``): under load one commit
serves many messages, while a lone message still goes alone, at once.

Concurrent retries of one message (same dedupe key) in this process share one job:
the engine runs once, and every waiter gets the same answer. Across processes the
shell's receipt (unique per key) makes the loser's transaction fail; its messages are
then handled one by one, and the duplicate replays the winner's receipt.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, Job, handle_batch
from intents.turn import Inbound

log = logging.getLogger(__name__)
Late = Callable[[Handled], None]  # queue the replies in the outbox (runs in the engine's thread)
BATCH = 64  # messages per transaction at most


@dataclass
class _Waiting:
    job: Job
    late: Late
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Handled]
    lock: threading.Lock = field(default_factory=threading.Lock)
    state: str = "waiting"  # waiting → done (answer passively) | late (answer via outbox)


class PassiveRunner:
    def __init__(self, rt: Runtime, patience: float, threads: int = 8, batch: int = BATCH) -> None:
        self.rt = rt
        self.patience = patience
        self.batch = batch
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._inflight: dict[str, _Waiting] = {}  # touched only on the event loop
        self._size = threads
        self._threads: list[threading.Thread] = []  # started with the first message

    def close(self) -> None:
        """Finish what is queued, then stop the engine threads."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    async def run(self, inbound: Inbound, key: str, late: Late) -> Handled | None:
        """The handled result to answer passively, or None: answered later via ``late``."""
        waiting = self._inflight.get(key) or self._start(inbound, key, late)
        await asyncio.wait((waiting.future,), timeout=self.patience)  # never cancels it
        with waiting.lock:
            if waiting.state == "waiting":
                waiting.state = "late"
            if waiting.state == "late":
                return None
        return waiting.future.result()

    def _start(self, inbound: Inbound, key: str, late: Late) -> _Waiting:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(Job(inbound, key), late, loop, loop.create_future())
        self._inflight[key] = waiting
        if not self._threads:
            self._threads = [
                threading.Thread(target=self._work, name=f"engine-{n}", daemon=True)
                for n in range(self._size)
            ]
            for thread in self._threads:
                thread.start()
        self._queue.put(waiting)
        return waiting

    # -- the engine threads ------------------------------------------------------------

    def _work(self) -> None:
        while (batch := self._take()) is not None:
            results = self._handle([w.job for w in batch])
            settled = list(zip(batch, results, strict=True))
            for waiting, result in settled:
                self._settle(waiting, result)
            # one wake-up of the event loop for the whole batch
            batch[0].loop.call_soon_threadsafe(self._finish_all, settled)

    def _take(self) -> list[_Waiting] | None:
        """The next message and whatever else is waiting, or None to stop."""
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
                self._queue.put(None)  # stop after this batch
                break
            batch.append(more)
        return batch

    def _handle(self, jobs: list[Job]) -> list[Handled | Exception]:
        try:
            return handle_batch(self.rt, jobs)
        except DBAPIError:  # e.g. another process stored one of the keys first
            if len(jobs) == 1:
                return self._retry(jobs[0])
            log.info("wechat: a batch of %d failed to commit; handling one by one", len(jobs))
            return [r for job in jobs for r in self._handle([job])]

    def _retry(self, job: Job) -> list[Handled | Exception]:
        """Once more: the winner's receipt is now visible, so this replays its answer."""
        try:
            return handle_batch(self.rt, [job])
        except DBAPIError as exc:
            return [exc]

    def _settle(self, waiting: _Waiting, result: Handled | Exception) -> None:
        with waiting.lock:
            is_late = waiting.state == "late"
            waiting.state = "late" if is_late else "done"
        if isinstance(result, Exception):
            if is_late:  # already answered "success": nobody will retry
                log.error("wechat: message %s failed after the passive window", waiting.job)
        elif is_late:
            try:
                waiting.late(result)
            except Exception:
                log.exception("wechat: could not queue a late answer")

    def _finish_all(self, settled: list[tuple[_Waiting, Handled | Exception]]) -> None:
        for waiting, result in settled:
            self._finish(waiting, result)

    def _finish(self, waiting: _Waiting, result: Handled | Exception) -> None:
        key = waiting.job.dedupe_key or ""
        if self._inflight.get(key) is waiting:
            del self._inflight[key]
        if waiting.future.done():
            return
        if isinstance(result, Exception):
            waiting.future.set_exception(result)
        else:
            waiting.future.set_result(result)

"""Answer within the platform's window, or hand the answer to the outbox.

WeChat waits 5 s for a passive reply and retries the same message (same MsgId) up to
three times. ``PassiveRunner.run`` queues the (already stored) message for the engine
threads and waits up to ``patience`` seconds. If the answer is ready in time, the caller
replies passively; if not, the caller replies ``success`` and the answer goes out as 客服
messages from the outbox. Who wins is decided once, under a lock, by the engine thread
just before its transaction commits (``Deliver``): the outbox rows are written in that
same transaction, so the answer is never sent both ways, and never lost between them.

An engine thread takes every message waiting in the queue (up to ``batch``) and
handles them in one transaction (``bot.shell.inbound.handle_batch``): under load one commit
serves many messages, while a lone message still goes alone, at once.

Concurrent retries of one message (same dedupe key) in this process share one job:
the engine runs once, and every waiter gets the same answer. Across processes the
shell's receipt (unique per key) makes the loser's transaction fail; its messages are
then handled one by one, and the duplicate replays the winner's receipt.

The engine threads survive every exception (a message's own failure, a database stall
longer than the pool timeout): the waiters get the error, the message stays in the
inbox for the drain. ``health()`` says whether every thread is alive; a thread that died
anyway is logged and started again with the next message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, Job, handle_batch
from intents.turn import Inbound

log = logging.getLogger(__name__)
BATCH = 64  # messages per transaction at most
GRACE = 30.0  # seconds to wait for a commit that already chose the passive reply

#: who is waiting when the engine commits: the caller will reply ("reply"), the caller
#: already said ``success`` ("late"), or nobody — taken back from the inbox ("recovered")
Waiter = Literal["reply", "late", "recovered"]
#: how the channel delivers: (session, openid, handled, waiter) → "reply" | "outbox"
Deliver = Callable[[Session, str, Handled, Waiter], str]


@dataclass
class _Waiting:
    inbound: Inbound
    key: str
    deliver: Deliver
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Handled]
    lock: threading.Lock = field(default_factory=threading.Lock)
    state: str = "waiting"  # waiting → replying (engine answers passively) | late | recovered

    def job(self) -> Job:
        return Job(self.inbound, self.key, deliver=self._deliver)

    def _deliver(self, session: Session, handled: Handled) -> str:
        return self.deliver(session, self.inbound.user_id, handled, self._decide())

    def _decide(self) -> Waiter:
        """The engine's side, just before commit: answer passively if still in time."""
        with self.lock:
            if self.state == "waiting":
                self.state = "replying"
            state = self.state
        return "reply" if state == "replying" else "late" if state == "late" else "recovered"

    def give_up(self) -> bool:
        """The caller's side, at the window's end: True if the answer now goes by outbox."""
        with self.lock:
            if self.state == "waiting":
                self.state = "late"
            return self.state != "replying"


class PassiveRunner:
    def __init__(
        self,
        rt: Runtime,
        patience: float,
        threads: int = 8,
        batch: int = BATCH,
        after_batch: Callable[[], None] = lambda: None,
    ) -> None:
        self.rt = rt
        self.patience = patience
        self.batch = batch
        self.after_batch = after_batch  # e.g. wake the outbox worker (from an engine thread)
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._inflight: dict[str, _Waiting] = {}  # touched only on the event loop
        self._size = threads
        self._threads: list[threading.Thread] = []  # started with the first message
        self._busy: dict[str, float] = {}  # thread name → monotonic start of its batch
        self.deaths = 0

    def close(self) -> None:
        """Finish what is queued, then stop the engine threads."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=60)

    async def run(
        self, inbound: Inbound, key: str, deliver: Deliver, patience: float | None = None
    ) -> Handled | None:
        """The handled result to answer passively, or None: the answer goes (or went) out
        through the outbox. Raises the engine's error (the message stays in the inbox)."""
        waiting = self._inflight.get(key) or self._start(inbound, key, deliver)
        window = self.patience if patience is None else patience
        await asyncio.wait((waiting.future,), timeout=max(0.0, window))  # never cancels it
        if waiting.give_up():
            return None
        await asyncio.wait((waiting.future,), timeout=GRACE)  # its commit is under way
        if not waiting.future.done():
            raise TimeoutError("the engine's commit did not finish")
        handled = waiting.future.result()
        return handled if handled.answered == "reply" else None

    def recover(self, inbound: Inbound, key: str, deliver: Deliver) -> bool:
        """Handle a message taken back from the inbox (nobody waits: the answer goes by
        outbox). False when this process is already working on it."""
        if key in self._inflight:
            return False
        self._start(inbound, key, deliver, state="recovered")
        return True

    def health(self) -> dict[str, object]:
        """Engine threads: how many, how many alive, the longest-running batch (s)."""
        now = time.monotonic()
        alive = sum(t.is_alive() for t in self._threads)
        busy = max((now - t for t in list(self._busy.values())), default=0.0)
        return {
            "threads": self._size,
            "started": len(self._threads),
            "alive": alive,
            "ok": alive == len(self._threads),
            "queued": self._queue.qsize(),
            "busy_seconds": round(busy, 1),
            "deaths": self.deaths,
        }

    def _start(
        self, inbound: Inbound, key: str, deliver: Deliver, state: str = "waiting"
    ) -> _Waiting:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(inbound, key, deliver, loop, loop.create_future(), state=state)
        self._inflight[key] = waiting
        self._ensure_threads()
        self._queue.put(waiting)
        return waiting

    def _ensure_threads(self) -> None:
        if not self._threads:
            self._threads = [self._thread(n) for n in range(self._size)]
            return
        for n, thread in enumerate(self._threads):
            if not thread.is_alive():
                self.deaths += 1
                self.rt.metrics.engine_thread_deaths.inc()
                log.error("wechat: engine thread %s had died; starting it again", thread.name)
                self._threads[n] = self._thread(n)

    def _thread(self, n: int) -> threading.Thread:
        thread = threading.Thread(target=self._work, name=f"engine-{n}", daemon=True)
        thread.start()
        return thread

    # -- the engine threads ------------------------------------------------------------

    def _work(self) -> None:
        name = threading.current_thread().name
        while (batch := self._take()) is not None:
            self._busy[name] = time.monotonic()
            try:
                self._run_batch(batch)
            except Exception:  # never let an engine thread die
                log.exception("wechat: an engine batch failed unexpectedly")
            finally:
                self._busy.pop(name, None)

    def _run_batch(self, batch: list[_Waiting]) -> None:
        try:
            results = self._handle([w.job() for w in batch])
        except SQLAlchemyError as exc:  # e.g. the pool timed out during a database stall
            log.warning(
                "wechat: %d message(s) not handled (%s); they stay in the inbox",
                len(batch),
                type(exc).__name__,
            )
            results = [exc] * len(batch)
        settled = list(zip(batch, results, strict=True))
        self._log_late_failures(settled)
        try:
            self.after_batch()
        except Exception:
            log.exception("wechat: after-batch hook failed")
        # one wake-up of the event loop for the whole batch
        with contextlib.suppress(RuntimeError):  # a closed loop: the server is stopping
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
        except SQLAlchemyError as exc:
            return [exc]

    @staticmethod
    def _log_late_failures(settled: list[tuple[_Waiting, Handled | Exception]]) -> None:
        for waiting, result in settled:
            if isinstance(result, Exception) and waiting.state in ("late", "recovered"):
                log.warning(
                    "wechat: a message answered 'success' is not handled yet (%s); "
                    "it stays in the inbox and is tried again",
                    type(result).__name__,
                )

    def _finish_all(self, settled: list[tuple[_Waiting, Handled | Exception]]) -> None:
        for waiting, result in settled:
            self._finish(waiting, result)

    def _finish(self, waiting: _Waiting, result: Handled | Exception) -> None:
        if self._inflight.get(waiting.key) is waiting:
            del self._inflight[waiting.key]
        if waiting.future.done():
            return
        if isinstance(result, Exception):
            waiting.future.set_exception(result)
            waiting.future.exception()  # retrieved: nobody may be waiting any more
        else:
            waiting.future.set_result(result)

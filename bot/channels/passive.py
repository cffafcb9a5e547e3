"""Answer within the platform's window, or hand the answer to the outbox.

WeChat waits 5 s for a passive reply and retries the same message (same MsgId) up to
three times. ``PassiveRunner.run`` starts the engine in a thread and waits up to
``patience`` seconds. If it finishes in time, the caller replies passively; if not,
the caller replies ``success`` and, when the engine finishes, the replies are queued
in the outbox (客服 messages). Who wins is decided once, under a lock, so the
veteran never gets the answer both ways.

Concurrent retries of one message (same dedupe key) in this process share one run:
the engine runs once, and every waiter gets the same answer. Across processes the
shell's receipt (unique per key) makes the loser's transaction fail; it then
replays the winner's receipt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from bot.runtime import Runtime
from bot.shell import Handled, handle
from intents.turn import Inbound

log = logging.getLogger(__name__)
Late = Callable[[Handled], None]  # queue the replies in the outbox (runs in the engine's thread)


@dataclass
class _Job:
    future: asyncio.Future[Handled]
    lock: threading.Lock = field(default_factory=threading.Lock)
    state: str = "waiting"  # waiting → done (answer passively) | late (answer via outbox)


class PassiveRunner:
    def __init__(self, rt: Runtime, patience: float, threads: int = 32) -> None:
        self.rt = rt
        self.patience = patience
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine")
        self._inflight: dict[str, _Job] = {}

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    async def run(self, inbound: Inbound, key: str, late: Late) -> Handled | None:
        """The handled result to answer passively, or None: answered later via ``late``."""
        job = self._inflight.get(key) or self._start(inbound, key, late)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(job.future), self.patience)
        with job.lock:
            if job.state == "waiting":
                job.state = "late"
            if job.state == "late":
                return None
        return job.future.result()

    def _start(self, inbound: Inbound, key: str, late: Late) -> _Job:
        loop = asyncio.get_running_loop()
        job = _Job(loop.create_future())
        self._inflight[key] = job

        def work() -> Handled:
            try:
                handled = self._handle(inbound, key)
            except Exception:
                if job.state == "late":  # already answered "success": nobody will retry
                    log.exception("wechat: message %s failed after the passive window", key)
                raise
            with job.lock:
                is_late = job.state == "late"
                job.state = "late" if is_late else "done"
            if is_late:
                late(handled)
            return handled

        task = loop.run_in_executor(self._pool, work)
        task.add_done_callback(lambda done: self._finish(key, job, done))
        return job

    def _finish(self, key: str, job: _Job, done: asyncio.Future[Handled]) -> None:
        self._inflight.pop(key, None)
        if done.cancelled():
            job.future.cancel()
        elif done.exception() is not None:
            job.future.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            job.future.set_result(done.result())

    def _handle(self, inbound: Inbound, key: str) -> Handled:
        try:
            return handle(self.rt, inbound, dedupe_key=key)
        except IntegrityError:  # another process stored this key first: replay its answer
            return handle(self.rt, inbound, dedupe_key=key)

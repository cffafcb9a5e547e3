"""A blocking check (it reads the database) run off the event loop, in a daemon thread of
its own, with a deadline: a hung database ties up one thread, never the loop, and while
one run hangs every caller waits on that same run instead of starting more."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalesced(Generic[T]):
    def __init__(self, work: Callable[[], T], name: str) -> None:
        self.work = work
        self.name = name
        self._running: concurrent.futures.Future[T] | None = None
        self._lock = threading.Lock()

    async def __call__(self, timeout: float) -> T:
        """The result of a run (this one's, or the one under way); ``TimeoutError`` past
        ``timeout`` seconds, or the work's own exception."""
        return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._start())), timeout)

    def _start(self) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = concurrent.futures.Future()
                threading.Thread(
                    target=self._run, args=(self._running,), name=self.name, daemon=True
                ).start()
            return self._running

    def _run(self, future: concurrent.futures.Future[T]) -> None:
        try:
            future.set_result(self.work())
        except BaseException as exc:
            future.set_exception(exc)

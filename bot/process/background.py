"""A background task that lives as long as the app (started and stopped in its lifespan)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]  # runs until the event is set


@asynccontextmanager
async def running(job: Job, enabled: bool = True) -> AsyncIterator[None]:
    """Run ``job`` for the duration of the block; on exit, ask it to stop and wait."""
    stop = asyncio.Event()
    task = asyncio.create_task(job(stop)) if enabled else None
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            await task

"""A database that is down or stalled answers every request with a clean 503 (WeChat
and Telegram retry; the web chat resends), not an unhandled 500 with a traceback each.

The log gets one line per kind of failure every ``QUIET`` seconds, with the count of
requests refused meanwhile — never the SQL or its parameters."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

log = logging.getLogger(__name__)
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)  # the database, not a bug
QUIET = 10.0
RETRY_AFTER = "5"
BUSY = "系统繁忙，请稍后再试。"


class _Quiet:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last: dict[str, float] = {}
        self.refused: dict[str, int] = {}

    def note(self, kind: str, path: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.refused[kind] = self.refused.get(kind, 0) + 1
            if now - self.last.get(kind, -QUIET) < QUIET:
                return
            self.last[kind], count = now, self.refused.pop(kind)
        log.warning(
            "database unavailable (%s): %d request(s) answered 503 (latest %s)", kind, count, path
        )


_quiet = _Quiet()


async def database_unavailable(request: Request, exc: Exception) -> Response:
    _quiet.note(type(exc).__name__, request.url.path)
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        runtime.metrics.db_unavailable.inc()
    headers = {"Retry-After": RETRY_AFTER}
    if request.url.path.startswith(("/chat", "/api")):
        return JSONResponse({"error": BUSY}, status_code=503, headers=headers)
    return PlainTextResponse(BUSY, status_code=503, headers=headers)

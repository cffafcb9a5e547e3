"""One log line per HTTP request (method, path without its query string, status, time)
under a request id — taken from ``X-Request-ID`` when a proxy sent a sane one, made
up otherwise — which every log line of the request carries and the response returns.

The query string is logged cleaned (``clean_target``: WeChat's signature parameters and
console searches hidden, ID numbers and phones masked), and the Telegram webhook's
secret path segment is masked."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.process.logs import clean_target, request_id

log = logging.getLogger("vetbot.access")
HEADER = b"x-request-id"
SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
QUIET_PATHS = ("/healthz", "/readyz", "/metrics", "/static/")


def loggable_path(path: str, query: bytes = b"") -> str:
    if path.startswith("/telegram/"):
        return "/telegram/***"
    target = path + ("?" + query.decode("latin-1") if query else "")
    return clean_target(target)[:300]


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming(scope) or uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            shown = loggable_path(path, scope.get("query_string", b""))
            level = logging.DEBUG if path.startswith(QUIET_PATHS) and status < 500 else logging.INFO
            log.log(
                level,
                "%s %s %d",
                scope.get("method", ""),
                shown,
                status,
                extra={
                    "method": scope.get("method", ""),
                    "path": shown,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == HEADER:
            text = value.decode("latin-1")
            return text if SANE.fullmatch(text) else None
    return None

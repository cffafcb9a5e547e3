"""Request limits as pure ASGI middleware: body size (413 before the body is read) and
requests per client address (429)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import anyio.to_thread
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.shell.rate_limit import TOO_FAST


class BodyLimit:
    """Reject bodies over a per-path-prefix limit with 413, by header or while streaming."""

    def __init__(
        self, app: ASGIApp, limits: Sequence[tuple[str, int]], default: int = 1_048_576
    ) -> None:
        self.app = app
        self.limits = sorted(limits, key=lambda item: -len(item[0]))
        self.default = default

    def _limit(self, path: str) -> int:
        return next((n for prefix, n in self.limits if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)
            return
        seen = 0
        too_big = False

        async def limited() -> Message:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_big = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


class AddressLimit:
    """Requests per client address per minute on some paths (web chat sends, /api/ask),
    counted in the database so every worker shares one count. A new web-chat cookie
    is free to get; an address is not. Over the limit: 429 with the notice as
    ``error`` (the chat page shows it) and ``Retry-After``."""

    def __init__(
        self,
        app: ASGIApp,
        paths: Sequence[str],
        per_minute: Callable[[], int],
        count: Callable[[str], int],
    ) -> None:
        self.app = app
        self.paths = tuple(paths)
        self.per_minute = per_minute  # read per request: settings may differ per app
        self.count = count  # blocking: one hit for an address → its hits this minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.per_minute() if scope["type"] == "http" else 0
        if limit <= 0 or not scope.get("path", "").startswith(self.paths):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        hits = await anyio.to_thread.run_sync(self.count, str(client[0]))
        if hits > limit:
            text = TOO_FAST.format(limit=limit)
            response = JSONResponse({"error": text}, status_code=429, headers={"Retry-After": "60"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

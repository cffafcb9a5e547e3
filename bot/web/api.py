"""`POST /api/ask` (the `vetbot ask` contract over HTTP) and `GET /healthz`."""

from __future__ import annotations

import json

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.shell.ask import ask


async def api_ask(request: Request) -> JSONResponse:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": 'body must be JSON: {"q": "问题"}'}, status_code=400)
    if not isinstance(body, dict) or not isinstance(body.get("q"), str):
        return JSONResponse({"error": "missing string field 'q'"}, status_code=422)
    rt = request.app.state.runtime
    return JSONResponse(ask(rt.ctx, body["q"], body.get("id"), body.get("region"), rt.clock))


async def healthz(request: Request) -> JSONResponse:
    rt = request.app.state.runtime
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return JSONResponse({"ok": False, "db": type(exc).__name__}, status_code=503)
    return JSONResponse({"ok": True, "db": rt.engine.dialect.name, "kb_entries": len(rt.ctx.kb)})

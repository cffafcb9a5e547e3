"""`POST /api/ask` (the `vetbot ask` contract over HTTP); health checks: bot/web/health.py."""

from __future__ import annotations

import json

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

"""`GET /healthz` (the process is alive) and `GET /readyz` (it can do its job).

/healthz never touches the database: it says whether the engine threads run. /readyz
runs its checks — the database answers, migrations are current, the inbox and outbox
are not lagging, the engine threads run — in a thread of its own, never on the event
loop, and answers within ``ready_timeout`` seconds whatever the database does; while one
check hangs, later requests share it instead of starting more.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.process.runtime import Runtime
from bot.web.offloop import Coalesced
from db import backlog
from db import inbox as inbox_rows
from db.migrate import alembic_config

log = logging.getLogger(__name__)
READY_TIMEOUT = 3.0  # seconds /readyz waits for its checks


def engine_health(request: Request) -> dict[str, Any]:
    wechat = getattr(request.app.state, "wechat", None)
    if wechat is None:
        return {"ok": True, "started": 0}
    return dict(wechat.runner.health())


async def healthz(request: Request) -> JSONResponse:
    rt: Runtime = request.app.state.runtime
    engine = engine_health(request)
    body = {"ok": bool(engine["ok"]), "engine": engine, "kb_entries": len(rt.ctx.kb)}
    if not engine["ok"]:
        log.error("healthz: engine threads dead: %s", engine)
    return JSONResponse(body, status_code=200 if engine["ok"] else 503)


async def readyz(request: Request) -> JSONResponse:
    probe: ReadinessProbe = request.app.state.readiness
    checks = await probe.check(READY_TIMEOUT)
    engine = engine_health(request)
    checks["engine"] = {"ok": bool(engine["ok"]), "alive": engine.get("alive")}
    ok = all(bool(c.get("ok")) for c in checks.values())
    return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)


class ReadinessProbe:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._head: str | None = None
        self._run = Coalesced(self._checks, "readyz")

    async def check(self, timeout: float) -> dict[str, dict[str, Any]]:
        try:
            return await self._run(timeout)
        except TimeoutError:
            return {"db": {"ok": False, "error": f"no answer within {timeout:g} s"}}
        except Exception as exc:
            return {"db": {"ok": False, "error": type(exc).__name__}}

    def _checks(self) -> dict[str, dict[str, Any]]:
        rt, settings = self.rt, self.rt.settings
        now = rt.clock.now()
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
        with rt.sessions() as session:
            inbox = inbox_rows.backlog(session, now)
            outbox = backlog.outbox(session, now)
        head = self._head_revision()
        return {
            "db": {"ok": True, "dialect": rt.engine.dialect.name},
            "migrations": {"ok": current == head, "current": current, "head": head},
            "inbox": {
                "ok": inbox.oldest_seconds <= settings.ready_inbox_lag_seconds,
                "pending": inbox.pending,
                "lag_seconds": round(inbox.oldest_seconds, 1),
                "failed": inbox.failed,
            },
            "outbox": {
                "ok": outbox.oldest_due_seconds <= settings.ready_outbox_lag_seconds,
                "waiting": sum(outbox.waiting.values()),
                "lag_seconds": round(outbox.oldest_due_seconds, 1),
            },
        }

    def _head_revision(self) -> str | None:
        if self._head is None:
            script = ScriptDirectory.from_config(alembic_config(self.rt.settings.database_url))
            self._head = script.get_current_head()
        return self._head

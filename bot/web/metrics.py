"""`GET /metrics`: Prometheus text format. The database gauges are read off the event
loop with a deadline; without an answer the process's own metrics still come, with
``vetbot_db_up 0``. (Restrict the path to the monitoring network at the proxy.)"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import Metric
from starlette.requests import Request
from starlette.responses import Response

from bot.process.metrics import database_down, database_families
from bot.process.runtime import Runtime
from bot.web.health import engine_health
from bot.web.offloop import Coalesced

SCRAPE_TIMEOUT = 3.0


class MetricsPage:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._read = Coalesced(self._database, "metrics")

    def _database(self) -> list[Metric]:
        with self.rt.sessions() as session:
            return database_families(session, self.rt.clock.now(), self.rt.clock.today())

    async def families(self) -> list[Metric]:
        try:
            return await self._read(SCRAPE_TIMEOUT)
        except Exception:  # timeout or the database's error: the process metrics still come
            return database_down()


async def metrics(request: Request) -> Response:
    page: MetricsPage = request.app.state.metrics_page
    rt: Runtime = request.app.state.runtime
    engine = engine_health(request)
    rt.metrics.engine_threads_alive.set(float(engine.get("alive") or 0))
    body = rt.metrics.exposition(await page.families())
    return Response(body, media_type=CONTENT_TYPE_LATEST)

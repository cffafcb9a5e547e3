"""`vetbot serve`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import settings


def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default from settings: 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL for more than 1)")] = 1,
) -> None:
    """Run the web server: web chat /chat, API /api/ask, staff console /staff, webhooks."""
    import uvicorn

    from bot.process.logs import uvicorn_config

    s = settings()
    if workers > 1:
        prepare_multiprocess_metrics()
    uvicorn.run(
        "bot.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
        log_config=uvicorn_config("INFO", s.log_format),  # JSON, nothing personal or secret
        access_log=False,  # bot/web/request_log.py writes one line per request instead
    )


def prepare_multiprocess_metrics() -> None:
    """Workers write their metrics to one folder that /metrics sums (a fresh one per start)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # values of a previous run's processes
            stale.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="vetbot-metrics-")

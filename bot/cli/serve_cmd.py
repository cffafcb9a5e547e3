"""`vetbot serve`."""

from __future__ import annotations

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
    uvicorn.run(
        "bot.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
        log_config=uvicorn_config(),  # no signatures, openids, ID numbers or phones
    )

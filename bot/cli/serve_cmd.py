"""`vetbot serve`: refuses a database that is not migrated and, outside development mode,
the public default secret key."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import settings
from bot.process.settings import DEV_SECRET, Settings


def secret_problem(s: Settings, dev: bool) -> tuple[bool, str]:
    """(refuse?, the one line to say) about the secret key; (False, "") when it is fine."""
    if s.secret_key != DEV_SECRET:
        return False, ""
    if dev:
        return False, (
            "development mode: the secret key is the public default (anyone can forge console "
            "sessions and read stored personal data) — never use it with real data"
        )
    return True, (
        "refusing to start: VETBOT_SECRET_KEY is the public default; set your own "
        "(`vetbot keys new` prints one), or run `vetbot serve --dev` (what `make run` does) "
        "on a development machine"
    )


def schema_problem(url: str) -> str:
    """The one line to say when the database cannot serve this code; "" when it can."""
    from db.migrate import schema_state
    from db.session import normalize_url

    where = normalize_url(url).split("@")[-1]
    try:
        current, heads = schema_state(url)
    except Exception as exc:  # any driver error: say it in one line, start nothing
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"refusing to start: cannot read the database {where}: {first}"
    if current == heads:
        return ""
    have = ", ".join(sorted(current)) or "none"
    return (
        f"refusing to start: the database {where} is not migrated (schema {have}, this code "
        f"needs {', '.join(sorted(heads))}) — run `vetbot db upgrade`"
    )


def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default from settings: 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL for more than 1)")] = 1,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev", help="Development mode: accept the public default secret (VETBOT_DEV_MODE)"
        ),
    ] = False,
) -> None:
    """Run the web server: web chat /chat, API /api/ask, staff console /staff, webhooks."""
    import uvicorn

    from bot.process.logs import uvicorn_config

    s = settings()
    refuse, line = secret_problem(s, dev or s.dev_mode)
    if line:
        typer.secho(line, fg="red" if refuse else "yellow", err=True)
    if refuse:
        raise typer.Exit(2)
    problem = schema_problem(s.database_url)
    if problem:
        typer.secho(problem, fg="red", err=True)
        raise typer.Exit(2)
    if workers > 1:
        prepare_multiprocess_metrics()
    uvicorn.run(
        "bot.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        proxy_headers=False,  # the app applies VETBOT_FORWARDED_ALLOW_IPS itself (bot/app.py)
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

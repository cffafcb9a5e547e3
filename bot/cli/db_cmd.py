"""`vetbot db upgrade`."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.cli.common import settings

app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
out = Console()


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from db.migrate import upgrade as run_upgrade
    from db.session import normalize_url

    url = settings().database_url
    run_upgrade(url)
    out.print(f"database ready: {normalize_url(url).split('@')[-1]}")

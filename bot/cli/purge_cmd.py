"""`vetbot purge`: apply the retention settings."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import settings

out = Console()


def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only, change nothing")] = False,
) -> None:
    """Erase personal data of long-closed tickets; drop audit logs past retention (min. 180 days)."""
    from bot.process.runtime import build_runtime
    from db.retention import purge as run_purge

    rt = build_runtime(settings())
    s = rt.settings
    with rt.sessions() as session, session.begin():
        result = run_purge(session, rt.clock.now(), s.retention_days, s.log_retention_days)
        if dry_run:
            session.rollback()
    verb = "would purge" if dry_run else "purged"
    out.print(
        f"{verb}: personal data of {result.tickets} tickets closed > {s.retention_days} days; "
        f"{result.audit_rows} audit rows > {max(s.log_retention_days, 180)} days"
    )

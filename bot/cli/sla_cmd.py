"""`vetbot sla due KIND --from YYYY-MM-DD`: the due date a ticket would get (ISO)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from bot.cli.common import err
from intents import deadlines

app = typer.Typer(help="Deadlines: check how a due date is computed.", no_args_is_help=True)
KINDS_HELP = ", ".join(deadlines.KINDS)


@app.command("due")
def due(
    kind: Annotated[str, typer.Argument(help=f"One of: {KINDS_HELP}")],
    start: Annotated[
        str,
        typer.Option(
            "--from", help="Day of receipt (or of the reply, for review/recheck), YYYY-MM-DD"
        ),
    ],
    no_shift: Annotated[
        bool,
        typer.Option("--no-holiday-shift", help="Do not move a petition deadline off a holiday"),
    ] = False,
) -> None:
    """Print the due date (ISO). Petitions count calendar days (the start day not counted);
    other ticket types count working days on the Chinese calendar (调休 aware)."""
    try:
        day = dt.date.fromisoformat(start)
    except ValueError as exc:
        raise typer.BadParameter(f"--from must be YYYY-MM-DD, not {start!r}") from exc
    if kind not in deadlines.KINDS:
        raise typer.BadParameter(f"unknown kind {kind!r}; one of: {KINDS_HELP}", param_hint="KIND")
    result = deadlines.due(kind, day, not no_shift)
    for year in sorted({day.year, result.year}):
        if not deadlines.calendar_known(dt.date(year, 6, 1)):
            err.print(
                f"[yellow]chinese-calendar has no {year} holidays: only weekends counted as days off — confirm locally[/yellow]"
            )
    print(result.isoformat())

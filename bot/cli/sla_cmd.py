"""`vetbot sla due KIND --from YYYY-MM-DD`: the due date a ticket would get (ISO)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from bot.cli.common import err
from bot.process.settings import Settings
from intents import deadlines
from knowledge import holidays
from knowledge.clock import clock_for
from knowledge.holidays import HolidayFileError, WorkCalendar

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
    cal = _calendar()
    result = deadlines.Deadlines(cal, shift=not no_shift).due(kind, day)
    for year in sorted({day.year, result.year}):
        if not cal.known(dt.date(year, 6, 1)):
            err.print(
                f"[yellow]no {year} holiday schedule (chinese-calendar or config/holidays.yaml): "
                "only weekends counted as days off — confirm locally[/yellow]"
            )
    print(result.isoformat())


@app.command("calendar")
def calendar(
    ahead: Annotated[
        int, typer.Option(help="Also check the years this many days ahead are known")
    ] = 120,
) -> None:
    """Where each year's days off come from; exits 1 when a year within --ahead days is
    unknown (add the State Council's notice to config/holidays.yaml; servers apply it without a restart)."""
    cal = _calendar()
    today = clock_for(Settings().today).today()
    years = range(today.year - 1, (today + dt.timedelta(days=ahead)).year + 2)
    for year in years:
        print(f"{year}: {cal.source(year)}")
    missing = holidays.unknown_years(cal, today, ahead)
    if missing:
        err.print(
            f"[yellow]no holiday schedule for {', '.join(map(str, sorted(missing)))}: deadlines in it "
            "count weekends only. Add the notice to config/holidays.yaml when it is published.[/yellow]"
        )
        raise typer.Exit(1)


def _calendar() -> WorkCalendar:
    try:
        return holidays.load(Settings().holidays_file)
    except HolidayFileError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc

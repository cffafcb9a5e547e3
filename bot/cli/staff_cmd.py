"""`vetbot staff add|passwd|unlock|disable`: manage staff accounts (工作人员账户)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import settings

app = typer.Typer(help="Staff accounts for the console (/staff).", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _password(given: str | None) -> str:
    if given:
        return given
    return str(
        typer.prompt("Password (min 8 characters)", hide_input=True, confirmation_prompt=True)
    )


@app.command("add")
def add(
    username: str,
    region: Annotated[
        str, typer.Option(help="Region code of the staff member's unit (their scope)")
    ],
    role: Annotated[str, typer.Option(help="staff | supervisor | leader | admin")] = "staff",
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password: Annotated[str | None, typer.Option(help="Password (prompted when omitted)")] = None,
) -> None:
    """Create a staff account scoped to a region subtree."""
    from db import staff
    from db.session import make_engine, session_factory, transaction
    from knowledge.regions import load

    s = settings()
    regions = load(s.regions_file)
    if region not in regions:
        err.print(f"[red]unknown region code {region}[/red]")
        raise typer.Exit(2)
    engine = make_engine(s.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            staff.create(session, username, _password(password), role, region, name)
    except staff.StaffError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"added {username} ({role}, {regions.full_name(region) or region})")


@app.command("passwd")
def passwd(
    username: str,
    password: Annotated[
        str | None, typer.Option(help="New password (prompted when omitted)")
    ] = None,
) -> None:
    """Set a new password; it also unlocks the account and ends its open sessions."""
    from db import staff
    from db.session import make_engine, session_factory, transaction

    engine = make_engine(settings().database_url)
    try:
        with transaction(session_factory(engine)) as session:
            account = staff.by_username(session, username)
            if account is None:
                raise staff.StaffError(f"no user {username!r}")
            staff.set_password(session, account, _password(password), "cli")  # ends sessions
            staff.unlock(session, username, "cli")
    except staff.StaffError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"password changed for {username}")


@app.command("unlock")
def unlock(
    username: Annotated[str | None, typer.Argument(help="Account to unlock")] = None,
    client: Annotated[
        str | None, typer.Option(help="Also (or only) a throttled client address")
    ] = None,
) -> None:
    """Lift a login lock now (it also ends by itself after the lock time); works when every
    admin is locked out of the console."""
    from db import staff
    from db.session import make_engine, session_factory, transaction

    if not username and not client:
        err.print("[red]name an account, or --client ADDRESS[/red]")
        raise typer.Exit(2)
    engine = make_engine(settings().database_url)
    with transaction(session_factory(engine)) as session:
        if username:
            if staff.by_username(session, username) is None:
                err.print(f"[red]no user {username!r}[/red]")
                raise typer.Exit(1)
            lifted = staff.unlock(session, username, "cli")
            out.print(f"{username}: {'unlocked' if lifted else 'was not locked'}")
        if client:
            lifted = staff.unlock_client(session, client, "cli")
            out.print(f"client {client}: {'unlocked' if lifted else 'was not throttled'}")


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account (it can no longer log in; open sessions end)."""
    from db import staff
    from db.session import make_engine, session_factory, transaction

    engine = make_engine(settings().database_url)
    with transaction(session_factory(engine)) as session:
        account = staff.by_username(session, username)
        if account is None:
            err.print(f"[red]no user {username!r}[/red]")
            raise typer.Exit(1)
        staff.disable(session, account, "cli")
    out.print(f"disabled {username}")

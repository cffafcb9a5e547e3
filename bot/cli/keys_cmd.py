"""`vetbot keys`: the key that seals personal data — make one, check, rotate."""

from __future__ import annotations

import secrets

import typer
from rich.console import Console

from bot.cli.common import settings

app = typer.Typer(help="The PII key (VETBOT_SECRET_KEY): new, check, rotate.")
out = Console()
err = Console(stderr=True)

STEPS = """To rotate the key:
  1. vetbot keys new                      → the new key
  2. on every host: VETBOT_SECRET_KEY=<new>, VETBOT_SECRET_KEY_PREVIOUS=<old>; restart
  3. vetbot keys rotate                   → re-seals everything under the new key
  4. vetbot keys check                    → 0 under a previous key, 0 unknown
Keep the old key in VETBOT_SECRET_KEY_PREVIOUS while petitions filed before the rotation
are open: their 查询码 can only be checked with it. Staff log in again (cookies are signed)."""


@app.command("new")
def new() -> None:
    """Print a fresh random key (64 characters) for VETBOT_SECRET_KEY."""
    print(secrets.token_urlsafe(48))


@app.command("check")
def check() -> None:
    """Count sealed values by key: current, previous (to rotate), unknown (exit 1)."""
    from bot.process.runtime import build_runtime
    from db.key_rotation import survey

    rt = build_runtime(settings())
    found = survey(rt.sessions, rt.vault)
    out.print(
        f"sealed under the current key: {found.current}; under a previous key: "
        f"{found.previous}; under no known key: {found.unknown}"
    )
    if found.previous:
        out.print("run `vetbot keys rotate` to re-seal them under the current key")
    if found.unknown:
        err.print(
            "[red]some values open with no configured key: set VETBOT_SECRET_KEY_PREVIOUS[/red]"
        )
        raise typer.Exit(1)


@app.command("rotate")
def rotate() -> None:
    """Re-seal every encrypted value under VETBOT_SECRET_KEY (old keys from
    VETBOT_SECRET_KEY_PREVIOUS); safe to interrupt and run again."""
    from bot.process.runtime import build_runtime
    from db.key_rotation import rotate as run_rotation

    rt = build_runtime(settings())
    if not rt.vault.previous:
        err.print("[yellow]VETBOT_SECRET_KEY_PREVIOUS is empty: nothing to rotate from.[/yellow]")
        err.print(STEPS)
        raise typer.Exit(2)
    done = run_rotation(
        rt.sessions, rt.vault, progress=lambda table, n: err.print(f"  {table}: +{n}")
    )
    out.print(f"re-sealed {done.total} values under the current key")
    for key, n in sorted(done.resealed.items()):
        out.print(f"  {key}: {n}")
    if done.unreadable:
        err.print(f"[red]{sum(done.unreadable.values())} values open with no configured key:[/red]")
        for key, n in sorted(done.unreadable.items()):
            err.print(f"  {key}: {n}")
        raise typer.Exit(1)

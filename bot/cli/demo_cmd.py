"""`vetbot demo`: prepare the DB and a demo admin, and print how to log in."""

from __future__ import annotations

from rich.console import Console

from bot.cli.common import settings

out = Console()
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-pass-2026"


def demo() -> None:
    """Migrate the DB, create the demo admin (if missing) and print the URLs and login."""
    from bot.process.runtime import build_runtime
    from db import staff
    from db.migrate import upgrade
    from db.session import transaction

    s = settings()
    upgrade(s.database_url)
    rt = build_runtime(s)
    with transaction(rt.sessions) as session:
        if staff.by_username(session, DEMO_USER) is None:
            county = rt.ctx.regions.ancestor(rt.ctx.regions.default_code, "county")
            staff.create(
                session,
                DEMO_USER,
                DEMO_PASSWORD,
                "admin",
                county.code if county else rt.ctx.regions.default_code,
                "演示管理员",
            )
    base = f"http://{s.host}:{s.port}"
    out.print(f"[bold]vetbot[/bold] ready: {len(rt.ctx.kb)} KB entries, database {s.database_url}")
    out.print(f"  web chat:      {base}/chat")
    out.print(
        f"  staff console: {base}/staff   login: [bold]{DEMO_USER}[/bold] / [bold]{DEMO_PASSWORD}[/bold] (demo only)"
    )
    out.print(f'  API:           POST {base}/api/ask  {{"q": "优待证怎么办"}}')
    if s.secret_key.startswith("dev-only"):
        out.print(
            "[yellow]VETBOT_SECRET_KEY is the development default: set your own before real use.[/yellow]"
        )

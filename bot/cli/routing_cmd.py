"""`vetbot routing list|add|remove`: routing rules kept in the database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.cli.common import settings

app = typer.Typer(
    help="Ticket routing rules stored in the database (tried before config/routing.yaml).",
    no_args_is_help=True,
)
out = Console()


@app.command("list")
def list_rules() -> None:
    """Rules in the order they are tried: database first, then the file."""
    from bot.process.runtime import build_runtime
    from bot.tickets import routing
    from db import routing_rules
    from db.session import transaction

    rt = build_runtime(settings())
    with transaction(rt.sessions) as session:
        merged = routing.with_db_rules(
            routing.current(rt.settings.routing_file), routing_rules.active(session)
        )
    table = Table("#", "name", "region", "kinds", "categories", "queue")
    for n, rule in enumerate(merged.rules, 1):
        table.add_row(
            str(n),
            escape(rule.name),
            rule.region or "*",
            ",".join(sorted(rule.kinds)) or "*",
            ",".join(sorted(rule.categories)) or "*",
            rule.queue,
        )
    out.print(table)
    out.print(f"no rule matches → {merged.default}")


@app.command("add")
def add(
    queue: Annotated[
        str, typer.Argument(help="A level (village, town, county, city) or a region code")
    ],
    name: Annotated[str, typer.Option(help="What the rule is for")] = "",
    region: Annotated[
        str | None, typer.Option(help="Only for veterans inside this region's subtree")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Ticket type(s), repeatable")] = None,
    category: Annotated[
        list[str] | None, typer.Option(help="Petition category(ies), repeatable")
    ] = None,
    position: Annotated[int, typer.Option(help="Lower is tried first")] = 100,
) -> None:
    """Add a rule; it applies to the next ticket, in every server process."""
    from bot.process.runtime import build_runtime
    from bot.tickets import routing
    from db import routing_rules
    from db.session import transaction

    rt = build_runtime(settings())
    candidate = routing.Rule(queue, region, frozenset(kind or ()), frozenset(category or ()), name)
    try:
        routing.check(routing.Routing((candidate,)), rt.ctx.regions)
    except routing.RoutingError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with transaction(rt.sessions) as session:
        rule = routing_rules.add(session, queue, name, region, kind or (), category or (), position)
        out.print(f"added rule {rule.id}")


@app.command("remove")
def remove(
    rule_id: Annotated[int, typer.Argument(help="The rule's id (see `vetbot routing list`)")],
) -> None:
    """Switch a database rule off (kept for the record)."""
    from bot.process.runtime import build_runtime
    from db import routing_rules
    from db.session import transaction

    rt = build_runtime(settings())
    with transaction(rt.sessions) as session:
        if not routing_rules.deactivate(session, rule_id):
            raise typer.BadParameter(f"no rule {rule_id}")
    out.print(f"rule {rule_id} removed")

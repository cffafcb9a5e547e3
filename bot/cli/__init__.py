"""`vetbot` command line (typer). Each command group lives in its own module."""

from __future__ import annotations

import typer

from bot.cli import (
    ask_cmd,
    db_cmd,
    demo_cmd,
    kb_cmd,
    keys_cmd,
    photo_cmd,
    purge_cmd,
    routing_cmd,
    serve_cmd,
    sla_cmd,
    staff_cmd,
    tickets_cmd,
    wechat_cmd,
)

app = typer.Typer(
    name="vetbot",
    help="退役军人服务助手 vetbot — ask the bot, run the server, curate the KB, manage the DB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("ask")(ask_cmd.ask)
app.command("eval")(ask_cmd.evaluate)
app.command("chat")(ask_cmd.chat)
app.command("unanswered")(kb_cmd.unanswered)
app.command("serve")(serve_cmd.serve)
app.command("demo")(demo_cmd.demo)
app.command("purge")(purge_cmd.purge)
app.add_typer(kb_cmd.app, name="kb")
app.add_typer(db_cmd.app, name="db")
app.add_typer(wechat_cmd.app, name="wechat")
app.add_typer(tickets_cmd.app, name="tickets")
app.add_typer(sla_cmd.app, name="sla")
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(routing_cmd.app, name="routing")
app.add_typer(photo_cmd.app, name="photo")
app.add_typer(keys_cmd.app, name="keys")


def main() -> None:
    app()

"""`vetbot wechat menu [--apply]`: the Official Account's custom menu (自定义菜单)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bot.cli.common import err, settings
from bot.delivery.clients import OfficialAccountClient
from bot.delivery.tokens import TokenCache
from db.session import make_engine, session_factory

app = typer.Typer(help="WeChat Official Account: menu.", no_args_is_help=True)


def menu() -> dict[str, Any]:
    """Three top-level buttons (WeChat's maximum); CLICK keys are the engine's menu events."""

    def click(name: str, key: str) -> dict[str, str]:
        return {"type": "click", "name": name, "key": key}

    return {
        "button": [
            {
                "name": "办事服务",
                "sub_button": [
                    click("优待证", "card"),
                    click("生存认证", "survival_cert"),
                    click("查询进度", "lookup"),
                ],
            },
            click("政策咨询", "policy"),
            {
                "name": "找我们",
                "sub_button": [click("我要反映", "petition"), click("转人工", "handoff")],
            },
        ]
    }


@app.command("menu")
def menu_cmd(
    apply: Annotated[
        bool, typer.Option("--apply", help="Set it on the Official Account (else print it)")
    ] = False,
) -> None:
    """Print the menu as JSON, or set it with --apply (needs VETBOT_WECHAT_APPID/SECRET)."""
    data = menu()
    if not apply:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    s = settings()
    if not (s.wechat_appid and s.wechat_secret):
        err.print("[red]Set VETBOT_WECHAT_APPID and VETBOT_WECHAT_SECRET first.[/red]")
        raise typer.Exit(2)
    engine = make_engine(s.database_url)
    try:
        client = OfficialAccountClient(
            s.wechat_appid, s.wechat_secret, s.wechat_api_base, TokenCache(session_factory(engine))
        )
        client.menu.create(data)
    finally:
        engine.dispose()
    typer.echo(
        "menu applied: 办事服务(优待证/生存认证/查询进度) · 政策咨询 · 找我们(我要反映/转人工)"
    )

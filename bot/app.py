"""The ASGI app factory. Every route is listed here, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.channels import lifespan as channels
from bot.channels.telegram import channel as telegram
from bot.channels.wechat import channel as wechat
from bot.console import staff_routes
from bot.process import kb_watch
from bot.process.runtime import Runtime, build_runtime
from bot.process.settings import Settings
from bot.shell import rate_limit
from bot.tickets import escalation
from bot.web import api, chat, health, outage
from bot.web.headers import SecurityHeaders
from bot.web.limits import AddressLimit, BodyLimit
from bot.web.metrics import MetricsPage, metrics
from bot.web.request_log import RequestLog

HERE = Path(__file__).parent
API_BODY_LIMIT = 16 * 1024
WEBHOOK_BODY_LIMIT = 1024 * 1024


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )


async def home(_request: object) -> RedirectResponse:
    return RedirectResponse("/chat", status_code=302)


def routes() -> list[Route | Mount]:
    return [
        Route("/", home),
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        Route("/metrics", metrics),
        Route("/api/ask", api.api_ask, methods=["POST"]),
        Route("/chat", chat.chat_page),
        Route("/chat/send", chat.chat_send, methods=["POST"]),
        Route("/chat/poll", chat.chat_poll),
        Route("/wechat", wechat.endpoint, methods=["GET", "POST"]),
        Route("/telegram/{path}", telegram.endpoint, methods=["POST"]),
        Mount(
            "/staff", routes=staff_routes()
        ),  # the staff console's own table: bot/console/routes.py
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def _address_hits(rt: Runtime, address: str) -> int:
    """Requests from one address this minute (counted in the DB); refusals in /metrics.
    Without a database the request goes on to its endpoint, which answers a clean 503."""
    try:
        hits = rate_limit.address_hits(rt, address)
    except outage.UNAVAILABLE:
        return 0
    if hits > rt.settings.web_rate_limit_per_minute > 0:
        rt.metrics.rate_limited.labels("address").inc()
    return hits


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            channels.running(app, rt),
            escalation.running(rt),
            kb_watch.running(rt),
        ):  # WeChat, Telegram, outbox worker; deadline sweeps; KB edits by other processes
            yield

    app = Starlette(
        routes=routes(),
        middleware=[
            # trusted proxies' X-Forwarded-For/-Proto first: client address and https
            Middleware(ProxyHeadersMiddleware, trusted_hosts=rt.settings.forwarded_allow_ips),
            Middleware(RequestLog),
            Middleware(SecurityHeaders),
            Middleware(
                BodyLimit,
                limits=[("/api/", API_BODY_LIMIT), ("/chat/", API_BODY_LIMIT)],
                default=WEBHOOK_BODY_LIMIT,
            ),
            Middleware(
                AddressLimit,
                paths=["/chat/send", "/api/ask"],
                per_minute=lambda: rt.settings.web_rate_limit_per_minute,
                count=lambda address: _address_hits(rt, address),
            ),
        ],
        lifespan=lifespan,
        exception_handlers={cls: outage.database_unavailable for cls in outage.UNAVAILABLE},
    )
    app.state.runtime = rt
    app.state.readiness = health.ReadinessProbe(rt)
    app.state.metrics_page = MetricsPage(rt)
    app.state.templates = templates()
    return app

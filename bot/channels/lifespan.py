"""Starting and stopping the channels, the outbox worker and the inbox drain with the
app (lifespan).

Sets ``app.state.wechat``, ``app.state.telegram`` (None when not configured),
``app.state.delivery`` (the ``OutboxWorker``; call ``.kick()`` after committing rows) and
``app.state.drain`` (the inbox ``Drain``: startup recovery, then every few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from telegram.error import TelegramError

from bot.channels.telegram import channel as telegram
from bot.channels.wechat.channel import WeChatChannel
from bot.delivery.clients import OfficialAccountClient, WeComAppClient
from bot.delivery.outbox import RetryPolicy
from bot.delivery.outcome import Sender
from bot.delivery.senders import LogOnlySender, TelegramSender, WeChatSender, WeComSender
from bot.delivery.tokens import TokenCache
from bot.delivery.worker import OutboxWorker
from bot.process import background
from bot.process.metrics import multiprocess_dir
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell.drain import Drain
from bot.shell.inbox import Pending

log = logging.getLogger(__name__)


def platform_senders(settings: Settings, tokens: TokenCache) -> dict[str, Sender]:
    """Senders for the channels that are configured (web and CLI need none)."""
    senders: dict[str, Sender] = {"web": LogOnlySender(), "cli": LogOnlySender()}
    if settings.wechat_appid and settings.wechat_secret:
        client = OfficialAccountClient(
            settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base, tokens
        )
        senders["wechat"] = WeChatSender(client)
    if settings.wecom_corp_id and settings.wecom_secret and settings.wecom_agent_id:
        wecom = WeComAppClient(
            settings.wecom_corp_id, settings.wecom_secret, settings.wecom_api_base, tokens
        )
        console = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip(
            "/"
        ) + "/staff"
        senders["wecom"] = WeComSender(wecom, settings.wecom_agent_id, console)
    return senders


async def _start_telegram(rt: Runtime, worker: OutboxWorker) -> telegram.TelegramChannel | None:
    settings = rt.settings
    if not (settings.telegram_token and settings.telegram_secret):
        return None
    channel = telegram.build(rt, settings, worker.kick)
    try:
        await channel.application.initialize()
        await channel.application.start()
        if settings.public_url:
            url = f"{settings.public_url.rstrip('/')}/telegram/{channel.path}"
            await channel.application.bot.set_webhook(
                url,
                secret_token=settings.telegram_secret,
                allowed_updates=["message", "callback_query"],
            )
    except (TelegramError, OSError):
        log.exception("telegram: could not start; the channel is off until restart")
        return None
    return channel


@asynccontextmanager
async def running(app: Starlette, rt: Runtime) -> AsyncIterator[None]:
    settings = rt.settings
    senders = platform_senders(settings, TokenCache(rt.sessions))
    worker = OutboxWorker(
        rt.sessions,
        senders,
        rt.ctx.regions,
        RetryPolicy(max_attempts=settings.outbox_max_attempts),
        settings.outbox_poll_seconds,
    )
    tg = await _start_telegram(rt, worker)
    if tg is not None:
        senders["telegram"] = TelegramSender(tg.application.bot)
    wechat = WeChatChannel.from_settings(rt, settings, worker.kick)
    drain = Drain(rt, {"wechat": _recover_by(wechat)}, worker.kick, settings.inbox_drain_seconds)
    app.state.wechat, app.state.telegram, app.state.delivery = wechat, tg, worker
    app.state.drain = drain
    task = asyncio.create_task(worker.run()) if settings.outbox_worker else None
    try:
        async with background.running(drain.run, settings.inbox_drain_seconds > 0):
            yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if tg is not None:
            await tg.application.stop()
            await tg.application.shutdown()
        wechat.close()
        _metrics_process_ended()


def _metrics_process_ended() -> None:
    """Multiprocess metrics: this worker's live gauges stop counting."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


def _recover_by(wechat: WeChatChannel) -> Callable[[Pending], bool]:
    return lambda pending: wechat.recover(pending.inbound, pending.key)

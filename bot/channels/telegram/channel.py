"""`POST /telegram/{path}` — Telegram in webhook mode, inside the same ASGI app.

A python-telegram-bot ``Application`` built with ``updater(None)`` (no polling) and
started in the app lifespan. The route checks the secret token header, then hands
the update to the Application, whose handlers split veterans (→ shell, replies via
the outbox with options as inline buttons) from staff commands (``telegram_staff``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram.staff import StaffCommands
from bot.channels.wechat.message import PLEASE_TYPE
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell import rate_limit
from bot.shell.inbound import handle, queue_reply
from bot.shell.inbox import receive
from db.session import transaction
from intents.turn import Inbound, Reply

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4000
Context = ContextTypes.DEFAULT_TYPE


def webhook_path(secret: str) -> str:
    """The URL path segment, derived from (not equal to) the header secret."""
    return hashlib.sha256(f"vetbot-telegram-path:{secret}".encode()).hexdigest()[:32]


@dataclass
class TelegramChannel:
    application: Application
    secret: str
    failed: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        return webhook_path(self.secret)


def build(rt: Runtime, settings: Settings, kick: Callable[[], None]) -> TelegramChannel:
    app = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base)
        .updater(None)
        .build()
    )
    channel = TelegramChannel(app, settings.telegram_secret)
    veteran = _Veteran(rt, kick)
    staff = StaffCommands(rt, kick)
    app.add_handler(CommandHandler("start", veteran.start))
    app.add_handler(CommandHandler("link", _command(rt, staff.link)))
    app.add_handler(CommandHandler("queue", _command(rt, staff.queue)))
    app.add_handler(CommandHandler("claim", _command(rt, staff.claim)))
    app.add_handler(CommandHandler("reply", _command(rt, staff.reply, keep_text=True)))
    app.add_handler(CommandHandler("escalate", _command(rt, staff.escalate, keep_text=True)))
    app.add_handler(CallbackQueryHandler(veteran.button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, veteran.text))
    app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, veteran.media))

    async def on_error(update: object, context: Context) -> None:
        log.error("telegram update failed", exc_info=context.error)
        if isinstance(update, Update):
            channel.failed.add(update.update_id)

    app.add_error_handler(on_error)
    return channel


async def _limited(rt: Runtime, update: Update) -> bool:
    """Over the per-user limit (bot/shell/rate_limit.py) for what is answered without the
    shell: staff commands, link codes, media. The notice is said once per window."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return True
    verdict = await asyncio.to_thread(rate_limit.check, rt, "telegram", str(chat.id))
    if verdict.notice is not None and message is not None:
        await message.reply_text(verdict.notice.text)
    return verdict.limited


def _command(
    rt: Runtime, run: Callable[[str, list[str]], str], keep_text: bool = False
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    async def callback(update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or await _limited(rt, update):
            return
        args = (message.text or "").split(maxsplit=2)[1:] if keep_text else list(context.args or [])
        answer = await asyncio.to_thread(run, str(chat.id), args)
        await message.reply_text(answer)

    return callback


class _Veteran:
    """Veterans chat exactly as on WeChat; replies go out through the outbox."""

    def __init__(self, rt: Runtime, kick: Callable[[], None]) -> None:
        self.rt = rt
        self.kick = kick

    async def start(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is not None and context.args:  # t.me/<bot>?start=<code>: a staff link code
            if await _limited(self.rt, update):  # link codes cannot be guessed in bulk
                return
            answer = await asyncio.to_thread(
                StaffCommands(self.rt, self.kick).link, str(chat.id), list(context.args)
            )
            if update.effective_message is not None:
                await update.effective_message.reply_text(answer)
            return
        await self._step(update, "", f"u{update.update_id}", event="subscribe")

    async def text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        await self._step(update, (message.text or "") if message else "", f"u{update.update_id}")

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await self._step(update, query.data or "", f"cb{query.id}")

    async def media(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is not None and not await _limited(self.rt, update):
            await asyncio.to_thread(self._queue, str(chat.id), PLEASE_TYPE)
            self.kick()

    async def _step(self, update: Update, text: str, key: str, event: str | None = None) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        inbound = Inbound(
            channel="telegram",
            user_id=str(chat.id),
            text=text[:MAX_TEXT],
            at=self.rt.clock.now(),
            msg_id=key,
            event=event,
        )
        await asyncio.to_thread(self._handle, inbound, key)
        self.kick()

    def _handle(self, inbound: Inbound, key: str) -> None:
        receive(self.rt, [(inbound, key)])  # on disk before Telegram hears 200
        try:
            handle(self.rt, inbound, dedupe_key=key, queue_replies=True)
        except IntegrityError:  # a concurrent duplicate won; its replies are queued
            handle(self.rt, inbound, dedupe_key=key, queue_replies=True)

    def _queue(self, chat_id: str, text: str) -> None:
        with transaction(self.rt.sessions) as session:
            queue_reply(session, "telegram", chat_id, Reply(text))


async def endpoint(request: Request) -> Response:
    channel: TelegramChannel | None = getattr(request.app.state, "telegram", None)
    if channel is None or not hmac.compare_digest(
        request.path_params.get("path", ""), channel.path
    ):
        return PlainTextResponse("not found", status_code=404)
    if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), channel.secret):
        return PlainTextResponse("invalid secret token", status_code=403)
    try:
        update = Update.de_json(json.loads(await request.body()), channel.application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return PlainTextResponse("bad update", status_code=400)
    await channel.application.process_update(update)
    if update.update_id in channel.failed:  # let Telegram retry; dedupe keeps it to one engine run
        channel.failed.discard(update.update_id)
        return PlainTextResponse("failed", status_code=500)
    return Response(status_code=200)

"""`GET/POST /wechat` — the WeChat Official Account callback (公众号服务器配置).

GET answers WeChat's URL verification (echostr). POST: check the signature (403),
decrypt in safe mode, parse safely (400), map to an ``Inbound``, run the shell once
per MsgId, and answer passively within ~4 s — or ``success`` and the 客服 API later.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channels.wechat import message as wm
from bot.channels.wechat.passive import PassiveRunner
from bot.channels.wechat.replay import ReplayGuard
from bot.delivery.split import split_bytes
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell.inbound import Handled
from db.models import OutboxMessage
from db.session import transaction

log = logging.getLogger(__name__)
SUCCESS = "success"  # WeChat: received, no passive reply


@dataclass
class WeChatChannel:
    rt: Runtime
    keys: wm.WeChatKeys
    runner: PassiveRunner
    kick: Callable[[], None]  # wake the outbox worker (thread-safe)
    guard: ReplayGuard  # fresh timestamps, nonces used once (bot/channels/wechat/replay.py)

    @classmethod
    def from_settings(
        cls, rt: Runtime, settings: Settings, kick: Callable[[], None]
    ) -> WeChatChannel:
        keys = wm.WeChatKeys(settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key)
        # SQLite holds its write lock for the whole batch: more threads only queue on the
        # lock (busy-wait sleeps → long tails); one thread batching the queue is fairer.
        threads = 1 if rt.engine.dialect.name == "sqlite" else 4
        runner = PassiveRunner(rt, settings.wechat_passive_seconds, threads)
        guard = ReplayGuard(rt.sessions, rt.clock, settings.wechat_max_age_seconds)
        return cls(rt, keys, runner, kick, guard)

    async def answer(self, query: wm.Query, body: bytes) -> Response:
        try:
            msg = wm.read(self.keys, query, body)
            await asyncio.to_thread(self.guard.check, query, body)
        except wm.Forbidden:
            return PlainTextResponse("invalid signature", status_code=403)
        except wm.BadMessage as exc:
            log.info("wechat: rejected message: %s", exc)
            return PlainTextResponse("bad request", status_code=400)
        text = await self._reply_text(msg)
        if text is None:
            return PlainTextResponse(SUCCESS)
        return Response(wm.render(self.keys, query, msg, text), media_type="application/xml")

    async def _reply_text(self, msg: wm.WeChatMessage) -> str | None:
        inbound = wm.to_inbound(msg, self.rt.clock.now())
        if inbound is None:
            return wm.PLEASE_TYPE if wm.wants_please_type(msg) else None
        handled = await self.runner.run(
            inbound, msg.dedupe_key, lambda h: self._queue(msg.from_user, h, 0)
        )
        if handled is None:
            return None
        pieces = split_bytes(handled.text())
        if len(pieces) > 1 and not handled.duplicate:
            await asyncio.to_thread(self._queue, msg.from_user, handled, 1)
        return pieces[0] if pieces[0].strip() else None

    def _queue(self, openid: str, handled: Handled, skip: int) -> None:
        """Queue the answer (from piece ``skip`` on) as 客服 messages, in order."""
        pieces = split_bytes(handled.text())[skip:]
        with transaction(self.rt.sessions) as session:
            for piece in pieces:
                session.add(
                    OutboxMessage(
                        channel="wechat",
                        recipient=openid,
                        kind="message",
                        text=piece,
                        options_json=json.dumps([]),
                    )
                )
        self.kick()


def _query(request: Request) -> wm.Query:
    q = request.query_params
    return wm.Query(
        signature=q.get("signature", ""),
        timestamp=q.get("timestamp", ""),
        nonce=q.get("nonce", ""),
        encrypt_type=q.get("encrypt_type", ""),
        msg_signature=q.get("msg_signature", ""),
    )


async def endpoint(request: Request) -> Response:
    channel: WeChatChannel | None = getattr(request.app.state, "wechat", None)
    if channel is None or not channel.keys.token:
        return PlainTextResponse("wechat is not configured", status_code=404)
    query = _query(request)
    if request.method == "GET":
        try:
            wm.verify(channel.keys, query)
        except wm.Forbidden:
            return PlainTextResponse("invalid signature", status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))
    return await channel.answer(query, await request.body())

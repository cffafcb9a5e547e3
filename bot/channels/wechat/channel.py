"""`GET/POST /wechat` — the WeChat Official Account callback (公众号服务器配置).

GET answers WeChat's URL verification (echostr). POST: check the signature (403),
decrypt in safe mode, parse safely (400), map to an ``Inbound``, store it in the durable
inbox (503 when the database cannot take it: WeChat retries), run the shell once per
MsgId, and answer passively within ~4 s — or ``success`` and the 客服 API later. Nothing
is acknowledged before it is on disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channels.wechat import message as wm
from bot.channels.wechat.passive import PassiveRunner, Waiter
from bot.channels.wechat.replay import ReplayGuard
from bot.delivery.split import split_bytes
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell.inbound import Handled
from bot.shell.inbox import InboxWriter
from db.models import OutboxMessage
from intents.turn import Inbound

log = logging.getLogger(__name__)
SUCCESS = "success"  # WeChat: received, no passive reply
RETRY_LATER = 503  # WeChat retries a message that got no 200 (three tries in all)


@dataclass
class WeChatChannel:
    rt: Runtime
    keys: wm.WeChatKeys
    runner: PassiveRunner
    inbox: InboxWriter
    kick: Callable[[], None]  # wake the outbox worker (thread-safe)
    guard: ReplayGuard  # fresh timestamps, nonces used once (bot/channels/wechat/replay.py)

    @classmethod
    def from_settings(
        cls,
        rt: Runtime,
        settings: Settings,
        kick: Callable[[], None],
        inbox: InboxWriter | None = None,
    ) -> WeChatChannel:
        keys = wm.WeChatKeys(settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key)
        # SQLite holds its write lock for the whole batch: more threads only queue on the
        # lock (busy-wait sleeps → long tails); one thread batching the queue is fairer.
        threads = 1 if rt.engine.dialect.name == "sqlite" else 4
        runner = PassiveRunner(rt, settings.wechat_passive_seconds, threads, after_batch=kick)
        guard = ReplayGuard(rt.sessions, rt.clock, settings.wechat_max_age_seconds)
        return cls(rt, keys, runner, inbox or InboxWriter(rt), kick, guard)

    def close(self) -> None:
        self.runner.close()
        self.inbox.close()

    def recover(self, inbound: Inbound, key: str) -> bool:
        """Finish a message taken back from the inbox: the answer goes as 客服 messages."""
        return self.runner.recover(inbound, key, self._deliver)

    async def answer(self, query: wm.Query, body: bytes) -> Response:
        started = time.monotonic()
        try:
            msg = wm.read(self.keys, query, body)
            await asyncio.to_thread(self.guard.check, query, body)
        except wm.Forbidden:
            return PlainTextResponse("invalid signature", status_code=403)
        except wm.BadMessage as exc:
            log.info("wechat: rejected message: %s", exc)
            return PlainTextResponse("bad request", status_code=400)
        except SQLAlchemyError as exc:  # the database is away: nothing stored, WeChat retries
            log.warning("wechat: answering 503 (%s); WeChat will retry", type(exc).__name__)
            return PlainTextResponse("busy, retry", status_code=RETRY_LATER)
        try:
            text = await self._reply_text(msg, started)
        except Exception as exc:  # not stored, or stored but not handled: WeChat retries
            log.warning("wechat: answering 503 (%s); WeChat will retry", type(exc).__name__)
            return PlainTextResponse("busy, retry", status_code=RETRY_LATER)
        if text is None:
            return PlainTextResponse(SUCCESS)
        return Response(wm.render(self.keys, query, msg, text), media_type="application/xml")

    async def _reply_text(self, msg: wm.WeChatMessage, started: float) -> str | None:
        inbound = wm.to_inbound(msg, self.rt.clock.now())
        if inbound is None:
            return wm.PLEASE_TYPE if wm.wants_please_type(msg) else None
        patience = self.runner.patience
        left = patience - (time.monotonic() - started)
        await self.inbox.receive(inbound, msg.dedupe_key, timeout=max(left, 0.5))  # on disk first
        handled = await self.runner.run(
            inbound, msg.dedupe_key, self._deliver, patience - (time.monotonic() - started)
        )
        if handled is None:
            return None
        first = split_bytes(handled.text())[0]
        return first if first.strip() else None

    def _deliver(self, session: Session, openid: str, handled: Handled, waiter: Waiter) -> str:
        """In the handling transaction: queue as 客服 messages what no response will carry."""
        pieces = split_bytes(handled.text())
        if waiter == "reply":
            if not handled.duplicate:
                _queue(session, openid, pieces[1:])  # a long answer: the rest, in order
            return handled.answered
        if handled.duplicate:
            if waiter == "recovered" or handled.answered == "outbox":
                return handled.answered  # answered already; nothing more to send
            # WeChat retried an answered message: its passive reply never arrived
            _queue(session, openid, pieces[:1])
            return "outbox"
        _queue(session, openid, pieces)
        return "outbox"


def _queue(session: Session, openid: str, pieces: Sequence[str]) -> None:
    """Queue pieces of an answer as 客服 messages, in order."""
    for piece in pieces:
        if piece.strip():
            session.add(
                OutboxMessage(
                    channel="wechat",
                    recipient=openid,
                    kind="message",
                    text=piece,
                    options_json=json.dumps([]),
                )
            )


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

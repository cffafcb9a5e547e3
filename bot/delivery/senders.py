"""Senders per channel: WeChat 客服 messages, WeCom text cards, Telegram, and the web chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import requests
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from wechatpy.exceptions import WeChatClientException

from bot.delivery.clients import OfficialAccountClient, WeComAppClient
from bot.delivery.outcome import SENT, Item, Outcome, retry, undeliverable
from bot.delivery.split import split_bytes, split_chars

log = logging.getLogger(__name__)

# 45015: outside the 48-hour customer-service window; 43004: unsubscribed; 40003: bad openid;
# 48001: API not authorised for this account; 45047: too many messages without a user reply.
WECHAT_PERMANENT = frozenset({45015, 43004, 40003, 48001, 45047, 43019})
# WeCom: invalid / unknown user, user outside the app's visible range.
WECOM_PERMANENT = frozenset({40003, 60111, 81013, 60011, 48002})


def _send_pieces(
    pieces: Sequence[str], send_one: Callable[[str], None], permanent: frozenset[int]
) -> Outcome:
    """Send pieces in order; on failure keep the unsent rest for the retry (no duplicates)."""
    for done, piece in enumerate(pieces):
        try:
            send_one(piece)
        except WeChatClientException as exc:
            if exc.errcode in permanent:
                return undeliverable(f"errcode {exc.errcode}: {exc.errmsg}")
            return retry(f"errcode {exc.errcode}: {exc.errmsg}", _rest(pieces, done))
        except requests.RequestException as exc:
            return retry(f"{type(exc).__name__}: {exc}", _rest(pieces, done))
    return SENT


def _rest(pieces: Sequence[str], done: int) -> str | None:
    return "\n".join(pieces[done:]) if done else None


class WeChatSender:
    """Veteran messages through the 客服 message API (plain text, options as a numbered list)."""

    def __init__(self, client: OfficialAccountClient) -> None:
        self.client = client

    async def send(self, item: Item) -> Outcome:
        pieces = split_bytes(item.reply().plain())
        return await asyncio.to_thread(
            _send_pieces,
            pieces,
            lambda text: self.client.message.send_text(item.recipient, text),
            WECHAT_PERMANENT,
        )


class WeComSender:
    """Staff notifications as WeCom text cards linking to the console."""

    def __init__(self, client: WeComAppClient, agent_id: str, console_url: str) -> None:
        self.client = client
        self.agent_id = agent_id
        self.console_url = console_url

    async def send(self, item: Item) -> Outcome:
        title = "【紧急】退役军人服务工单" if item.kind == "crisis" else "退役军人服务工单提醒"

        def send_card(text: str) -> None:
            self.client.message.send_text_card(
                self.agent_id, item.recipient, title, text[:500], self.console_url, "查看"
            )

        return await asyncio.to_thread(_send_pieces, [item.text], send_card, WECOM_PERMANENT)


class TelegramSender:
    """Messages and staff notifications through the Bot API; options as inline buttons."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, item: Item) -> Outcome:
        pieces = split_chars(item.text)
        for done, piece in enumerate(pieces):
            markup = keyboard(item.options) if done == len(pieces) - 1 else None
            try:
                await self.bot.send_message(int(item.recipient), piece, reply_markup=markup)
            except (Forbidden, BadRequest) as exc:  # blocked by the user, chat gone
                return undeliverable(f"{type(exc).__name__}: {exc.message}")
            except RetryAfter as exc:
                return retry(f"RetryAfter {exc.retry_after}", _rest(pieces, done))
            except (TelegramError, ValueError) as exc:
                return retry(f"{type(exc).__name__}: {exc}", _rest(pieces, done))
        return SENT


def keyboard(options: Sequence[str]) -> InlineKeyboardMarkup | None:
    """One button per row; the button sends the option's text back (or its number if too long)."""
    if not options:
        return None
    rows = [
        [InlineKeyboardButton(o, callback_data=_callback(i, o))] for i, o in enumerate(options, 1)
    ]
    return InlineKeyboardMarkup(rows)


def _callback(number: int, option: str) -> str:
    return option if len(option.encode("utf-8")) <= 64 else str(number)


class LogOnlySender:
    """The web chat and CLI read the message log; nothing to push."""

    async def send(self, item: Item) -> Outcome:
        return SENT

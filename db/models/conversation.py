"""Conversations (会话) and their messages, plus the inbound dedupe receipts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped, utcnow


class Conversation(Timestamped, Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    state_json: Mapped[str] = mapped_column(Text, default="{}")
    state_version: Mapped[int] = mapped_column(default=0)
    # the veteran's region once known (copied from the encrypted state, for staff figures)
    region_code: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: when the web chat page last polled (web users only): staff see whether a reply is
    #: seen now or only when the page is opened again
    seen_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Message(Timestamped, Base):
    """One line in or out. Texts may contain what veterans typed; PII-bearing slot
    answers are stored masked (see bot.shell.inbound)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    sender: Mapped[str] = mapped_column(String(64))  # veteran | bot | staff:<username>
    text: Mapped[str] = mapped_column(Text)
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    intent: Mapped[str | None] = mapped_column(String(32), default=None)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    #: the KB version a bot reply was answered from (``bot.process.kb_store.KbVersion``)
    kb_version: Mapped[str | None] = mapped_column(String(40), default=None)


class InboundReceipt(Timestamped, Base):
    """A channel message already handled (WeChat retries it): its replies, to resend."""

    __tablename__ = "inbound_receipts"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: the channel's dedupe key; on WeChat FromUserName+MsgId (MsgIds of two users can
    #: collide), for events FromUserName+CreateTime (bot.channels.wechat.message)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    replies_json: Mapped[str] = mapped_column(Text, default="[]")

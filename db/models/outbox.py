"""Outgoing messages and notifications, written in the step's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped, utcnow

STATUSES = ("pending", "sending", "sent", "failed", "undeliverable")


class OutboxMessage(Timestamped, Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # wechat | telegram | web | wecom | cli
    recipient: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="message")  # message | notification
    text: Mapped[str] = mapped_column(Text)
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ApiToken(Base):
    """A platform access token (WeChat, WeCom) shared by every worker process: one row
    per client. ``refreshing_until`` is a claim: the process that set it is fetching a
    new token (outside any transaction) and the others wait for it until then."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    refreshing_until: Mapped[dt.datetime | None] = mapped_column(default=None)

"""The durable inbox: every channel message, written before anything is acknowledged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow

STATUSES = ("pending", "done", "failed")
ANSWERS = ("", "reply", "outbox")  # how the answer left: in the channel's response, or the outbox


class InboxMessage(Base):
    """One inbound channel message (收件箱), keyed by the channel's dedupe key.

    ``pending`` until the transaction that handled it marks it ``done`` (so a crash in
    between leaves it pending, and a restarted server finishes it); ``failed`` after
    too many attempts. ``payload`` is the encrypted message, cleared once handled.
    ``lease_until``: nobody else picks a pending row up before then (the process that
    received it is working on it)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "key"),
        Index("ix_inbox_due", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    answer: Mapped[str] = mapped_column(String(16), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(200), default="")

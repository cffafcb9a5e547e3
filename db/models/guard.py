"""Counters that protect the channels: WeChat nonces already used, and hits per window
(messages per user, requests per client address, wrong lookup codes per ticket).

Both live in the database so every worker process sees the same figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class SeenNonce(Base):
    """A signed WeChat callback already accepted: its nonce may not sign another body."""

    __tablename__ = "seen_nonces"
    __table_args__ = (Index("ix_seen_nonces_expires_at", "expires_at"),)

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp: Mapped[str] = mapped_column(String(20), primary_key=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RateCount(Base):
    """Hits of one subject (a user, an address, a ticket number) in one fixed window."""

    __tablename__ = "rate_counts"
    __table_args__ = (Index("ix_rate_counts_expires_at", "expires_at"),)

    scope: Mapped[str] = mapped_column(String(24), primary_key=True)  # e.g. user:wechat, ip:web
    subject: Mapped[str] = mapped_column(String(160), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds // window
    hits: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

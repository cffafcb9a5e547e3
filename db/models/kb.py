"""What the KB learns from use: unanswered questions and curators' edits."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped


class Unanswered(Timestamped, Base):
    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(default=0.0)
    candidates: Mapped[str] = mapped_column(Text, default="")  # comma-separated entry ids
    channel: Mapped[str] = mapped_column(String(16), default="")
    resolved_entry_id: Mapped[str | None] = mapped_column(String(64), default=None)


class KBEdit(Timestamped, Base):
    """A curator's change to an entry (versioned: who, when, before/after)."""

    __tablename__ = "kb_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    before_yaml: Mapped[str] = mapped_column(Text, default="")
    after_yaml: Mapped[str] = mapped_column(Text)


class KBFeedback(Timestamped, Base):
    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")

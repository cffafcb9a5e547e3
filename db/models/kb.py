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
    """A curator's change to an entry: one version of it (who, when, before/after).

    The curated KB is the YAML seed files with, for each entry, its newest version here
    laid over them (``bot.process.kb_store``); ``id`` is the KB's database version."""

    __tablename__ = "kb_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    before_yaml: Mapped[str] = mapped_column(Text, default="")
    after_yaml: Mapped[str] = mapped_column(Text)
    #: the topic file the entry belongs to (its seed file, or the one a new entry goes to)
    file: Mapped[str] = mapped_column(String(64), default="")
    #: kb_add_phrasing | kb_new_entry | …
    action: Mapped[str] = mapped_column(String(32), default="")


class KBFeedback(Timestamped, Base):
    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")

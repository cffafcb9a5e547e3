"""Tickets (工单): petitions and every other piece of work routed to staff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped, utcnow

KINDS = (
    "petition",
    "consultation",
    "home_visit",
    "card_preapp",
    "status_request",
    "callback",
    "crisis",
)


class Ticket(Timestamped, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue_status", "queue", "status"),
        Index("ix_tickets_id_hash", "id_hash"),
        Index("ix_tickets_phone_hash", "phone_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24), default="new")
    urgent: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    region_code: Mapped[str | None] = mapped_column(
        String(32), default=None
    )  # the veteran's region
    queue: Mapped[str] = mapped_column(String(32))  # region code of the owning unit (首问负责)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)  # 包案领导
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id"), default=None
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id"), default=None
    )  # 复查/复核, follow-ups
    name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    id_number_enc: Mapped[str | None] = mapped_column(Text, default=None)
    phone_enc: Mapped[str | None] = mapped_column(Text, default=None)
    address_enc: Mapped[str | None] = mapped_column(Text, default=None)  # 上门 visits
    id_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    phone_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    lookup_hash: Mapped[str | None] = mapped_column(String(128), default=None)
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    accept_due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    stage: Mapped[str] = mapped_column(
        String(8), default="initial"
    )  # initial | review (复查) | recheck (复核)
    replied_on: Mapped[dt.date | None] = mapped_column(
        Date, default=None
    )  # written reply (答复) date
    escalated_on: Mapped[dt.date | None] = mapped_column(
        Date, default=None
    )  # last overdue escalation
    due_soon: Mapped[bool] = mapped_column(
        default=False
    )  # flagged (and staff told) before the deadline
    extended: Mapped[bool] = mapped_column(default=False)
    satisfaction: Mapped[str | None] = mapped_column(String(8), default=None)
    undeliverable: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TicketEvent(Timestamped, Base):
    """Append-only log of everything that happened to a ticket (audit)."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    actor: Mapped[str] = mapped_column(String(64))  # bot | system | staff:<username> | veteran
    action: Mapped[str] = mapped_column(
        String(32)
    )  # created, claim, transfer, reply, note, escalate, status, …
    from_value: Mapped[str | None] = mapped_column(String(64), default=None)
    to_value: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class Counter(Base):
    """Per-day sequence for receipt numbers (XF-YYYYMMDD-NNNN)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)

"""Staff accounts (工作人员) and the general audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped

ROLES = ("staff", "supervisor", "leader", "admin")


class Staff(Timestamped, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="staff")
    region_code: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    on_duty: Mapped[bool] = mapped_column(default=False)  # crisis duty officer (值班)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    telegram_chat_id: Mapped[str | None] = mapped_column(String(64), default=None)
    wecom_userid: Mapped[str | None] = mapped_column(String(64), default=None)
    notify_via: Mapped[str] = mapped_column(String(32), default="")  # "wecom,telegram"


class AuditLog(Timestamped, Base):
    """Staff actions outside a ticket's own log (login, PII reveal, KB edits)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class StaffLinkCode(Timestamped, Base):
    """A one-time code a staff member types into Telegram to link the chat to their account."""

    __tablename__ = "staff_link_codes"

    code_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

"""Staff accounts (工作人员) and the general audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
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
    # Unused since revision 0006 (failures are counted in login_throttle, for unknown names
    # too); kept because SQLite cannot drop them without rebuilding a referenced table.
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


class StaffSession(Base):
    """One logged-in browser. The cookie holds a random token; only its SHA-256 is stored,
    so logging out (deleting the row) ends the session wherever the cookie was copied."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    client: Mapped[str] = mapped_column(String(64), default="")  # address at login


class LoginThrottle(Base):
    """Failed logins counted per key — ``user:<name>`` (known or not) and ``ip:<address>`` —
    within a window; a key over its limit is refused without checking the password."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[dt.datetime] = mapped_column()
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)

"""Linking a staff member's Telegram chat to their account with a one-time code (绑定)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.tokens import aware
from db.crypto import PiiVault
from db.models import Staff, StaffLinkCode, utcnow
from db.staff import audit

CODE_TTL = dt.timedelta(minutes=15)


def issue_link_code(
    session: Session, vault: PiiVault, staff: Staff, now: dt.datetime | None = None
) -> str:
    """A fresh 8-digit code, valid 15 minutes, shown once in the console.

    The staff member sends ``/link <code>`` (or opens ``t.me/<bot>?start=<code>``) to
    the bot. Only a keyed hash of the code is stored."""
    now = now or utcnow()
    code = f"{secrets.randbelow(10**8):08d}"
    session.add(
        StaffLinkCode(
            code_hash=vault.hash(code) or "", staff_id=staff.id, expires_at=now + CODE_TTL
        )
    )
    audit(session, staff.username, "telegram_link_code", staff.username)
    return code


def redeem_link_code(
    session: Session, vault: PiiVault, code: str, chat_id: str, now: dt.datetime | None = None
) -> Staff | None:
    """The staff member the code belongs to, now linked to ``chat_id``; None if invalid."""
    now = now or utcnow()
    code_hash = vault.hash(code.strip())
    if not code_hash:
        return None
    row = session.get(StaffLinkCode, code_hash, with_for_update=True)
    if row is None or row.used_at is not None or aware(row.expires_at) < now:
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    row.used_at = now
    for other in session.scalars(
        select(Staff).where(Staff.telegram_chat_id == chat_id, Staff.id != staff.id)
    ):
        other.telegram_chat_id = None
    staff.telegram_chat_id = chat_id
    audit(session, staff.username, "telegram_link", staff.username, f"chat {chat_id}")
    return staff


def linked_staff(session: Session, chat_id: str) -> Staff | None:
    return session.scalars(
        select(Staff).where(Staff.telegram_chat_id == chat_id, Staff.active.is_(True))
    ).first()

"""Staff accounts: argon2 password hashes, lockout after repeated failures."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditLog, Staff, utcnow
from db.models.staff import ROLES

MAX_FAILURES = 5
LOCK_MINUTES = 15
_hasher = PasswordHasher()


class StaffError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise StaffError("password must be at least 8 characters")
    return _hasher.hash(password)


def create(
    session: Session,
    username: str,
    password: str,
    role: str,
    region_code: str,
    display_name: str = "",
) -> Staff:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if by_username(session, username) is not None:
        raise StaffError(f"user {username!r} already exists")
    staff = Staff(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code,
    )
    session.add(staff)
    session.flush()
    audit(session, "system", "staff_add", username, f"role={role} region={region_code}")
    return staff


def by_username(session: Session, username: str) -> Staff | None:
    return session.scalars(select(Staff).where(Staff.username == username)).first()


def authenticate(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> Staff | None:
    """The staff member if the password is right and the account is usable; counts failures."""
    now = now or utcnow()
    staff = by_username(session, username)
    if staff is None or not staff.active:
        audit(session, username, "login_failed", username, "unknown or disabled")
        return None
    locked = staff.locked_until
    if locked is not None and (locked if locked.tzinfo else locked.replace(tzinfo=dt.UTC)) > now:
        audit(session, username, "login_locked", username)
        return None
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILURES:
            staff.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            staff.failed_logins = 0
        audit(session, username, "login_failed", username)
        return None
    staff.failed_logins = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    audit(session, username, "login", username)
    return staff


def is_locked(staff: Staff, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    locked = staff.locked_until
    return locked is not None and (locked if locked.tzinfo else locked.replace(tzinfo=dt.UTC)) > now


def set_password(session: Session, staff: Staff, password: str, actor: str) -> None:
    staff.password_hash = hash_password(password)
    audit(session, actor, "password_change", staff.username)


def audit(session: Session, actor: str, action: str, target: str = "", detail: str = "") -> None:
    session.add(AuditLog(actor=actor, action=action, target=target, detail=detail))

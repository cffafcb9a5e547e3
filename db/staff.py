"""Staff accounts: argon2 password hashes, login throttling, server-side sessions.

Logging in is three short steps, none holding a transaction while argon2 runs:

1. ``begin_login`` counts the attempt *before* the password is checked, atomically
   (one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per key), for the client address
   and for the username — known or not, so an unknown name is answered like a known one.
   Parallel guesses each get their own count: at most ``MAX_FAILURES`` per name and
   ``IP_MAX_FAILURES`` per address are ever checked in a window.
2. ``check_password``: argon2 against the account's hash, or against a dummy hash for an
   unknown or disabled name (same time either way).
3. ``finish_login``: on success the name's count is cleared and the address gets its
   attempt back; on failure the counts stand (and the attempt is audited).

A count resets when its window (or lock) has passed: a lock is never permanent, and an
admin can lift it at once (console /staff/accounts or ``vetbot staff unlock``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditLog, Staff
from db.models.staff import ROLES, LoginThrottle, StaffSession
from db.session import transaction

MAX_FAILURES = 5  # per username (known or not) …
IP_MAX_FAILURES = 20  # … and per client address, in a window of
LOCK_MINUTES = 15  # minutes; the same for the lock once a limit is reached
SESSION_HOURS = 10
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


# -- throttling ----------------------------------------------------------------------


def user_key(username: str) -> str:
    return "user:" + username.strip().lower()[:64]


def ip_key(address: str) -> str:
    """An IPv6 client counts by its /64 (one host can hold a whole one); others as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "ip:" + address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "ip:" + str(ip.ipv4_mapped)
        return "ip:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return "ip:" + str(ip)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def count_attempt(session: Session, key: str, limit: int, now: dt.datetime) -> int:
    """Count one attempt on ``key`` atomically; returns the attempts in the window, this one
    included (over ``limit``: refuse without checking). Reaching ``limit`` starts the lock."""
    now = now.astimezone(dt.UTC)
    window = dt.timedelta(minutes=LOCK_MINUTES)
    t = LoginThrottle
    at = literal(now, t.window_start.type)
    until = literal(now + window, t.window_start.type)
    expired = or_(
        and_(t.locked_until.is_not(None), t.locked_until <= now),
        and_(t.locked_until.is_(None), t.window_start <= now - window),
    )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt: Any = insert(t).values(
        key=key, failures=1, window_start=now, locked_until=now + window if limit <= 1 else None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case((expired, 1), else_=t.failures + 1),
            "window_start": case((expired, at), else_=t.window_start),
            "locked_until": case(
                (expired, None),
                (and_(t.locked_until.is_(None), t.failures + 1 >= limit), until),
                else_=t.locked_until,
            ),
        },
    ).returning(t.failures)
    return int(session.execute(stmt).scalar_one())


def give_back(session: Session, key: str, limit: int) -> None:
    """An attempt that turned out right no longer counts against its key."""
    t = LoginThrottle
    session.execute(
        update(t)
        .where(t.key == key, t.failures > 0)
        .values(
            failures=t.failures - 1,
            locked_until=case((t.failures - 1 < limit, None), else_=t.locked_until),
        )
    )


def clear(session: Session, key: str) -> bool:
    """Lift the count and any lock on ``key``; True if there was one."""
    result: Any = session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    return bool(result.rowcount)


@dataclass(frozen=True)
class Lock:
    key: str
    failures: int
    until: dt.datetime


def locks(session: Session, now: dt.datetime, prefix: str = "") -> list[Lock]:
    """Keys refused right now (a limit reached, the lock not yet over), newest first."""
    now = now.astimezone(dt.UTC)
    rows = session.scalars(
        select(LoginThrottle)
        .where(
            LoginThrottle.locked_until.is_not(None),
            LoginThrottle.locked_until > now,
            LoginThrottle.key.startswith(prefix),
        )
        .order_by(LoginThrottle.locked_until.desc())
    )
    return [Lock(r.key, r.failures, _utc(r.locked_until) or now) for r in rows]


def is_locked(session: Session, username: str, now: dt.datetime) -> bool:
    return any(lock.key == user_key(username) for lock in locks(session, now, "user:"))


def forget_old(session: Session, now: dt.datetime, days: int = 1) -> None:
    """Counts whose window and lock ended long ago (sprayed unknown names pile up otherwise).
    Rows another login holds are skipped, so this never waits for (or deadlocks with) one."""
    cutoff = now.astimezone(dt.UTC) - dt.timedelta(days=days)
    old = (
        select(LoginThrottle.key)
        .where(
            LoginThrottle.window_start < cutoff,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < cutoff),
        )
        .limit(1000)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(old.scalar_subquery())))


# -- logging in ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """A login attempt that was counted and may be checked."""

    username: str
    client: str
    staff_id: int | None  # None: unknown or disabled name (checked against the dummy hash)
    password_hash: str
    last_chance: bool  # a limit is reached with this attempt: a failure locks


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def begin_login(
    sessions: sessionmaker[Session], username: str, client: str, now: dt.datetime
) -> Attempt | None:
    """Count the attempt for the client address, then for the name; None: refused (a limit
    reached — the same for a known and an unknown name). The address comes first, so a
    throttled client cannot go on locking accounts. Each count is its own short transaction
    (one row lock at a time: parallel logins cannot deadlock)."""
    with transaction(sessions) as session:
        by_ip = count_attempt(session, ip_key(client), IP_MAX_FAILURES, now)
        if by_ip > IP_MAX_FAILURES:
            audit(session, username, "login_throttled", username, f"client={client}")
            return None
    with transaction(sessions) as session:
        by_name = count_attempt(session, user_key(username), MAX_FAILURES, now)
        if by_name > MAX_FAILURES:
            audit(session, username, "login_locked", username, f"client={client}")
            return None
        last = by_ip >= IP_MAX_FAILURES or by_name >= MAX_FAILURES
        staff = by_username(session, username)
        if staff is None or not staff.active:
            return Attempt(username, client, None, _dummy_hash(), last)
        return Attempt(username, client, staff.id, staff.password_hash, last)


def check_password(attempt: Attempt, password: str) -> bool:
    """argon2, outside any transaction; an unknown name costs the same as a known one."""
    try:
        _hasher.verify(attempt.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return attempt.staff_id is not None


def finish_login(
    session: Session, attempt: Attempt, ok: bool, password: str, now: dt.datetime
) -> Staff | None:
    """Settle a checked attempt: the staff member if it succeeded, else None (audited)."""
    staff = session.get(Staff, attempt.staff_id) if ok and attempt.staff_id else None
    if staff is None or not staff.active or staff.password_hash != attempt.password_hash:
        detail = f"client={attempt.client}" + ("" if attempt.staff_id else " unknown or disabled")
        audit(session, attempt.username, "login_failed", attempt.username, detail)
        return None
    give_back(session, ip_key(attempt.client), IP_MAX_FAILURES)  # address, then name: the
    clear(session, user_key(attempt.username))  # one lock order of every multi-row change
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    audit(session, attempt.username, "login", attempt.username, f"client={attempt.client}")
    return staff


def verify_password(password_hash: str, password: str) -> bool:
    """argon2 check of a password against a stored hash (no counting: callers throttle)."""
    try:
        return bool(password_hash) and bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def unlock(session: Session, username: str, actor: str) -> bool:
    """Lift a lock on a name now (admins); True if it was counted or locked."""
    lifted = clear(session, user_key(username))
    audit(session, actor, "staff_unlock", username)
    return lifted


def unlock_client(session: Session, address: str, actor: str) -> bool:
    lifted = clear(session, ip_key(address) if not address.startswith("ip:") else address)
    audit(session, actor, "client_unlock", address)
    return lifted


# -- sessions ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, staff: Staff, client: str, now: dt.datetime) -> str:
    """A new session for ``staff``; returns the token for the cookie (only its hash is kept)."""
    now = now.astimezone(dt.UTC)
    session.execute(
        delete(StaffSession).where(
            StaffSession.staff_id == staff.id, StaffSession.expires_at <= now
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS),
            client=client[:64],
        )
    )
    session.flush()
    return token


@dataclass(frozen=True)
class OpenSession:
    staff: Staff
    key: str  # the stored hash: binds the CSRF token to this session


def session_of(session: Session, token: str, now: dt.datetime) -> OpenSession | None:
    """The active staff member whose session this token opens, if it is still open."""
    if not token or len(token) > 128:
        return None
    key = _token_hash(token)
    row = session.get(StaffSession, key)
    if row is None or (_utc(row.expires_at) or now) <= now.astimezone(dt.UTC):
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    return OpenSession(staff, key)


def end_session(session: Session, key: str) -> None:
    """Log out: the session whose stored key (``OpenSession.key``) this is ends."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == key))


def end_sessions(session: Session, staff_id: int) -> int:
    """End every open session of a staff member (password change, disabling)."""
    result: Any = session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
    return int(result.rowcount or 0)


# -- account changes -----------------------------------------------------------------


def set_password(session: Session, staff: Staff, password: str, actor: str) -> None:
    """A new password; every open session of the account ends (the caller may start one)."""
    staff.password_hash = hash_password(password)
    end_sessions(session, staff.id)
    audit(session, actor, "password_change", staff.username)


def disable(session: Session, staff: Staff, actor: str) -> None:
    staff.active = False
    end_sessions(session, staff.id)
    audit(session, actor, "staff_disable", staff.username)


def audit(session: Session, actor: str, action: str, target: str = "", detail: str = "") -> None:
    session.add(AuditLog(actor=actor, action=action, target=target, detail=detail))

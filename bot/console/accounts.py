"""Accounts (admins): who is locked out, and lifting a lock or ending someone's sessions.

Admins see the staff of their own region subtree, and the client addresses that are
throttled right now (any admin may lift those).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from starlette.responses import Response

from bot.console import scope
from bot.console.guard import Cx, forbidden
from bot.console.views import back, local_time, render
from db import staff as staff_repo
from db.models import Staff
from db.models.staff import StaffSession
from db.session import transaction


@dataclass(frozen=True)
class Row:
    username: str
    display_name: str
    role: str
    unit: str
    active: bool
    locked_until: str  # local time, or "" when not locked
    sessions: int


def _in_scope(cx: Cx, staff: Staff) -> bool:
    return staff.region_code in scope.units(cx.rt.ctx.regions, cx.user)


def _until(lock: staff_repo.Lock | None) -> str:
    return local_time(lock.until) if lock else ""


def page(cx: Cx) -> Response:
    now = cx.rt.clock.now()
    regions = cx.rt.ctx.regions
    with transaction(cx.rt.sessions) as session:
        locked = {lock.key: lock for lock in staff_repo.locks(session, now)}
        open_sessions = dict(
            session.execute(
                select(StaffSession.staff_id, func.count())
                .where(StaffSession.expires_at > now)
                .group_by(StaffSession.staff_id)
            ).all()
        )
        rows = [
            Row(
                s.username,
                s.display_name,
                scope.ROLE_NAMES.get(s.role, s.role),
                regions.full_name(s.region_code) or s.region_code,
                s.active,
                _until(locked.get(staff_repo.user_key(s.username))),
                int(open_sessions.get(s.id, 0)),
            )
            for s in session.scalars(select(Staff).order_by(Staff.region_code, Staff.username))
            if _in_scope(cx, s)
        ]
    clients = [
        (key.removeprefix("ip:"), local_time(lock.until))
        for key, lock in locked.items()
        if key.startswith("ip:")
    ]
    return render(
        cx,
        "accounts.html",
        rows=rows,
        clients=clients,
        max_failures=staff_repo.MAX_FAILURES,
        ip_max_failures=staff_repo.IP_MAX_FAILURES,
        lock_minutes=staff_repo.LOCK_MINUTES,
    )


def unlock(cx: Cx) -> Response:
    """POST /staff/accounts/unlock: ``username=`` (in the admin's scope) or ``client=``."""
    username, client = cx.field("username"), cx.field("client")
    with transaction(cx.rt.sessions) as session:
        if client:
            staff_repo.unlock_client(session, client, cx.user.actor)
            return back("/staff/accounts", "unlock")
        staff = staff_repo.by_username(session, username)
        if staff is None or not _in_scope(cx, staff):
            return forbidden("此账户不在您的管理范围")
        staff_repo.unlock(session, username, cx.user.actor)
    return back("/staff/accounts", "unlock")


def end_sessions(cx: Cx) -> Response:
    """POST /staff/accounts/logout: end every open session of ``username=``."""
    with transaction(cx.rt.sessions) as session:
        staff = staff_repo.by_username(session, cx.field("username"))
        if staff is None or not _in_scope(cx, staff):
            return forbidden("此账户不在您的管理范围")
        staff_repo.end_sessions(session, staff.id)
        staff_repo.audit(session, cx.user.actor, "staff_logout", staff.username)
    return back("/staff/accounts", "logout")

"""Staff notifications (工单提醒): who hears about a unit's ticket, and on which channel.

``bot/shell/effects.py`` (and the deadline scheduler, via ``notify_unit``) write one outbox
row with channel ``staff`` and recipient = the queue's region code. The worker fans it
out here into one row per staff member and channel, in one transaction with marking
the unit row done — so a crash never notifies twice or not at all.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.outcome import Item
from db.models import OutboxMessage, Staff
from knowledge.regions import RegionTree

CRISIS_ROLES = frozenset({"supervisor", "leader"})


def notify_unit(
    session: Session, queue: str, text: str, urgent: bool = False, ticket_id: int | None = None
) -> None:
    """Tell the staff of unit ``queue`` (a region code) — e.g. due soon, overdue, escalated.

    ``urgent`` (crisis) reaches the duty officer (值班) and supervisors immediately."""
    kind = "crisis" if urgent else "notification"
    session.add(
        OutboxMessage(channel="staff", recipient=queue, kind=kind, text=text, ticket_id=ticket_id)
    )


def recipients(session: Session, regions: RegionTree, queue: str, crisis: bool) -> list[Staff]:
    """Active staff of the unit and of the units above it; for a crisis, the duty officer
    and supervisors among them (everyone, if the unit has none)."""
    codes = [r.code for r in regions.chain(queue)] if queue in regions else [queue]
    staff = list(
        session.scalars(
            select(Staff)
            .where(Staff.active.is_(True), Staff.region_code.in_(codes))
            .order_by(Staff.id)
        )
    )
    if not crisis:
        return staff
    duty = [s for s in staff if s.on_duty or s.role in CRISIS_ROLES]
    return duty or staff


def channels_of(staff: Staff, wecom_enabled: bool) -> list[tuple[str, str]]:
    """(channel, recipient) pairs per the staff member's preference (default: every linked one)."""
    linked = {}
    if staff.wecom_userid and wecom_enabled:
        linked["wecom"] = staff.wecom_userid
    if staff.telegram_chat_id:
        linked["telegram"] = staff.telegram_chat_id
    wanted = [c.strip() for c in (staff.notify_via or "").split(",") if c.strip()]
    chosen = [c for c in wanted if c in linked] or list(linked)
    return [(c, linked[c]) for c in chosen]


def fan_out(session: Session, regions: RegionTree, item: Item, wecom_enabled: bool) -> int:
    """Replace the unit row by one row per staff member and channel; returns how many."""
    count = 0
    for staff in recipients(session, regions, item.recipient, item.kind == "crisis"):
        for channel, address in channels_of(staff, wecom_enabled):
            text = item.text if channel == "wecom" else f"{item.text}\n（/queue 查看本单位工单）"
            session.add(
                OutboxMessage(
                    channel=channel,
                    recipient=address,
                    kind=item.kind,
                    text=text,
                    ticket_id=item.ticket_id,
                )
            )
            count += 1
    return count

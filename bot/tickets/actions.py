"""What staff do to a ticket. Each action checks its rule, changes the ticket through
``db.tickets`` and logs a ticket event (the audit trail); veteran-facing messages go
through ``outreach`` (the outbox). The caller owns the transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import outreach, scope
from bot.console.scope import StaffUser
from bot.console.sla import is_done
from bot.process.runtime import Runtime
from db import staff as staff_repo
from db import tickets
from db.crypto import mask_id, mask_name, mask_phone
from db.models import Staff, Ticket

MAX_EXTENSION_DAYS = 30  # 《信访工作条例》第三十四条


class ActionError(ValueError):
    """The action is not allowed now; the message is shown to the staff member."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ActionError(message)


def _text(value: str, what: str, limit: int = 4000) -> str:
    value = value.strip()
    _require(bool(value), f"请填写{what}。")
    return value[:limit]


def _open(ticket: Ticket) -> None:
    _require(not is_done(ticket), "工单已办结或关闭。")


def _acting(user: StaffUser, ticket: Ticket) -> None:
    _require(scope.can_act(user, ticket), "请先认领此工单（首问负责：由负责人办理）。")


def _status(
    session: Session,
    ticket: Ticket,
    user: StaffUser,
    to: str,
    today: dt.date,
    note: str = "",
    due_on: dt.date | None = None,
) -> None:
    """One step of the ticket status machine (db.tickets), its refusals shown in Chinese."""
    try:
        tickets.set_status(session, ticket, to, user.actor, today, note, due_on)
    except tickets.TicketError as exc:
        raise ActionError(
            f"当前状态（{tickets.STATUS_NAMES.get(ticket.status, ticket.status)}）不能进行此操作。"
        ) from exc


def claim(session: Session, ticket: Ticket, user: StaffUser, today: dt.date) -> None:
    _open(ticket)
    _require(scope.can_claim(user, ticket), "此工单已有负责人。")
    tickets.claim(session, ticket, user.id, user.actor)
    if ticket.status == "new" and ticket.kind != "petition":  # a petition waits for 受理
        _status(session, ticket, user, "in_progress", today)


def reply(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, text: str) -> None:
    _open(ticket)
    _acting(user, ticket)
    body = _text(text, "回复内容", 2000)
    try:
        outreach.staff_reply(rt, session, ticket, body, user.id)
    except outreach.NoConversation as exc:
        raise ActionError(str(exc)) from exc


def note(session: Session, ticket: Ticket, user: StaffUser, text: str) -> None:
    tickets.log(session, ticket, user.actor, "note", note=_text(text, "备注内容"))


def transfer(
    rt: Runtime,
    session: Session,
    ticket: Ticket,
    user: StaffUser,
    unit: str,
    person: str,
    reason: str,
) -> None:
    """转办: to a unit (its queue, unassigned) or to a named person (their unit, owned by them)."""
    _open(ticket)
    _acting(user, ticket)
    why = _text(reason, "转办原因")
    allowed = {code for code, _ in scope.transfer_targets(rt.ctx.regions, user)}
    target: Staff | None = None
    if person:
        target = staff_repo.by_username(session, person)
        _require(target is not None and target.active, "找不到该工作人员。")
        assert target is not None
        unit = target.region_code
    _require(unit in allowed, "只能转办到本县（区）范围内的单位。")
    tickets.transfer(session, ticket, unit, user.actor, why, target.id if target else None)


def escalate(
    rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, reason: str, today: dt.date
) -> None:
    """上报: hand the ticket to the unit one level up (town → county → city), unassigned."""
    _open(ticket)
    why = _text(reason, "上报原因")
    parent = rt.ctx.regions.parent_of(ticket.queue) if ticket.queue in rt.ctx.regions else None
    _require(parent is not None, "已是最高一级单位，无法再上报。")
    assert parent is not None
    tickets.escalate(session, ticket, parent.code, user.actor, why, today)


def leaders(session: Session) -> list[Staff]:
    stmt = (
        select(Staff)
        .where(Staff.role.in_(("leader", "admin")), Staff.active.is_(True))
        .order_by(Staff.display_name)
    )
    return list(session.scalars(stmt))


def set_leader(session: Session, ticket: Ticket, user: StaffUser, username: str) -> None:
    """领导包案: name the accountable leader."""
    _require(user.at_least("supervisor"), "只有负责人及以上可以设置包案领导。")
    leader = staff_repo.by_username(session, username)
    _require(
        leader is not None and leader.active and leader.role in ("leader", "admin"),
        "请选择一位领导。",
    )
    assert leader is not None
    tickets.set_leader(session, ticket, leader.id, user.actor, leader.display_name)


def decide_acceptance(
    rt: Runtime,
    session: Session,
    ticket: Ticket,
    user: StaffUser,
    accept: bool,
    notice: str,
    today: dt.date,
) -> None:
    """受理 / 不予受理 of a petition, with the written notice (书面告知) sent to the petitioner."""
    _require(ticket.kind == "petition", "只有信访件需要受理决定。")
    _require(ticket.status == "new", "此信访件已作出受理决定。")
    _acting(user, ticket)
    text = _text(notice, "书面告知内容")
    if accept:  # 60 days from acceptance (第三十四条)
        _status(
            session,
            ticket,
            user,
            "accepted",
            today,
            text,
            rt.ctx.deadlines.due("petition_handle", today),
        )
    else:
        _status(session, ticket, user, "not_accepted", today, text)
    outreach.notice(rt, session, ticket, text, user.actor)


def extend(
    rt: Runtime,
    session: Session,
    ticket: Ticket,
    user: StaffUser,
    days: int,
    reason: str,
    today: dt.date,
) -> None:
    """延期 (petitions, once, ≤ 30 days, approved by the head; the reasons are told to the petitioner)."""
    _require(ticket.kind == "petition", "只有信访件可以延期。")
    _open(ticket)
    _require(user.at_least("supervisor"), "延期须经负责人批准。")
    _require(not ticket.extended, "此信访件已延期过一次，不能再次延期。")
    _require(1 <= days <= MAX_EXTENSION_DAYS, f"延期天数为 1–{MAX_EXTENSION_DAYS} 天。")
    _require(ticket.due_on is not None, "此工单没有办理期限。")
    why = _text(reason, "延期理由")
    assert ticket.due_on is not None
    # a last day on a 法定休假日 moves on, as for the first period (民法典第二百零三条)
    new_due = rt.ctx.deadlines.add_calendar_days(ticket.due_on, days)
    _status(session, ticket, user, "extended", today, why, new_due)
    outreach.notice(
        rt,
        session,
        ticket,
        f"您反映的事项（编号 {ticket.number}）情况复杂，办理期限延长至 {new_due:%Y年%m月%d日}。理由：{why}",
        user.actor,
    )


def resolve(
    rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, summary: str, today: dt.date
) -> None:
    """办结 (答复): record the outcome, end the human session, ask the veteran for their satisfaction."""
    _open(ticket)
    _acting(user, ticket)
    text = _text(summary, "办理结果")
    _require(
        ticket.kind != "petition" or ticket.status != "new", "信访件须先作出受理决定，再答复办结。"
    )
    _status(session, ticket, user, "replied", today, text)
    outreach.ask_satisfaction(rt, session, ticket, user.actor)


def close(session: Session, ticket: Ticket, user: StaffUser, reason: str, today: dt.date) -> None:
    """归档: after the reply (or the notice of non-acceptance)."""
    _require(user.at_least("supervisor") or ticket.owner_id == user.id, "无权关闭此工单。")
    _require(ticket.status in ("replied", "not_accepted"), "答复或不予受理告知之后才能关闭。")
    _status(session, ticket, user, "closed", today, reason.strip()[:1000])


def release(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> None:
    """交还机器人."""
    _acting(user, ticket)
    _require(outreach.release(rt, session, ticket, user.actor), "此会话当前不在人工服务中。")
    tickets.log(session, ticket, user.actor, "release", note="交还机器人")


def reveal(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> dict[str, str]:
    """显示完整信息: decrypt the PII, and log who saw it."""
    _require(scope.can_reveal(user, ticket), "您的角色无权查看完整个人信息。")
    staff_repo.audit(session, user.actor, "pii_reveal", ticket.number)
    tickets.log(session, ticket, user.actor, "pii_reveal", note="显示完整信息")
    return {
        "name": rt.vault.decrypt(ticket.name_enc) or "",
        "id_number": rt.vault.decrypt(ticket.id_number_enc) or "",
        "phone": rt.vault.decrypt(ticket.phone_enc) or "",
    }


def masked(rt: Runtime, ticket: Ticket) -> dict[str, str]:
    return {
        "name": mask_name(rt.vault.decrypt(ticket.name_enc)),
        "id_number": mask_id(rt.vault.decrypt(ticket.id_number_enc)),
        "phone": mask_phone(rt.vault.decrypt(ticket.phone_enc)),
    }

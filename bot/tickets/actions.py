"""What staff — and the deadline sweep — do to a ticket: the one place each rule is checked
before the ticket changes (check, then do). The console, the Telegram staff commands, the
CLI and the sweep all call these, so a rule cannot disagree between them.

Each action checks its rule and raises ``ActionError`` (a Chinese message for the staff
member) or changes the ticket through ``db.tickets`` and logs a ticket event (the audit
trail); veteran-facing messages go through ``outreach`` (the outbox). The caller owns the
transaction. Rules, by the 《信访工作条例》 and DOMAIN.md:

- 首问负责: only the owner (or a supervisor and above) acts on a ticket — escalation too.
- 上报 goes one level up the ticket tree (``routing.parent_queue``: village → town →
  county → city) whether staff or the sweep escalate; at the city it stops.
- 受理 starts the 60 days (第三十四条) of a first petition; a 复查/复核 keeps its 30 days
  from the request (第三十五、三十六条).
- 延期: a first petition only, once, 1–30 days chosen, approved by a supervisor, reasons
  told to the petitioner (第三十四条); a last day on a 法定休假日 moves on.
- 重新办理 (reopen) of an answered non-petition ticket; a petition answered in writing is
  challenged by 复查 instead (第三十五条).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.console import scope
from bot.console.scope import StaffUser
from bot.delivery.notifications import notify_unit
from bot.process.runtime import Runtime
from bot.tickets import outreach
from bot.tickets.routing import parent_queue, unit_name
from bot.tickets.sla import is_done
from db import staff as staff_repo
from db import ticket_queries, tickets
from db.crypto import mask_id, mask_name, mask_phone
from db.models import Staff, Ticket
from db.tickets import Status
from intents.deadlines import KINDS, MAX_EXTENSION_DAYS
from intents.vocabulary import Stage, TicketKind
from knowledge.regions import RegionTree

SYSTEM = "system"  # the actor of the deadline sweep


class ActionError(ValueError):
    """The action is not allowed now; the message is shown to the staff member."""


def as_user(staff: Staff) -> StaffUser:
    """The staff member acting (a detached copy of the row), for callers without a login."""
    return StaffUser(staff.id, staff.username, staff.display_name, staff.role, staff.region_code)


# ---- checks ---------------------------------------------------------------------


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


def _petition(ticket: Ticket, what: str) -> None:
    _require(ticket.kind == TicketKind.PETITION, f"只有信访件{what}。")


def _status(
    session: Session,
    ticket: Ticket,
    actor: str,
    to: Status,
    today: dt.date,
    note: str = "",
    due_on: dt.date | None = None,
) -> None:
    """One step of the ticket status machine (db.tickets), its refusals shown in Chinese."""
    try:
        tickets.set_status(session, ticket, to, actor, today, note, due_on)
    except tickets.TicketError as exc:
        raise ActionError(
            f"当前状态（{tickets.STATUS_NAMES.get(ticket.status, ticket.status)}）不能进行此操作。"
        ) from exc


# ---- ownership: 首问负责 ------------------------------------------------------------


def claim(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> None:
    """认领: the ticket is the user's until it is transferred, escalated or answered."""
    _open(ticket)
    _require(ticket.owner_id != user.id, f"工单 {ticket.number} 已由您负责。")
    _require(scope.can_claim(user, ticket), "此工单已有负责人（首问负责），如需转交请转办。")
    tickets.claim(session, ticket, user.id, user.actor)
    if (
        ticket.status == Status.NEW and ticket.kind != TicketKind.PETITION
    ):  # a petition waits for 受理
        _status(session, ticket, user.actor, Status.IN_PROGRESS, rt.clock.today())


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


def escalate(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, reason: str) -> None:
    """上报 by staff: the owner (or a supervisor) hands the ticket one level up, unassigned."""
    _open(ticket)
    _acting(user, ticket)
    why = _text(reason, "上报原因")
    regions = rt.ctx.regions
    target = parent_queue(regions, ticket.queue)
    _require(
        target is not None, f"{unit_name(regions, ticket.queue)}已是最高一级单位，无法再上报。"
    )
    assert target is not None
    _move_up(session, regions, ticket, target, user.actor, why, rt.clock.today())


def escalate_overdue(session: Session, regions: RegionTree, ticket: Ticket, today: dt.date) -> None:
    """上报 by the sweep: an overdue ticket goes one level up; at the top it stays, and its
    unit is reminded (both logged)."""
    due = ticket_queries.deadline_of(ticket)
    why = f"超过期限 {due:%Y-%m-%d} 未办结，系统自动上报" if due else "超期未办结，系统自动上报"
    target = parent_queue(regions, ticket.queue)
    if target is not None:
        _move_up(session, regions, ticket, target, SYSTEM, why, today)
        return
    ticket.escalated_on = today
    tickets.log(
        session, ticket, SYSTEM, "overdue", ticket.queue, ticket.queue, why + "（已是最高一级）"
    )
    notify_unit(session, ticket.queue, f"工单 {ticket.number} 已超期：{why}。", False, ticket.id)


def _move_up(
    session: Session,
    regions: RegionTree,
    ticket: Ticket,
    target: str,
    actor: str,
    why: str,
    today: dt.date,
) -> None:
    """The unit above owns it now, unassigned, and is told (首问负责: someone must pick it up)."""
    source = unit_name(regions, ticket.queue)
    tickets.escalate(session, ticket, target, actor, why, today)
    notify_unit(
        session, target, f"工单 {ticket.number} 由{source}上报至本单位：{why}。", False, ticket.id
    )


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


def leaders(session: Session) -> list[Staff]:
    return ticket_queries.leaders(session)


# ---- petitions: 受理, 不予受理, 延期 -----------------------------------------------


def _deciding(ticket: Ticket, user: StaffUser) -> None:
    _petition(ticket, "需要受理决定")
    _require(ticket.status == Status.NEW, "此信访件已作出受理决定。")
    _acting(user, ticket)


def accept(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, notice: str) -> None:
    """受理, with the written notice (书面告知) sent to the petitioner. A first petition's
    60 days run from today (第三十四条); a 复查/复核 keeps the 30 days from its request."""
    _deciding(ticket, user)
    text = _text(notice, "书面告知内容")
    today = rt.clock.today()
    first = ticket.stage == Stage.INITIAL
    due = rt.ctx.deadlines.due("petition_handle", today) if first else None
    _status(session, ticket, user.actor, Status.ACCEPTED, today, text, due)
    outreach.notice(rt, session, ticket, text, user.actor)


def not_accept(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, notice: str) -> None:
    """不予受理, with the reasons told in writing."""
    _deciding(ticket, user)
    text = _text(notice, "书面告知内容")
    _status(session, ticket, user.actor, Status.NOT_ACCEPTED, rt.clock.today(), text)
    outreach.notice(rt, session, ticket, text, user.actor)


def extend(
    rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, days: int, reason: str
) -> None:
    """延期 (第三十四条): 1–30 more days after the deadline, decided while it runs, once,
    approved by the head, the reasons told to the petitioner; 复查/复核 have no extension
    (第三十五、三十六条)."""
    _petition(ticket, "可以延期")
    _open(ticket)
    _require(
        ticket.stage == Stage.INITIAL, "复查、复核须在30日内答复，不能延期（第三十五、三十六条）。"
    )
    _require(user.at_least("supervisor"), "延期须经负责人批准。")
    _require(not ticket.extended, "此信访件已延期过一次，不能再次延期。")
    _require(1 <= days <= MAX_EXTENSION_DAYS, f"延期天数为 1–{MAX_EXTENSION_DAYS} 天。")
    _require(ticket.due_on is not None, "此工单没有办理期限。")
    assert ticket.due_on is not None
    today = rt.clock.today()
    _require(today <= ticket.due_on, "办理期限已过，不能再延期（延期须在期限内批准）。")
    why = _text(reason, "延期理由")
    new_due = rt.ctx.deadlines.add_calendar_days(ticket.due_on, days)
    _status(session, ticket, user.actor, Status.EXTENDED, today, why, new_due)
    outreach.notice(
        rt,
        session,
        ticket,
        f"您反映的事项（编号 {ticket.number}）情况复杂，办理期限延长至 {new_due:%Y年%m月%d日}。理由：{why}",
        user.actor,
    )


# ---- answering: reply, resolve, reopen, close ------------------------------------


def reply(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, text: str) -> None:
    """回复群众: a message to the veteran; the human now owns the conversation."""
    _open(ticket)
    _acting(user, ticket)
    body = _text(text, "回复内容", 2000)
    try:
        outreach.staff_reply(rt, session, ticket, body, user.id)
    except outreach.NoConversation as exc:
        raise ActionError(str(exc)) from exc


def note(session: Session, ticket: Ticket, user: StaffUser, text: str) -> None:
    tickets.log(session, ticket, user.actor, "note", note=_text(text, "备注内容"))


def resolve(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, summary: str) -> None:
    """办结 (书面答复): record the outcome, end the human session, ask for satisfaction.
    A petition's reply opens the 30 days for 复查 (第三十五条)."""
    _open(ticket)
    _acting(user, ticket)
    text = _text(summary, "办理结果")
    _require(
        ticket.kind != TicketKind.PETITION or ticket.status != Status.NEW,
        "信访件须先作出受理决定，再答复办结。",
    )
    _status(session, ticket, user.actor, Status.REPLIED, rt.clock.today(), text)
    outreach.notice(rt, session, ticket, outcome_notice(ticket, text), user.actor)
    outreach.ask_satisfaction(rt, session, ticket, user.actor)


def outcome_notice(ticket: Ticket, text: str) -> str:
    """What the veteran is told at 办结, before the satisfaction question: the result itself."""
    if ticket.kind == TicketKind.PETITION:
        return (
            f"您的信访事项（编号 {ticket.number}）答复意见如下：\n{text}\n"
            "如对答复不服，可自收到答复之日起30日内请求复查。"
        )
    return f"您反映的事项（编号 {ticket.number}）办理结果：\n{text}"


def reopen(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, reason: str) -> None:
    """重新办理: an answered (or closed) consultation, visit, callback … is worked on again,
    with a fresh deadline of its kind."""
    _require(
        ticket.kind != TicketKind.PETITION,
        "信访件已书面答复，不能重新打开；信访人不服的，可在30日内请求复查（第三十五条）。",
    )
    _require(is_done(ticket), "工单仍在办理中。")
    _acting(user, ticket)
    why = _text(reason, "重新办理的原因")
    today = rt.clock.today()
    due = rt.ctx.deadlines.due(ticket.kind, today) if ticket.kind in KINDS else None
    _status(session, ticket, user.actor, Status.IN_PROGRESS, today, why, due)


def close(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser, reason: str) -> None:
    """归档: after the reply (or the notice of non-acceptance)."""
    _require(user.at_least("supervisor") or ticket.owner_id == user.id, "无权关闭此工单。")
    _require(
        ticket.status in (Status.REPLIED, Status.NOT_ACCEPTED), "答复或不予受理告知之后才能关闭。"
    )
    _status(session, ticket, user.actor, Status.CLOSED, rt.clock.today(), reason.strip()[:1000])


def release(rt: Runtime, session: Session, ticket: Ticket, user: StaffUser) -> None:
    """交还机器人."""
    _acting(user, ticket)
    _require(outreach.release(rt, session, ticket, user.actor), "此会话当前不在人工服务中。")
    tickets.log(session, ticket, user.actor, "release", note="交还机器人")


# ---- personal data ----------------------------------------------------------------


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

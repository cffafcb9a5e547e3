"""Staff commands in Telegram: /link CODE, /queue, /claim N, /reply N text (工作人员).

A chat counts as staff once linked with a one-time code from the console
(``bot.delivery.staff_link``). Every action is logged on the ticket (audit).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.scope import StaffUser, can_act, can_claim, can_view, units
from bot.delivery.staff_link import linked_staff, redeem_link_code
from bot.delivery.staff_reply import send_staff_reply
from bot.process.runtime import Runtime
from bot.tickets import actions
from db import tickets
from db.crypto import redact
from db.models import Staff, Ticket
from db.session import transaction

NOT_STAFF = "此命令仅限已绑定的工作人员使用。请在工作台生成绑定码后发送 /link 绑定码。"
KIND_NAMES = {
    "petition": "信访",
    "consultation": "咨询",
    "home_visit": "上门",
    "card_preapp": "优待证",
    "status_request": "查询",
    "callback": "回电",
    "crisis": "紧急",
}


def _user(staff: Staff) -> StaffUser:
    return StaffUser(staff.id, staff.username, staff.display_name, staff.role, staff.region_code)


def _find(session: Session, ref: str) -> Ticket | None:
    ref = ref.strip().lstrip("#")
    if ref.isdigit():
        return session.get(Ticket, int(ref))
    return tickets.by_number(session, ref.upper())


class StaffCommands:
    """Each method takes (chat_id, arguments) and returns the text to answer with."""

    def __init__(self, rt: Runtime, kick: Callable[[], None]) -> None:
        self.rt = rt
        self.kick = kick

    def link(self, chat_id: str, args: list[str]) -> str:
        if not args:
            return "请发送：/link 绑定码（在工作台“绑定 Telegram”处获取）"
        with transaction(self.rt.sessions) as session:
            staff = redeem_link_code(session, self.rt.vault, args[0], chat_id)
            if staff is None:
                return "绑定码无效或已过期，请在工作台重新生成。"
            return f"已绑定工作人员账号 {staff.display_name}。新工单和到期提醒会发到这里；/queue 查看本单位工单。"

    def queue(self, chat_id: str, args: list[str]) -> str:
        with transaction(self.rt.sessions) as session:
            staff = linked_staff(session, chat_id)
            if staff is None:
                return NOT_STAFF
            codes = units(self.rt.ctx.regions, _user(staff))
            stmt = (
                select(Ticket)
                .where(
                    Ticket.queue.in_(codes), Ticket.closed_at.is_(None), Ticket.status != "closed"
                )
                .order_by(Ticket.urgent.desc(), Ticket.due_on, Ticket.id)
                .limit(10)
            )
            lines = [self._line(t, staff) for t in session.scalars(stmt)]
        if not lines:
            return "本单位暂无未办结工单。"
        return (
            "本单位未办结工单（最多10条）：\n"
            + "\n".join(lines)
            + "\n\n/claim 编号 认领；/reply 编号 内容 回复群众"
        )

    @staticmethod
    def _line(t: Ticket, staff: Staff) -> str:
        owner = "（我的）" if t.owner_id == staff.id else ("" if t.owner_id else "（待认领）")
        urgent = "【紧急】" if t.urgent else ""
        due = f" 期限{t.due_on:%m-%d}" if t.due_on else ""
        return f"#{t.id} {urgent}{KIND_NAMES.get(t.kind, t.kind)} {t.number}{owner}{due}\n   {redact(t.summary)[:40]}"

    def _visible(
        self, session: Session, chat_id: str, ref: str
    ) -> tuple[Staff, StaffUser, Ticket] | str:
        """The linked staff member and a ticket in their area, or what to tell them."""
        staff = linked_staff(session, chat_id)
        if staff is None:
            return NOT_STAFF
        ticket = _find(session, ref)
        user = _user(staff)
        if ticket is None or not can_view(self.rt.ctx.regions, user, ticket):
            return "找不到该工单，或不在您的辖区。"
        return staff, user, ticket

    def claim(self, chat_id: str, args: list[str]) -> str:
        if not args:
            return "请发送：/claim 工单编号（如 /claim 12）"
        with transaction(self.rt.sessions) as session:
            found = self._visible(session, chat_id, args[0])
            if isinstance(found, str):
                return found
            staff, user, ticket = found
            if ticket.owner_id == staff.id:
                return f"工单 {ticket.number} 已由您负责。"
            if not can_claim(user, ticket):
                return f"工单 {ticket.number} 已有负责人（首问负责），如需转交请在工作台操作。"
            try:
                actions.claim(
                    session, ticket, user, self.rt.clock.today()
                )  # the same rules as the console
            except actions.ActionError as exc:
                return str(exc)
            return f"已认领工单 {ticket.number}。/reply {ticket.id} 内容 可回复群众。"

    def reply(self, chat_id: str, args: list[str]) -> str:
        if len(args) < 2:
            return "请发送：/reply 工单编号 回复内容"
        with transaction(self.rt.sessions) as session:
            found = self._visible(session, chat_id, args[0])
            if isinstance(found, str):
                return found
            staff, user, ticket = found
            if not can_act(user, ticket):
                return "请先 /claim 认领该工单（首问负责）后再回复。"
            row = send_staff_reply(session, ticket, " ".join(args[1:]), staff)
            number = ticket.number
        if row is None:
            return f"工单 {number} 没有可回复的会话，请电话联系群众。"
        self.kick()
        return f"已发送给群众（工单 {number}）。"

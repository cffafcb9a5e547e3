"""Staff commands in Telegram: /link CODE, /queue, /claim N, /reply N text, /escalate N why.

A chat counts as staff once linked with a one-time code from the console
(``bot.delivery.staff_link``). Every action is logged on the ticket (audit).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.console.scope import StaffUser, can_view, units
from bot.delivery.staff_link import linked_staff, redeem_link_code
from bot.process.runtime import Runtime
from bot.tickets import actions
from bot.tickets.routing import unit_name
from db import ticket_queries, tickets
from db.crypto import redact
from db.models import Staff, Ticket
from db.session import transaction
from db.tickets import KIND_NAMES

NOT_STAFF = "此命令仅限已绑定的工作人员使用。请在工作台生成绑定码后发送 /link 绑定码。"
COMMANDS = "/claim 编号 认领；/reply 编号 内容 回复群众；/escalate 编号 原因 上报上级"
Action = Callable[[Session, Ticket, StaffUser], str]  # one ticket action → the answer


def _find(session: Session, ref: str) -> Ticket | None:
    ref = ref.strip().lstrip("#")
    if ref.isdigit():
        return session.get(Ticket, int(ref))
    return tickets.by_number(session, ref.upper())


class StaffCommands:
    """Each method takes (chat_id, arguments) and returns the text to answer with. The
    ticket rules are ``bot.tickets.actions``' — the same as the console's."""

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
            codes = units(self.rt.ctx.regions, actions.as_user(staff))
            lines = [self._line(t, staff) for t in ticket_queries.open_in_units(session, codes)]
        if not lines:
            return "本单位暂无未办结工单。"
        return "本单位未办结工单（最多10条）：\n" + "\n".join(lines) + "\n\n" + COMMANDS

    @staticmethod
    def _line(t: Ticket, staff: Staff) -> str:
        owner = "（我的）" if t.owner_id == staff.id else ("" if t.owner_id else "（待认领）")
        urgent = "【紧急】" if t.urgent else ""
        due = ticket_queries.deadline_of(t)
        when = f" 期限{due:%m-%d}" if due else ""
        kind = KIND_NAMES.get(t.kind, t.kind)
        return f"#{t.id} {urgent}{kind} {t.number}{owner}{when}\n   {redact(t.summary)[:40]}"

    def _act(self, chat_id: str, ref: str, action: Action) -> str:
        """Run one ticket action as the linked staff member, in one transaction."""
        with transaction(self.rt.sessions) as session:
            staff = linked_staff(session, chat_id)
            if staff is None:
                return NOT_STAFF
            ticket = _find(session, ref)
            user = actions.as_user(staff)
            if ticket is None or not can_view(self.rt.ctx.regions, user, ticket):
                return "找不到该工单，或不在您的辖区。"
            try:
                done = action(session, ticket, user)
            except actions.ActionError as exc:
                return str(exc)
        self.kick()
        return done

    def claim(self, chat_id: str, args: list[str]) -> str:
        if not args:
            return "请发送：/claim 工单编号（如 /claim 12）"

        def claim(session: Session, ticket: Ticket, user: StaffUser) -> str:
            actions.claim(self.rt, session, ticket, user)
            return f"已认领工单 {ticket.number}。/reply {ticket.id} 内容 可回复群众。"

        return self._act(chat_id, args[0], claim)

    def reply(self, chat_id: str, args: list[str]) -> str:
        if len(args) < 2:
            return "请发送：/reply 工单编号 回复内容"

        def reply(session: Session, ticket: Ticket, user: StaffUser) -> str:
            actions.reply(self.rt, session, ticket, user, " ".join(args[1:]))
            return f"已发送给群众（工单 {ticket.number}）。"

        return self._act(chat_id, args[0], reply)

    def escalate(self, chat_id: str, args: list[str]) -> str:
        if len(args) < 2:
            return "请发送：/escalate 工单编号 上报原因"

        def escalate(session: Session, ticket: Ticket, user: StaffUser) -> str:
            actions.escalate(self.rt, session, ticket, user, " ".join(args[1:]))
            return f"工单 {ticket.number} 已上报至{unit_name(self.rt.ctx.regions, ticket.queue)}。"

        return self._act(chat_id, args[0], escalate)

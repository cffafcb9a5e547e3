"""Messages from staff to the veteran, and the conversation's handoff state.

Everything goes through the outbox on the veteran's own channel, in the same
transaction as the ticket change, and is logged in the conversation so the
ticket page shows the whole exchange.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.staff_reply import send_staff_reply
from bot.process.runtime import Runtime
from bot.shell.inbound import queue_reply, read_state, write_state
from db import conversations
from db.crypto import public_numbers, redact
from db.models import Conversation, Staff, Ticket
from intents.state import ConversationState
from intents.turn import Reply

SATISFACTION_QUESTION = "您反映的事项已办结（编号 {number}）。请对本次办理进行评价："
SATISFACTION_OPTIONS = ("满意", "基本满意", "不满意")
HANDOFF_HINT = "（工作人员正在为您服务。回复“结束人工”可回到机器人。）"
RELEASED = "工作人员已结束人工服务，回到机器人。有问题可以直接问我。"


class NoConversation(ValueError):
    """The ticket has no online conversation (e.g. a walk-in consultation)."""


def conversation(session: Session, ticket: Ticket) -> Conversation:
    if ticket.conversation_id is None:
        raise NoConversation("此工单没有在线会话（如来访、来电咨询），无法在线回复。")
    stmt = select(Conversation).where(Conversation.id == ticket.conversation_id).with_for_update()
    conv = session.scalars(stmt).one()
    return conv


def send(
    session: Session,
    conv: Conversation,
    ticket: Ticket,
    reply: Reply,
    sender: str,
    public: Collection[str] = (),
) -> None:
    """Queue one message to the veteran's channel and log it in the conversation
    (``public`` phone numbers, digits only, stay unmasked in the log)."""
    queue_reply(session, conv.channel, conv.user_id, reply, ticket_id=ticket.id)
    text = redact(reply.text, public)
    conversations.add_message(session, conv, "out", sender, text, reply.options, "staff", ticket.id)


def _public(rt: Runtime) -> frozenset[str]:
    return public_numbers(rt.ctx.regions.published_texts())


def _update_state(rt: Runtime, conv: Conversation, **changes: object) -> ConversationState:
    state = read_state(conv, rt.vault).model_copy(update=changes)
    write_state(conv, state, rt.vault)
    return state


def staff_reply(rt: Runtime, session: Session, ticket: Ticket, text: str, staff_id: int) -> None:
    """A staff member answers (outbox + conversation line + ticket event, by bot.delivery).

    The human now owns the conversation: the bot stays quiet and forwards the
    veteran's messages to this ticket until 结束人工 / 交还机器人 / resolution."""
    conv = conversation(session, ticket)
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NoConversation("工作人员账户不存在。")
    state = read_state(conv, rt.vault)
    taking_over = state.handoff_ticket != ticket.number
    if taking_over or not state.pending.get("forward_acked"):  # a human is talking: no bot acks
        _update_state(rt, conv, handoff_ticket=ticket.number, pending={"forward_acked": True})
    reply = text + ("\n" + HANDOFF_HINT if taking_over else "")
    send_staff_reply(session, ticket, reply, staff, _public(rt))


def notice(rt: Runtime, session: Session, ticket: Ticket, text: str, sender: str) -> None:
    """A written notice (书面告知) to the veteran, when they reached us online."""
    if ticket.conversation_id is None:
        return
    send(session, conversation(session, ticket), ticket, Reply(text), sender, _public(rt))


def release(rt: Runtime, session: Session, ticket: Ticket, sender: str, say: bool = True) -> bool:
    """交还机器人: end the human session of this ticket; False if it was not in one."""
    if ticket.conversation_id is None:
        return False
    conv = conversation(session, ticket)
    if read_state(conv, rt.vault).handoff_ticket != ticket.number:
        return False
    _update_state(rt, conv, handoff_ticket=None, pending={})
    if say:
        send(session, conv, ticket, Reply(RELEASED), sender)
    return True


def ask_satisfaction(rt: Runtime, session: Session, ticket: Ticket, sender: str) -> bool:
    """After resolution: the numbered 满意/基本满意/不满意 question; the engine records the answer."""
    if ticket.conversation_id is None:
        return False
    conv = conversation(session, ticket)
    state = read_state(conv, rt.vault)
    handoff = None if state.handoff_ticket == ticket.number else state.handoff_ticket
    _update_state(rt, conv, handoff_ticket=handoff, pending={"satisfaction": ticket.number})
    send(
        session,
        conv,
        ticket,
        Reply(SATISFACTION_QUESTION.format(number=ticket.number), SATISFACTION_OPTIONS),
        sender,
    )
    return True

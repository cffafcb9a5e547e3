"""Human replies: a staff member's message to the veteran of a ticket, via the outbox."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from db import conversations, tickets
from db.crypto import redact
from db.models import Conversation, OutboxMessage, Staff, Ticket

PREFIX = "【工作人员回复】"


def send_staff_reply(
    session: Session,
    ticket: Ticket,
    text: str,
    staff: Staff,
    public: Collection[str] = (),
) -> OutboxMessage | None:
    """Queue ``text`` from ``staff`` to the veteran of ``ticket`` on the channel they used.

    Call it inside your request's transaction (the console's reply action, Telegram
    ``/reply``): it writes the outbox row, the conversation line (sender
    ``staff:<username>``) and the ticket event ``reply`` (audit) together. The outbox
    worker delivers it (WeChat 客服 message, Telegram message; the web chat reads the
    conversation log). If the platform refuses — e.g. WeChat 45015, the veteran has
    not written for 48 hours — the row becomes ``undeliverable`` and the ticket gets
    ``undeliverable = True`` plus an event, so staff call back instead.

    ``public``: phone numbers (digits only) that stay unmasked in the logged line —
    the published station numbers, which the web chat shows as they are.

    Returns the outbox row, or ``None`` when the ticket has no conversation (it was
    opened by staff, e.g. from a phone call): nothing can be sent, call back.
    After your transaction commits, ``request.app.state.delivery.kick()`` sends it at
    once; otherwise the worker picks it up within its poll interval.
    """
    actor = f"staff:{staff.username}"
    conv = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    tickets.log(session, ticket, actor, "reply", note=redact(text)[:2000])
    if conv is None:
        return None
    row = OutboxMessage(
        channel=conv.channel,
        recipient=conv.user_id,
        kind="message",
        text=PREFIX + text,
        ticket_id=ticket.id,
    )
    session.add(row)
    conversations.add_message(
        session, conv, "out", actor, redact(text, public), ticket_id=ticket.id
    )
    session.flush()
    return row

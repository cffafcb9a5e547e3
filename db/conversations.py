"""Conversation state and message log, and the inbound dedupe receipts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Conversation, InboundReceipt, Message


def get_or_create(session: Session, channel: str, user_id: str) -> Conversation:
    """The conversation row, locked for this transaction (FOR UPDATE on PostgreSQL)."""
    stmt = select(Conversation).where(
        Conversation.channel == channel, Conversation.user_id == user_id
    )
    conv = session.scalars(stmt.with_for_update()).first()
    if conv is not None:
        return conv
    conv = Conversation(channel=channel, user_id=user_id, state_json="")
    try:
        with session.begin_nested():
            session.add(conv)
            session.flush()
    except IntegrityError:
        conv = session.scalars(stmt.with_for_update()).one()
    return conv


def find(session: Session, channel: str, user_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
    ).first()


def add_messages(session: Session, conv: Conversation, rows: Sequence[dict[str, object]]) -> None:
    """Insert several message rows at once (one executemany, no ORM bookkeeping)."""
    if rows:
        session.execute(insert(Message), [{"conversation_id": conv.id, **row} for row in rows])


def add_message(
    session: Session,
    conv: Conversation,
    direction: str,
    sender: str,
    text: str,
    options: Sequence[str] = (),
    intent: str | None = None,
    ticket_id: int | None = None,
) -> Message:
    msg = Message(
        conversation_id=conv.id,
        direction=direction,
        sender=sender,
        text=text,
        options_json=json.dumps(list(options), ensure_ascii=False),
        intent=intent,
        ticket_id=ticket_id,
    )
    session.add(msg)
    return msg


def messages(session: Session, conversation_id: int, after_id: int = 0) -> list[Message]:
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id)
    )
    return list(session.scalars(stmt))


def receipt(session: Session, channel: str, key: str) -> str | None:
    """The stored (encrypted) replies already given to this channel message, or None."""
    row = session.get(InboundReceipt, (channel, key))
    return row.replies_json if row else None


def save_receipt(session: Session, channel: str, key: str, payload: str) -> None:
    """Remember the replies given to a channel message; ``payload`` is opaque (encrypted)."""
    session.add(InboundReceipt(channel=channel, key=key, replies_json=payload))

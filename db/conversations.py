"""Conversation state and message log, and the inbound dedupe receipts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.models import Conversation, InboundReceipt, Message
from db.models.base import utcnow


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


def get_or_create_many(
    session: Session, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Conversation]:
    """The conversations of several (channel, user) pairs, locked in one statement and
    in a fixed order (so two batches sharing users queue instead of deadlocking)."""
    wanted = sorted(set(keys))
    found = _locked(session, wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        try:
            with session.begin_nested():  # new veterans: one insert for all of them
                now = utcnow()
                session.execute(
                    insert(Conversation),
                    [
                        {"channel": c, "user_id": u, "state_json": "", "created_at": now}
                        for c, u in missing
                    ],
                )
        except IntegrityError:  # another process created one meanwhile: one by one
            for channel, user_id in missing:
                found[(channel, user_id)] = get_or_create(session, channel, user_id)
        else:
            found |= _locked(session, missing)
    return found


def _locked(
    session: Session, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Conversation]:
    found: dict[tuple[str, str], Conversation] = {}
    for channel, users in _by_channel(keys).items():
        stmt = (
            select(Conversation)
            .where(Conversation.channel == channel, Conversation.user_id.in_(users))
            .order_by(Conversation.user_id)
            .with_for_update()
        )
        found |= {(c.channel, c.user_id): c for c in session.scalars(stmt)}
    return found


def create_missing(sessions: sessionmaker[Session], keys: Sequence[tuple[str, str]]) -> None:
    """On PostgreSQL, create the conversations a batch needs in a transaction of their
    own before the batch locks any: a batch then only locks rows that exist, always in
    the same order, so two batches never deadlock over a conversation one of them is
    creating. (SQLite runs one writer at a time: nothing to do.)"""
    wanted = sorted(set(keys))
    if not wanted or sessions.kw["bind"].dialect.name != "postgresql":
        return
    now = utcnow()
    rows = [
        {"channel": c, "user_id": u, "state_json": "", "created_at": now, "updated_at": now}
        for c, u in wanted
    ]
    with sessions() as session, session.begin():
        session.execute(pg_insert(Conversation).on_conflict_do_nothing(), rows)


def find(session: Session, channel: str, user_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
    ).first()


def add_message_rows(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert message rows (each naming its conversation_id) in one executemany."""
    if rows:
        session.execute(insert(Message), list(rows))


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


def receipts(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The stored (encrypted) replies of those of ``keys`` (channel, key) already seen."""
    seen: dict[tuple[str, str], str] = {}
    for channel, wanted in _by_channel(sorted(set(keys))).items():
        stmt = select(InboundReceipt.key, InboundReceipt.replies_json).where(
            InboundReceipt.channel == channel, InboundReceipt.key.in_(wanted)
        )
        seen |= {(channel, key): payload for key, payload in session.execute(stmt)}
    return seen


def save_receipts(session: Session, rows: Sequence[tuple[str, str, str]]) -> None:
    """Remember the replies given to several channel messages: (channel, key, payload)."""
    if rows:
        session.execute(
            insert(InboundReceipt),
            [{"channel": c, "key": k, "replies_json": p} for c, k, p in rows],
        )


def _by_channel(keys: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """(channel, x) pairs grouped by channel: each group is one indexed IN query."""
    groups: dict[str, list[str]] = {}
    for channel, value in keys:
        groups.setdefault(channel, []).append(value)
    return groups

"""The inbox table: store on arrival, mark done in the handling transaction, claim what
was left pending (a crashed process's messages) once its lease ran out.

Rows are (channel, key) unique. Payloads arrive already encrypted: this module never
sees message text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.models import InboxMessage

TABLE: Table = InboxMessage.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Arrival:
    channel: str
    key: str
    user_id: str
    payload: str  # encrypted


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    key: str
    user_id: str
    payload: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_seconds: float  # age of the oldest pending message (0 when none)
    failed: int


def store(
    session: Session, arrivals: Sequence[Arrival], now: dt.datetime, lease: dt.timedelta
) -> None:
    """Insert new messages; a key already pending (its sender retried) gets a fresh lease,
    since the process that received the retry now works on it. Done rows are left alone."""
    unique = list({(a.channel, a.key): a for a in reversed(arrivals)}.values())[::-1]
    if not unique:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(InboxMessage)
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel", "key"],
        set_={"lease_until": stmt.excluded.lease_until},
        where=InboxMessage.status == "pending",
    )
    session.execute(
        stmt,
        [
            {
                "channel": a.channel,
                "key": a.key,
                "user_id": a.user_id,
                "payload": a.payload,
                "status": "pending",
                "answer": "",
                "attempts": 0,
                "received_at": now,
                "lease_until": now + lease,
                "last_error": "",
            }
            for a in unique
        ],
    )


def mark_done(session: Session, rows: Sequence[tuple[str, str, str]], now: dt.datetime) -> None:
    """(channel, key, answer) handled in this transaction: done, payload erased."""
    if not rows:
        return
    stmt = (
        update(TABLE)
        .where(TABLE.c.channel == bindparam("c"), TABLE.c.key == bindparam("k"))
        .values(status="done", answer=bindparam("a"), payload="", done_at=now)
    )
    session.execute(stmt, [{"c": c, "k": k, "a": a} for c, k, a in rows])


def answers(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """How the answers of those of ``keys`` already handled left ("reply" or "outbox")."""
    found: dict[tuple[str, str], str] = {}
    by_channel: dict[str, list[str]] = {}
    for channel, key in sorted(set(keys)):
        by_channel.setdefault(channel, []).append(key)
    for channel, wanted in by_channel.items():
        stmt = select(InboxMessage.key, InboxMessage.answer).where(
            InboxMessage.channel == channel,
            InboxMessage.key.in_(wanted),
            InboxMessage.status == "done",
        )
        found |= {(channel, key): answer for key, answer in session.execute(stmt) if answer}
    return found


def claim_due(
    session: Session, now: dt.datetime, lease: dt.timedelta, limit: int = 50
) -> list[Claimed]:
    """Take up to ``limit`` pending rows whose lease ran out (oldest first): each gets a new
    lease (longer after every attempt) and one more attempt counted."""
    due = (
        select(InboxMessage.id)
        .where(InboxMessage.status == "pending", InboxMessage.lease_until <= now)
        .order_by(InboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
    else:
        ids = list(session.scalars(due))  # SQLite: BEGIN IMMEDIATE already made us the only writer
    if not ids:
        return []
    rows = list(
        session.scalars(
            select(InboxMessage).where(InboxMessage.id.in_(ids)).order_by(InboxMessage.id)
        )
    )
    for row in rows:
        row.attempts += 1
        row.lease_until = now + lease * row.attempts
    return [
        Claimed(r.id, r.channel, r.key, r.user_id, r.payload, r.attempts, r.last_error)
        for r in rows
    ]


def fail(session: Session, ids: Sequence[int], error: str) -> None:
    """Give up on these rows (too many attempts): failed, payload erased."""
    if ids:
        session.execute(
            update(InboxMessage)
            .where(InboxMessage.id.in_(list(ids)), InboxMessage.status == "pending")
            .values(status="failed", payload="", last_error=error[:200])
        )


def note_error(session: Session, key: tuple[str, str], error: str) -> None:
    session.execute(
        update(InboxMessage)
        .where(InboxMessage.channel == key[0], InboxMessage.key == key[1])
        .values(last_error=error[:200])
    )


def backlog(session: Session, now: dt.datetime) -> Backlog:
    pending, oldest = session.execute(
        select(func.count(), func.min(InboxMessage.received_at)).where(
            InboxMessage.status == "pending"
        )
    ).one()
    failed = session.scalar(
        select(func.count()).select_from(InboxMessage).where(InboxMessage.status == "failed")
    )
    age = 0.0
    if oldest is not None:
        aware = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
        age = max(0.0, (now - aware).total_seconds())
    return Backlog(int(pending or 0), age, int(failed or 0))

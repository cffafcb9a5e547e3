"""Shared counters for the channel guards (see ``db.models.guard``): atomic in one
statement on SQLite and PostgreSQL, so parallel workers never lose a hit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import RateCount, SeenNonce


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def _bucket(now: dt.datetime, seconds: int) -> int:
    return int(now.timestamp()) // seconds


def hit(session: Session, scope: str, subject: str, now: dt.datetime, seconds: int) -> int:
    """Count one hit of ``subject`` in the current ``seconds``-long window; the window's
    total including this one. The subject's older windows are dropped on the way."""
    bucket = _bucket(now, seconds)
    session.execute(
        delete(RateCount).where(
            RateCount.scope == scope, RateCount.subject == subject[:160], RateCount.bucket < bucket
        )
    )
    expires = dt.datetime.fromtimestamp((bucket + 2) * seconds, dt.UTC)
    stmt = _insert(session, RateCount).values(
        scope=scope, subject=subject[:160], bucket=bucket, hits=1, expires_at=expires
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["scope", "subject", "bucket"], set_={"hits": RateCount.hits + 1}
    ).returning(RateCount.hits)
    return int(session.execute(stmt).scalar_one())


def hits(session: Session, scope: str, subject: str, now: dt.datetime, seconds: int) -> int:
    """The hits of ``subject`` in the current window (without counting one)."""
    found = session.scalar(
        select(RateCount.hits).where(
            RateCount.scope == scope,
            RateCount.subject == subject[:160],
            RateCount.bucket == _bucket(now, seconds),
        )
    )
    return int(found or 0)


def purge(session: Session, now: dt.datetime, limit: int = 500) -> None:
    """Forget windows and nonces that can no longer matter (also those of users who
    never came back). Rows another transaction holds are skipped (PostgreSQL), so a
    purge never waits for, or deadlocks with, a message being handled."""
    windows = (
        select(RateCount.scope, RateCount.subject, RateCount.bucket)
        .where(RateCount.expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    key = tuple_(RateCount.scope, RateCount.subject, RateCount.bucket)
    session.execute(delete(RateCount).where(key.in_(windows)))
    nonces = (
        select(SeenNonce.nonce, SeenNonce.timestamp)
        .where(SeenNonce.expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    pair = tuple_(SeenNonce.nonce, SeenNonce.timestamp)
    session.execute(delete(SeenNonce).where(pair.in_(nonces)))


def claim_nonce(
    session: Session, nonce: str, timestamp: str, body_sha256: str, expires_at: dt.datetime
) -> bool:
    """Record a signed request's (nonce, timestamp). True the first time, and for an
    identical body again (a platform retry, answered from the dedupe receipt); False
    when the pair already signed a different body (a replayed signature)."""
    stmt = (
        _insert(session, SeenNonce)
        .values(nonce=nonce, timestamp=timestamp, body_sha256=body_sha256, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["nonce", "timestamp"])
        .returning(SeenNonce.nonce)
    )
    if session.execute(stmt).first() is not None:
        return True
    first = session.scalar(
        select(SeenNonce.body_sha256).where(
            SeenNonce.nonce == nonce, SeenNonce.timestamp == timestamp
        )
    )
    return first == body_sha256

"""A signed WeChat callback is accepted once and only while fresh.

WeChat's ``signature`` covers token, timestamp and nonce. Without more, one triple seen
anywhere (a proxy or access log) signs any body, for ever. So, after the signature and
(in safe mode) ``msg_signature`` have been checked:

- the timestamp must lie within ``max_age`` seconds of the runtime clock, either way;
- the (nonce, timestamp) pair is recorded in the database (``seen_nonces``, shared by
  every worker) until it is stale anyway; it may come again only with the very same
  body — WeChat's own retry, which the dedupe receipt answers without running the
  engine twice — and never signs another body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat.message import Forbidden, Query
from db import guards
from db.session import transaction
from knowledge.clock import Clock

MAX_NONCE = 64


@dataclass(frozen=True)
class ReplayGuard:
    sessions: sessionmaker[Session]
    clock: Clock
    max_age: int = 300  # seconds (VETBOT_WECHAT_MAX_AGE_SECONDS)

    def check(self, query: Query, body: bytes) -> None:
        """Raise ``Forbidden`` for a stale or future timestamp, or a reused nonce.
        Blocking (one short transaction): call it off the event loop."""
        stamp = _epoch(query.timestamp)
        now = self.clock.now()
        if abs(now.timestamp() - stamp) > self.max_age:
            raise Forbidden("timestamp outside the accepted window")
        if not query.nonce or len(query.nonce) > MAX_NONCE:
            raise Forbidden("missing or oversized nonce")
        expires = dt.datetime.fromtimestamp(stamp + self.max_age + 1, dt.UTC)
        digest = hashlib.sha256(body).hexdigest()
        with transaction(self.sessions) as session:
            fresh = guards.claim_nonce(session, query.nonce, query.timestamp, digest, expires)
            guards.purge(session, now)
        if not fresh:
            raise Forbidden("nonce already used for another message")


def _epoch(timestamp: str) -> int:
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise Forbidden("bad timestamp")
    return int(timestamp)

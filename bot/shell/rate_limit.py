"""Per-user flood limit on every channel, counted in the database (all workers).

Each message a veteran sends (WeChat, Telegram, web chat; not the local CLI) counts
against ``rate_limit_per_minute`` in a fixed one-minute window of ``Inbound.at``. Over
the limit, the shell answers "您发得太快了" instead of running the engine: no ticket, no
staff alarm, no KB search. The message is still logged, and a retry is still answered
from its receipt. Two exceptions:

- a message that reads as a crisis always reaches the engine (its urgent ticket is
  one per person, ``bot.tickets.intake``), so no one in danger is turned away;
- where every reply costs a platform call (``queue_replies``: Telegram), the notice is
  sent once per window and later messages get no reply at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.process.runtime import Runtime
from db import guards
from db.session import transaction
from intents.rules import crisis_action
from intents.state import ConversationState
from intents.turn import Inbound, Reply, Turn, Understanding
from intents.vocabulary import Intent
from knowledge.text import normalize, plain_words

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
EXEMPT_CHANNELS = frozenset({"cli"})
TOO_FAST = (
    "您发得太快了，请稍后再发（每分钟最多{limit}条）。\n"
    "如遇紧急情况，请直接拨打110或120；心里难受可拨打心理援助热线12356。"
)


def refused(
    rt: Runtime, session: Session, inbound: Inbound, state: ConversationState, quiet: bool
) -> Turn | None:
    """None to go ahead; otherwise the turn to take instead of the engine's (the notice,
    or with ``quiet`` after the first notice of the window, nothing)."""
    hits = _hit(rt, session, inbound.channel, inbound.user_id, inbound.at)
    limit = rt.settings.rate_limit_per_minute
    if hits <= limit or crisis_action(normalize(inbound.text), plain_words(inbound.text)):
        return None
    replies = () if quiet and hits > limit + 1 else (notice(limit),)
    return Turn(state, replies, (), Understanding(Intent.RATE_LIMITED))


@dataclass(frozen=True)
class Verdict:
    limited: bool
    notice: Reply | None = None  # to send: only the first time in the window


def check(rt: Runtime, channel: str, user_id: str) -> Verdict:
    """For what a channel answers without the shell (Telegram media and commands);
    blocking (one short transaction)."""
    with transaction(rt.sessions) as session:
        hits = _hit(rt, session, channel, user_id, rt.clock.now())
    limit = rt.settings.rate_limit_per_minute
    if hits <= limit:
        return Verdict(False)
    return Verdict(True, notice(limit) if hits == limit + 1 else None)


def notice(limit: int) -> Reply:
    return Reply(TOO_FAST.format(limit=limit))


def _hit(rt: Runtime, session: Session, channel: str, user_id: str, at: dt.datetime) -> int:
    """This message's place in the user's minute (0 when the channel is not limited)."""
    if rt.settings.rate_limit_per_minute <= 0 or channel in EXEMPT_CHANNELS:
        return 0
    return guards.hit(session, f"user:{channel}", user_id, at, WINDOW_SECONDS)


def address_hits(rt: Runtime, address: str) -> int:
    """Count one web request from a client address; its hits this minute (blocking).
    Without a database the count is 0: /api/ask needs none and keeps answering."""
    now = rt.clock.now()
    try:
        with transaction(rt.sessions) as session:
            hits = guards.hit(session, "addr:web", address, now, WINDOW_SECONDS)
            guards.purge(session, now)  # also the windows of users who never came back
    except SQLAlchemyError as exc:
        log.warning("rate limit: address not counted (%s)", type(exc).__name__)
        return 0
    return hits

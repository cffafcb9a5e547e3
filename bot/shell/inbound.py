"""The IO shell around ``engine.step``: load state, step, apply effects, save state,
log messages and queue deliveries — all in one DB transaction."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from bot.process.runtime import Runtime
from bot.shell import rate_limit
from bot.shell.effects import Applied, EffectContext, apply_all
from bot.tickets import routing
from bot.tickets.directory import DbTicketDirectory
from db import conversations, routing_rules
from db import inbox as inbox_rows
from db.crypto import PiiVault, public_numbers, redact
from db.models import Conversation, OutboxMessage
from db.session import transaction
from intents.context import Context
from intents.engine import expects_sensitive, step
from intents.flows.lookup import WINDOW as LOOKUP_WINDOW
from intents.state import ConversationState, load_state
from intents.turn import Inbound, OpenTicket, RecordUnanswered, Reply, Turn
from knowledge.clock import china_date

log = logging.getLogger(__name__)
SENSITIVE_PLACEHOLDER = "［个人信息，已加密保存］"


@dataclass(frozen=True)
class Handled:
    """The result of handling one inbound message."""

    replies: tuple[Reply, ...]
    turn: Turn | None  # None when the message was a duplicate (replayed replies)
    duplicate: bool = False
    tickets: tuple[str, ...] = ()
    #: how the answer leaves: "reply" (the caller sends it in its response) or "outbox"
    #: (queued for the channel's sender); a duplicate says how the original's left
    answered: str = "reply"

    def text(self) -> str:
        return "\n\n".join(r.plain() for r in self.replies)


#: Decides, in the handling transaction just before it commits, how the answer leaves:
#: queues in the session what the caller will not send itself and returns "reply" or
#: "outbox". A channel whose caller may give up waiting (WeChat's 5 s) passes one, so the
#: answer is never both replied and queued, and never lost between the two.
Deliver = Callable[[Session, Handled], str]


@dataclass(frozen=True)
class Job:
    """One inbound message to handle; ``dedupe_key`` makes a channel's retries safe (and
    names its row in the durable inbox, which the handling transaction marks done)."""

    inbound: Inbound
    dedupe_key: str | None = field(default=None, repr=False)  # holds the openid on WeChat
    queue_replies: bool = False
    deliver: Deliver | None = None


def handle(
    rt: Runtime, inbound: Inbound, dedupe_key: str | None = None, queue_replies: bool = False
) -> Handled:
    """Handle one inbound message exactly once (per ``dedupe_key``)."""
    result = handle_batch(rt, [Job(inbound, dedupe_key, queue_replies)])[0]
    if isinstance(result, Exception):
        raise result
    return result


def handle_batch(rt: Runtime, jobs: Sequence[Job]) -> list[Handled | Exception]:
    """Handle several messages in one transaction, in order: one commit for all of them
    (group commit — under load the commit, not the engine, is what a message costs).

    A message whose step or effects fail gets its exception in the result list and
    leaves no trace; the others still commit. If the commit itself fails (e.g.
    another process stored one of the dedupe keys first), this raises and nothing of
    the batch is stored — the caller retries the messages one by one."""
    users = [(j.inbound.channel, j.inbound.user_id) for j in jobs]
    conversations.create_missing(rt.sessions, users)
    with transaction(rt.sessions) as session:
        # the conversation locks first: a retry racing its original waits here, then sees the receipt
        convs = conversations.get_or_create_many(session, users)
        keys = [(j.inbound.channel, j.dedupe_key) for j in jobs if j.dedupe_key]
        batch = _Batch(rt, session, conversations.receipts(session, keys))
        batch.answered = inbox_rows.answers(session, keys)
        results = [
            batch.run(job, convs[(job.inbound.channel, job.inbound.user_id)]) for job in jobs
        ]
        results = batch.write(jobs, results)
    return results


class _Batch:
    """The writes of a batch that can wait for its end: message log rows and receipts."""

    def __init__(self, rt: Runtime, session: Session, seen: dict[tuple[str, str], str]) -> None:
        self.rt = rt
        self.session = session
        self.seen = seen  # (channel, dedupe key) → encrypted replies already given
        self.messages: list[dict[str, object]] = []
        self.receipts: list[tuple[str, str, str]] = []
        self.answered: dict[tuple[str, str], str] = {}  # how handled keys' answers left

    def run(self, job: Job, conv: Conversation) -> Handled | Exception:
        key = (job.inbound.channel, job.dedupe_key) if job.dedupe_key else None
        if key and key in self.seen:
            replayed = json.loads(self.rt.vault.decrypt(self.seen[key]) or "[]")
            answered = self.answered.get(key, "outbox" if job.queue_replies else "reply")
            return Handled(tuple(_reply_from(r) for r in replayed), None, True, (), answered)
        try:
            handled = self._step(job, conv)
        except Exception as exc:  # one broken message must not take its batch down
            log.exception("handling a %s message failed", job.inbound.channel)
            return exc
        if key:
            payload = json.dumps([_reply_dict(r) for r in handled.replies], ensure_ascii=False)
            self.seen[key] = self.rt.vault.encrypt(payload) or ""
            self.receipts.append((*key, self.seen[key]))
        return handled

    def _step(self, job: Job, conv: Conversation) -> Handled:
        rt, session, inbound = self.rt, self.session, job.inbound
        state = read_state(conv, rt.vault)
        refused = rate_limit.refused(rt, session, inbound, state, job.queue_replies)
        if refused is not None:
            rt.metrics.rate_limited.labels(inbound.channel).inc()
            turn = refused
        else:
            started = time.perf_counter()
            turn = step(state, inbound, _step_context(rt, session, inbound.at))
            _count(rt, inbound, turn, time.perf_counter() - started)
        applied = Applied()
        if turn.effects:
            opens = any(isinstance(e, OpenTicket) for e in turn.effects)
            with session.begin_nested():  # a failing effect undoes only its own writes
                applied = apply_all(
                    _effect_context(rt, session, conv, inbound, opens), turn.effects
                )
        replies = _final_replies(turn, applied)
        new_state = turn.state
        if applied.handoff_ticket:
            new_state = new_state.model_copy(update={"handoff_ticket": applied.handoff_ticket})
        new_state = _count_lookup_failures(new_state, applied, inbound.at)
        logged = tuple(Reply(applied.masked(r.text), r.options) for r in replies)
        self.messages += _message_rows(conv, inbound, state, turn, logged, rt)
        write_state(conv, new_state, rt.vault)
        if job.queue_replies:
            for reply in replies:
                queue_reply(session, inbound.channel, inbound.user_id, reply)
        return Handled(replies, turn, False, tuple(t.number for t in applied.tickets))

    def write(
        self, jobs: Sequence[Job], results: Sequence[Handled | Exception]
    ) -> list[Handled | Exception]:
        """The batch's last writes, just before it commits: message log, receipts, how
        each answer leaves, and the inbox rows marked done."""
        conversations.add_message_rows(self.session, self.messages)
        conversations.save_receipts(self.session, self.receipts)
        delivered = [self._deliver(job, result) for job, result in zip(jobs, results, strict=True)]
        done = [
            (job.inbound.channel, job.dedupe_key, result.answered)
            for job, result in zip(jobs, delivered, strict=True)
            if job.dedupe_key and isinstance(result, Handled)
        ]
        inbox_rows.mark_done(self.session, done, self.rt.clock.now())
        return delivered

    def _deliver(self, job: Job, result: Handled | Exception) -> Handled | Exception:
        if isinstance(result, Exception):
            return result
        if job.deliver is not None:
            return replace(result, answered=job.deliver(self.session, result))
        if job.queue_replies and not result.duplicate:
            return replace(result, answered="outbox")
        return result


def _count(rt: Runtime, inbound: Inbound, turn: Turn, seconds: float) -> None:
    understood = turn.understanding
    unanswered = any(isinstance(e, RecordUnanswered) for e in turn.effects)
    rt.metrics.turn(
        inbound.channel,
        str(understood.intent),
        len(turn.replies),
        understood.confidence,
        seconds,
        unanswered,
    )


def read_state(conv: Conversation, vault: PiiVault) -> ConversationState:
    """State is stored encrypted: flows hold answers such as ID numbers until confirmed."""
    if not conv.state_json:
        return ConversationState()
    return load_state(vault.decrypt(conv.state_json))


def write_state(conv: Conversation, state: ConversationState, vault: PiiVault) -> None:
    conv.state_json = vault.encrypt(state.to_json()) or ""
    conv.state_version = state.version
    if state.region and conv.region_code != state.region:
        conv.region_code = state.region


def queue_reply(
    session: Session, channel: str, recipient: str, reply: Reply, ticket_id: int | None = None
) -> None:
    session.add(
        OutboxMessage(
            channel=channel,
            recipient=recipient,
            kind="message",
            text=reply.text,
            options_json=json.dumps(list(reply.options), ensure_ascii=False),
            ticket_id=ticket_id,
        )
    )


def _effect_context(
    rt: Runtime,
    session: Session,
    conv: Conversation,
    inbound: Inbound,
    turn_opens_ticket: bool = True,
) -> EffectContext:
    at = inbound.at if inbound.at.tzinfo else inbound.at.replace(tzinfo=dt.UTC)
    return EffectContext(
        session=session,
        ctx=rt.ctx,
        vault=rt.vault,
        conversation=conv,
        today=china_date(at),
        channel=inbound.channel,
        routing=_routing(rt, session, turn_opens_ticket),
    )


def _routing(rt: Runtime, session: Session, needed: bool) -> routing.Routing:
    """File rules, plus the database's when a ticket is about to be routed."""
    base = routing.current(rt.settings.routing_file)
    return routing.with_db_rules(base, routing_rules.active(session)) if needed else base


def _step_context(rt: Runtime, session: Session, at: dt.datetime) -> Context:
    """The engine's context for this step, with 查询进度 lent over this transaction."""
    directory = DbTicketDirectory(session, rt.vault, rt.ctx.regions, at)
    return replace(rt.ctx, tickets=directory)


def _count_lookup_failures(
    state: ConversationState, applied: Applied, at: dt.datetime
) -> ConversationState:
    """Wrong 查询进度 tries stay in the (persisted) state for the lockout window."""
    if not applied.lookup_failures:
        return state
    now = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    recent = [
        t
        for t in state.lookup_failures
        if now - (t if t.tzinfo else t.replace(tzinfo=dt.UTC)) < LOOKUP_WINDOW
    ]
    return state.model_copy(update={"lookup_failures": [*recent, *applied.lookup_failures][-20:]})


def _final_replies(turn: Turn, applied: Applied) -> tuple[Reply, ...]:
    if not applied.replies:
        return turn.replies
    return (*turn.replies, *(Reply(text) for text in applied.replies))


def _message_rows(
    conv: Conversation,
    inbound: Inbound,
    before: ConversationState,
    turn: Turn,
    replies: tuple[Reply, ...],
    rt: Runtime,
) -> list[dict[str, object]]:
    text = (
        SENSITIVE_PLACEHOLDER
        if expects_sensitive(before, rt.ctx)
        else redact(storable(inbound.text[:4000]))
    )
    intent = turn.understanding.intent
    rows: list[dict[str, object]] = [
        _row(conv, "in", "veteran", text or f"[{inbound.event or 'empty'}]", (), intent, inbound.at)
    ]
    public = public_numbers(rt.ctx.regions.published_texts())  # stations' phones stay readable
    rows += [
        _row(conv, "out", "bot", redact(r.text, public), r.options, intent, inbound.at)
        for r in replies
    ]
    version = str(rt.kb_version) if rt.kb_version else None  # what the replies were answered from
    return [{**r, "kb_version": version if r["direction"] == "out" else None} for r in rows]


def _row(
    conv: Conversation,
    direction: str,
    sender: str,
    text: str,
    options: tuple[str, ...],
    intent: str,
    at: dt.datetime,
) -> dict[str, object]:
    return {
        "conversation_id": conv.id,
        "direction": direction,
        "sender": sender,
        "text": text,
        "options_json": json.dumps(list(options), ensure_ascii=False),
        "intent": intent,
        "ticket_id": None,
        "created_at": at if at.tzinfo else at.replace(tzinfo=dt.UTC),
    }


def storable(text: str) -> str:
    """Text safe for every database (PostgreSQL refuses NUL characters)."""
    return text.replace("\x00", "")


def _reply_from(data: dict[str, object]) -> Reply:
    options = data.get("options")
    return Reply(
        str(data.get("text", "")),
        tuple(str(o) for o in options) if isinstance(options, list) else (),
    )


def _reply_dict(reply: Reply) -> dict[str, object]:
    return {"text": reply.text, "options": list(reply.options)}

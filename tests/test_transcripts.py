"""Transcript tests: whole conversations, as data, through the real IO shell.

Every ``tests/transcripts/*.yaml`` file holds conversations; each one runs through
``bot.shell.inbound.handle`` on the ``runtime`` fixture (a migrated SQLite file, then
PostgreSQL), so state is saved and reloaded between every line exactly as in
production. Add a file per topic (card.yaml, petition.yaml, …); nothing to register.

File format::

    transcripts:
      - name: 退役军人本人，完整办理并预登记     # unique within the file; the test id
        start: 2026-03-02 09:00               # China time of the first line (default: this one, a Monday)
        user: u1                               # who speaks (default u1); a step may say `as: u2`
        steps:
          - say: 我要办优待证                   # what the veteran types (or `event: subscribe`)
            flow: card                          # expected flow after the turn (null = no flow)
            slot: applicant                     # expected slot being asked (null = none)
            intent: card                        # Understanding.intent of the turn
            reply: [谁申请]                     # fragments that must ALL appear in the replies
            options: [本人是退役军人]           # fragments that must each appear in some option
            no_reply: [已取消]                  # fragments that must NOT appear
            effects: []                         # effect types in order (open_ticket, notify_staff, …)
            capture: {no: "编号 (\\S+)。"}      # regex group from the replies, usable later as {no}
          - wait: 25h                           # advance the clock (s, m, h or d); each line adds 1 min
          - restart: true                       # a new process: new Runtime, same database
        tickets:                                # checked at the end, in creation order (exact count)
          - kind: card_preapp                   # any Ticket column: kind, queue, region_code, due_on …
            pii: {name: 张三, phone: "13812345678"}   # decrypted values (name, id_number, phone, address)
            details: {card_kind: 退役军人}      # a subset of the ticket's details
        never_stored: ["13812345678"]           # plaintext that must not appear in messages,
                                                # conversation state, tickets, events or outbox

Replies are compared as a channel without buttons shows them (options as a
numbered list); write fragments exactly as the bot says them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, handle
from db.models import Conversation, Message, OutboxMessage, Ticket, TicketEvent
from db.session import make_engine, session_factory
from intents.turn import Inbound

HERE = Path(__file__).parent / "transcripts"
CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_START = "2026-03-02 09:00"
STEP_KEYS = {"say", "event", "as", "wait", "restart", "flow", "slot", "intent", "reply", "options"}
STEP_KEYS |= {"no_reply", "effects", "capture", "channel"}
PII_COLUMNS = {
    "name": "name_enc",
    "id_number": "id_number_enc",
    "phone": "phone_enc",
    "address": "address_enc",
}


def _load() -> list[Any]:
    cases = []
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = [t["name"] for t in doc.get("transcripts", [])]
        assert len(names) == len(set(names)), f"{path.name}: duplicate transcript names"
        for item in doc.get("transcripts", []):
            cases.append(pytest.param(item, id=f"{path.stem}:{item['name']}"))
    return cases


CASES = _load()


def test_enough_transcripts() -> None:
    assert len(CASES) >= 30


@dataclass
class Chat:
    """The running conversation: clock, process (runtime), captured values."""

    rt: Runtime
    at: dt.datetime
    user: str
    captured: dict[str, str] = field(default_factory=dict)
    engines: list[Any] = field(default_factory=list)

    def restart(self) -> None:
        """A new process on the same database: nothing survives but what is stored."""
        old = self.rt
        engine = make_engine(old.settings.database_url)
        self.engines.append(engine)
        self.rt = Runtime(
            old.settings, old.ctx, engine, session_factory(engine), old.vault, clock=old.clock
        )

    def fill(self, text: str) -> str:
        for key, value in self.captured.items():
            text = text.replace("{" + key + "}", value)
        return text


@pytest.mark.parametrize("case", CASES)
def test_transcript(case: dict[str, Any], runtime: Runtime) -> None:
    start = dt.datetime.strptime(str(case.get("start", DEFAULT_START)), "%Y-%m-%d %H:%M").replace(
        tzinfo=CHINA
    )
    chat = Chat(runtime, start, str(case.get("user", "u1")))
    try:
        for n, step in enumerate(case["steps"], 1):
            _run_step(chat, step, f"{case['name']} step {n}")
        if "tickets" in case:
            _check_tickets(chat.rt, case["tickets"])
        _check_never_stored(chat.rt, [str(s) for s in case.get("never_stored", [])])
    finally:
        for engine in chat.engines:
            engine.dispose()


def _run_step(chat: Chat, step: dict[str, Any], where: str) -> None:
    unknown = set(step) - STEP_KEYS
    assert not unknown, f"{where}: unknown keys {unknown}"
    if "wait" in step:
        chat.at += _duration(str(step["wait"]))
    if step.get("restart"):
        chat.restart()
    if "say" not in step and "event" not in step:
        return
    chat.at += dt.timedelta(minutes=1)
    inbound = Inbound(
        channel=str(step.get("channel", "web")),
        user_id=str(step.get("as", chat.user)),
        text=chat.fill(str(step.get("say", ""))),
        event=step.get("event"),
        at=chat.at,
    )
    handled = handle(chat.rt, inbound)
    _check_step(handled, step, f"{where} ({inbound.text or inbound.event!r})")
    for key, pattern in (step.get("capture") or {}).items():
        found = re.search(pattern, handled.text())
        assert found, (
            f"{where}: nothing to capture for {key} with {pattern!r} in:\n{handled.text()}"
        )
        chat.captured[key] = found.group(1)


def _check_step(handled: Handled, step: dict[str, Any], where: str) -> None:
    assert handled.turn is not None
    text = handled.text()
    state = handled.turn.state
    show = f"\n--- replies ---\n{text}\n--- flow={state.flow} slot={state.slot}"
    for fragment in _list(step.get("reply")):
        assert fragment in text, f"{where}: expected {fragment!r} in the reply{show}"
    for fragment in _list(step.get("no_reply")):
        assert fragment not in text, f"{where}: did not expect {fragment!r}{show}"
    options = [o for r in handled.replies for o in r.options]
    for fragment in _list(step.get("options")):
        assert any(fragment in o for o in options), (
            f"{where}: no option with {fragment!r} in {options}"
        )
    if "flow" in step:
        assert state.flow == step["flow"], (
            f"{where}: flow {state.flow!r}, expected {step['flow']!r}{show}"
        )
    if "slot" in step:
        assert state.slot == step["slot"], (
            f"{where}: slot {state.slot!r}, expected {step['slot']!r}{show}"
        )
    if "intent" in step:
        intent = handled.turn.understanding.intent
        assert intent == step["intent"], (
            f"{where}: intent {intent!r}, expected {step['intent']!r}{show}"
        )
    if "effects" in step:
        types = [e.type for e in handled.turn.effects]
        assert types == list(step["effects"]), (
            f"{where}: effects {types}, expected {step['effects']}{show}"
        )


def _check_tickets(rt: Runtime, expected: list[dict[str, Any]]) -> None:
    with rt.sessions() as session:
        tickets = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        assert len(tickets) == len(expected), f"{len(tickets)} tickets: {[t.kind for t in tickets]}"
        for ticket, want in zip(tickets, expected, strict=True):
            for key, value in want.items():
                if key == "pii":
                    for name, plain in value.items():
                        assert rt.vault.decrypt(getattr(ticket, PII_COLUMNS[name])) == str(plain), (
                            name
                        )
                elif key == "details":
                    details = json.loads(ticket.details_json)
                    for k, v in value.items():
                        assert details.get(k) == v, (
                            f"details[{k}] = {details.get(k)!r}, expected {v!r}"
                        )
                else:
                    got = getattr(ticket, key)
                    got = got.isoformat() if isinstance(got, dt.date) else got
                    assert got == value, f"ticket.{key} = {got!r}, expected {value!r}"


def _check_never_stored(rt: Runtime, secrets: list[str]) -> None:
    if not secrets:
        return
    with rt.sessions() as session:
        stored = [m.text for m in session.scalars(select(Message))]
        stored += [c.state_json for c in session.scalars(select(Conversation))]
        stored += [f"{t.summary} {t.details_json}" for t in session.scalars(select(Ticket))]
        stored += [e.note for e in session.scalars(select(TicketEvent))]
        stored += [o.text for o in session.scalars(select(OutboxMessage))]
    for secret in secrets:
        leaks = [s for s in stored if secret in s]
        assert not leaks, f"{secret!r} stored in plain text: {leaks[:2]}"


def _duration(text: str) -> dt.timedelta:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip())
    assert m, f"bad duration {text!r} (use e.g. 30m, 25h, 2d)"
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
    return dt.timedelta(**{unit: float(m.group(1))})


def _list(value: Any) -> Iterator[str]:
    if value is None:
        return iter(())
    return iter([str(value)] if isinstance(value, str) else [str(v) for v in value])

"""What a send attempt came to, and the Sender interface every channel implements."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, Protocol

from intents.turn import Reply

Status = Literal["sent", "retry", "undeliverable"]


@dataclass(frozen=True)
class Item:
    """One claimed outbox row, detached from the DB session."""

    id: int
    channel: str
    recipient: str
    kind: str  # message | notification | crisis
    text: str
    options: tuple[str, ...]
    attempts: int
    ticket_id: int | None = None

    def reply(self) -> Reply:
        return Reply(self.text, self.options)

    @staticmethod
    def options_from(raw: str) -> tuple[str, ...]:
        try:
            value = json.loads(raw or "[]")
        except json.JSONDecodeError:
            return ()
        return tuple(str(v) for v in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Outcome:
    """``remaining``: for a retry after some pieces of a long text went out, the rest."""

    status: Status
    error: str = ""
    remaining: str | None = None


SENT = Outcome("sent")


def retry(error: str, remaining: str | None = None) -> Outcome:
    return Outcome("retry", error[:500], remaining)


def undeliverable(error: str) -> Outcome:
    return Outcome("undeliverable", error[:500])


class Sender(Protocol):
    """Sends one outbox item on one channel. Never raises: every failure is an Outcome."""

    async def send(self, item: Item) -> Outcome: ...

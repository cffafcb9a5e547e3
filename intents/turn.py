"""The data that goes into and comes out of ``engine.step``: pure values, no IO."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from intents.state import ConversationState
from intents.vocabulary import Intent, TicketKind


@dataclass(frozen=True)
class Inbound:
    """One thing the veteran did: a text message or a channel event."""

    channel: str
    #: who and what are left out of ``repr``: a logged ``Inbound`` names neither
    user_id: str = field(repr=False)
    text: str = field(repr=False)
    #: when it happened: adapters stamp it from the process clock (``Runtime.clock``)
    at: dt.datetime
    msg_id: str | None = field(default=None, repr=False)
    event: str | None = None  # "subscribe", "menu:card", … (channel events mapped by adapters)


@dataclass(frozen=True)
class Reply:
    """A message to the veteran; options render as buttons or as a numbered list."""

    text: str
    options: tuple[str, ...] = ()

    def plain(self) -> str:
        """The reply for a channel without buttons: options as a numbered list."""
        if not self.options:
            return self.text
        listed = "\n".join(f"{i}. {o}" for i, o in enumerate(self.options, 1))
        return f"{self.text}\n{listed}\n（回复数字即可）"


# ---- effects: plain data the IO shell applies in the step's transaction ----


@dataclass(frozen=True)
class Effect:
    type: ClassVar[str] = "effect"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"type": self.type}
        for key, value in self.__dict__.items():
            out[key] = value
        return out


@dataclass(frozen=True)
class OpenTicket(Effect):
    """Open a ticket (工单) in a staff queue. ``pii`` holds name/id_number/phone,
    which the shell stores encrypted; ``details`` holds everything else."""

    type: ClassVar[str] = "open_ticket"
    kind: TicketKind
    region_code: str | None
    summary: str
    category: str | None = None
    details: dict[str, object] = field(default_factory=dict)
    pii: dict[str, str] = field(default_factory=dict)
    urgent: bool = False
    excerpt: tuple[str, ...] = ()
    handoff: bool = False  # a human takes over the conversation until resolved


@dataclass(frozen=True)
class NotifyStaff(Effect):
    type: ClassVar[str] = "notify_staff"
    region_code: str | None
    message: str
    urgent: bool = False


@dataclass(frozen=True)
class RecordUnanswered(Effect):
    """A question the bot could not answer confidently, for KB curators."""

    type: ClassVar[str] = "record_unanswered"
    text: str
    confidence: float
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForwardToHuman(Effect):
    """While a human owns the conversation, the veteran's message goes to the ticket."""

    type: ClassVar[str] = "forward_to_human"
    ticket: str
    text: str


@dataclass(frozen=True)
class EndHandoff(Effect):
    type: ClassVar[str] = "end_handoff"
    ticket: str


@dataclass(frozen=True)
class RecordSatisfaction(Effect):
    type: ClassVar[str] = "record_satisfaction"
    ticket: str
    rating: str  # 满意 | 基本满意 | 不满意


@dataclass(frozen=True)
class RequestFollowUp(Effect):
    """File a 复查 (or 复核) of a petition whose number and lookup code the flow has
    checked (《信访工作条例》第三十五、三十六条). The shell re-checks the window
    and answers with the new ticket, or with why it cannot be filed."""

    type: ClassVar[str] = "request_follow_up"
    number: str  # the step challenged: the petition, or its 复查
    reason: str  # why, in the veteran's own words


@dataclass(frozen=True)
class Understanding:
    """What the bot made of the message — what `vetbot ask --json` reports."""

    intent: Intent
    entry_id: str | None = None
    confidence: float = 0.0
    sources: tuple[str, ...] = ()
    handoff: bool = False


@dataclass(frozen=True)
class Turn:
    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    understanding: Understanding = field(default_factory=lambda: Understanding(Intent.UNKNOWN))

    def text(self) -> str:
        return "\n\n".join(r.plain() for r in self.replies)

"""Flows as data: a flow is slots (prompt, options, parser, example, condition)
plus a final action. ``runner`` walks them; the flows only declare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intents.context import Context
from intents.cues.compiler import CueError, load
from intents.options import pick
from intents.state import ConversationState
from intents.turn import Effect, Reply
from intents.vocabulary import Intent
from knowledge.clock import CHINA


@dataclass(frozen=True)
class View:
    """What a slot's callbacks see: answers so far, the context, the state."""

    slots: dict[str, Any]
    ctx: Context
    state: ConversationState

    @property
    def region(self) -> str:
        return self.state.region or self.ctx.default_region

    @property
    def today(self) -> dt.date:
        """The veteran's date (China time) of the message being handled — the engine's only clock."""
        at = self.state.last_activity or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        return at.astimezone(CHINA).date()


@dataclass(frozen=True)
class Parsed:
    value: Any
    label: str | None = None  # how to show the answer in a summary
    finish: bool = False  # skip the remaining slots
    remember: dict[str, Any] = field(default_factory=dict)  # extra slots to set


@dataclass(frozen=True)
class Invalid:
    reason: str


ParseResult = Parsed | Invalid
Text = str | Callable[[View], str]
OptionsSpec = tuple[str, ...] | Callable[[View], tuple[str, ...]]


@dataclass(frozen=True)
class Slot:
    name: str
    prompt: Text
    options: OptionsSpec = ()
    parse: Callable[[str, View], ParseResult] | None = None  # default: pick one of the options
    example: str = ""  # shown after two failed tries
    when: Callable[[View], bool] | None = None  # ask only when this holds
    free_text: bool = False  # any text is an answer (no FAQ digression)
    label: str = ""  # short name for summaries ("联系电话")
    sensitive: bool = False  # personal data: stored only encrypted, never logged

    def prompt_for(self, view: View) -> str:
        return self.prompt(view) if callable(self.prompt) else self.prompt

    def options_for(self, view: View) -> tuple[str, ...]:
        return self.options(view) if callable(self.options) else self.options

    def applies(self, view: View) -> bool:
        return self.when is None or self.when(view)

    def read(self, text: str, view: View) -> ParseResult:
        if self.parse is not None:
            return self.parse(text, view)
        options = self.options_for(view)
        chosen = pick(text, options)
        if chosen is None:
            return Invalid("请回复选项前的数字。")
        return Parsed(options[chosen])


@dataclass(frozen=True)
class Outcome:
    """What a flow ends with: replies, effects, and optionally the next flow."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    then: str | None = None  # start this flow next
    then_slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """How a message starts a flow: one of ``cues`` (intents/cues/flow_entry.yaml) fires,
    and ``unless`` does not hold ("复查的期限是多久" asks about the rules: the KB answers).
    Where a flow's entries stand among the other rules is ``rules.PRECEDENCE``."""

    cues: tuple[str, ...]
    unless: Callable[[str], bool] | None = None  # read on the normalised message
    preset: str = ""  # the message already chose this preset of the flow ("上门认证")
    instead: tuple[str, str] | None = None  # (cue, KB entry id): answer that entry instead
    unanswered: bool = False  # also start for a message the KB cannot answer, asked or not

    def __post_init__(self) -> None:
        known = load("flow_entry")
        for cue in (*self.cues, *(self.instead[:1] if self.instead else ())):
            if cue not in known:
                raise CueError(f"Entry names {cue!r}, which intents/cues/flow_entry.yaml lacks")
            known.pattern(cue)  # read by this entry


@dataclass(frozen=True)
class Preset:
    """A flow started with some answers given ("我要预约上门认证": the way is chosen)."""

    slots: dict[str, object]
    intro: str  # said instead of the flow's intro


@dataclass(frozen=True)
class Flow:
    name: str
    intent: Intent  # what `ask` reports while this flow runs (card, survival_cert, petition)
    title: str  # shown to the veteran: "优待证办理指引"
    slots: tuple[Slot, ...]
    finish: Callable[[View], Outcome]
    intro: Text = ""  # said once when the flow starts
    topic: str = ""  # what a question asked mid-flow is about (优待证): reads "要带什么" in context
    entry: tuple[Entry, ...] = ()  # how a message starts it; none: only menus and other flows
    presets: dict[str, Preset] = field(default_factory=dict)

    def slot(self, name: str | None) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def next_slot(self, view: View, after: str | None = None) -> Slot | None:
        """The first applicable slot after ``after`` that has no answer yet."""
        names = [s.name for s in self.slots]
        start = names.index(after) + 1 if after in names else 0
        for slot in self.slots[start:]:
            if slot.name not in view.slots and slot.applies(view):
                return slot
        return None

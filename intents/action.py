"""What the engine does with a message once a rule or a numbered choice decided it:
a typed ``Action`` instead of strings such as ``"flow:card"`` sliced apart.

Its text form (``str(action)``, ``Action.parse``) is what rules emit today and what a
conversation's pending choices store, so stored states read back unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Do(StrEnum):
    FLOW = "flow"  # start a guided flow (arg: its name, or a preset "survival_cert:home")
    FAQ = "faq"  # answer one KB entry (arg: its id)
    CRISIS = "crisis"  # arg: self | others | crowd
    HANDOFF = "handoff"  # 转人工
    GREETING = "greeting"
    SALUTE = "salute"
    HELP = "help"
    WHO = "who"
    BOT_OR_HUMAN = "bot_or_human"
    THANKS = "thanks"
    OUT_OF_SCOPE = "oos"
    ASK_POLICY = "ask_policy"
    MENU = "menu"


#: the kinds whose action names something (a flow, an entry, a kind of crisis)
TAKES_ARG = frozenset({Do.FLOW, Do.FAQ, Do.CRISIS})


@dataclass(frozen=True)
class Action:
    do: Do
    arg: str = ""

    def __str__(self) -> str:
        return f"{self.do}:{self.arg}" if self.arg else str(self.do)

    @classmethod
    def parse(cls, text: str | Action) -> Action | None:
        """``"flow:card"`` → ``Action(Do.FLOW, "card")``; None for text that is no action."""
        if isinstance(text, Action):
            return text
        head, _, arg = text.partition(":")
        try:
            do = Do(head)
        except ValueError:
            return None
        if (do in TAKES_ARG) != bool(arg):
            return None
        return cls(do, arg)


def flow(name: str) -> Action:
    return Action(Do.FLOW, name)


def faq(entry_id: str) -> Action:
    return Action(Do.FAQ, entry_id)


HANDOFF = Action(Do.HANDOFF)

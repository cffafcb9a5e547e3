"""The typed action between rules, numbered choices and the engine: every action the bot
offers reads back as itself, and stored conversations keep their pending choices."""

from __future__ import annotations

import pytest

from intents import texts
from intents.action import Action, Do, faq, flow
from intents.state import load_state


@pytest.mark.parametrize("text", [*texts.MENU_ACTIONS, *texts.OUT_OF_SCOPE_ACTIONS])
def test_every_offered_action_reads_back_as_itself(text: str) -> None:
    action = Action.parse(text)
    assert action is not None and str(action) == text


def test_actions_name_what_they_start() -> None:
    assert Action.parse("flow:survival_cert:home") == flow("survival_cert:home")
    assert Action.parse("faq:pet.progress") == faq("pet.progress")
    assert Action.parse("crisis:crowd") == Action(Do.CRISIS, "crowd")


@pytest.mark.parametrize("text", ["flow", "faq:", "handoff:now", "whatever:x", ""])
def test_text_that_is_no_action_is_refused(text: str) -> None:
    assert Action.parse(text) is None


def test_a_stored_conversation_keeps_its_pending_choices() -> None:
    state = load_state('{"version": 2, "pending": {"choices": ["faq:card.who", "handoff"]}}')
    assert [Action.parse(c) for c in state.pending["choices"]] == [
        faq("card.who"),
        Action(Do.HANDOFF),
    ]
    assert load_state(state.to_json()).pending == state.pending

"""The order rules decide in (intents/rules.py PRECEDENCE) and how flows start: each flow
declares its entry (``Flow.entry``, presets), so a flow is started by its own cues."""

from __future__ import annotations

import pytest

from bot.shell.ask import ask
from intents import rules
from intents.context import Context
from intents.cues.compiler import CueError, load
from intents.flows import default_flows
from intents.flows.base import Entry, Flow, Outcome
from intents.vocabulary import Intent
from knowledge.text import normalize, plain_words

FLOWS = default_flows()


def decided(text: str) -> tuple[str, str] | None:
    """(the rule of PRECEDENCE that decides a raw message, the action)."""
    message = rules.Message(normalize(text), plain_words(text), FLOWS)
    for name, rule in rules.PRECEDENCE:
        found = rule(message)
        if found is not None:
            return name, str(found.action)
    return None


def fires(text: str, name: str) -> bool:
    rule = dict(rules.PRECEDENCE)[name]
    return rule(rules.Message(normalize(text), plain_words(text), FLOWS)) is not None


@pytest.mark.parametrize(
    ("text", "winner", "also"),
    [
        ("再不给我解决，我要上访，然后就喝农药", "crisis", "flows"),  # danger before any flow
        ("你是机器人还是真人", "bot_or_human", "handoff"),  # say who answers, no handoff yet
        ("转人工，有人冒充你们打电话要我的验证码", "handoff", "scam"),
        ("我要举报，有人冒充你们打电话要我的验证码", "scam", "flows"),  # the warning first
    ],
)
def test_the_more_urgent_rule_decides(text: str, winner: str, also: str) -> None:
    assert fires(text, also), "the example must fire the later rule too"
    found = decided(text)
    assert found is not None and found[0] == winner


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("我要办优待证", "flow:card"),
        ("优待证办到哪一步了", "flow:card_status"),
        ("我要做生存认证", "flow:survival_cert"),
        ("我要预约上门认证", "flow:survival_cert:home"),
        ("我要上访", "flow:petition"),
        ("我上个月的信访办到哪了", "flow:lookup"),
        ("受理编号忘了，还能查进度吗", "faq:pet.progress"),  # the lookup flow's ``instead``
        ("我要申请复查", "flow:follow_up"),
        ("我要申请复查，受理编号忘了怎么查进度", "flow:follow_up"),  # 复查 before 查询进度
        ("年审", "faq:sc.not_card"),
    ],
)
def test_each_flow_starts_from_the_entry_it_declares(text: str, action: str) -> None:
    found = decided(text)
    assert found is not None and found[1] == action
    assert found[0] == "flows" or not action.startswith("flow:")


@pytest.mark.parametrize(
    "text",
    [
        "信访多久受理",  # asks about the rules: the petition entry's ``unless``
        "复查的期限是多久",
        "优待证显示初审通过，这是到哪一步了",  # names the stage: what it means, from the KB
        "生存认证怎么做",
    ],
)
def test_a_question_about_a_flow_does_not_start_it(text: str) -> None:
    found = decided(text)
    assert found is None or not found[1].startswith("flow:")


def test_every_entry_names_cues_of_flow_entry_yaml() -> None:
    cues = load("flow_entry")
    named = {
        cue
        for flow in FLOWS.values()
        for entry in flow.entry
        for cue in (*entry.cues, *(entry.instead[:1] if entry.instead else ()))
    }
    assert named and named <= set(cues)


def test_an_entry_naming_a_cue_the_file_lacks_is_refused() -> None:
    with pytest.raises(CueError, match=r"'card_begin', which intents/cues/flow_entry\.yaml"):
        Entry(("card_begin",))


def test_a_new_flow_starts_from_its_entry_without_a_rule_of_its_own() -> None:
    garden = Flow(
        name="home_help",
        intent=Intent.SURVIVAL_CERT,
        title="上门帮办",
        slots=(),
        finish=lambda view: Outcome(()),
        entry=(Entry(("home_visit_start",)),),
    )
    found = rules.match(normalize("我要预约上门认证"), None, {"home_help": garden})
    assert found is not None and str(found.action) == "flow:home_help"
    assert rules.match(normalize("我要预约上门认证")) is None  # no flows, no flow started


def test_the_home_visit_preset_skips_to_booking_and_says_so(ctx: Context) -> None:
    result = ask(ctx, "我要预约上门认证")
    assert result["intent"] == "survival_cert"
    assert result["answer"].startswith("好的，帮您预约上门认证")


def test_a_grievance_the_kb_cannot_answer_is_taken_down(ctx: Context) -> None:
    assert ask(ctx, "反映了八年一直没解决，有没有领导专门管")["intent"] == "petition"

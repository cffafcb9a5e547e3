"""Voice messages and call-back requests (issue 18 §3, §4): an elderly veteran who speaks
instead of typing. WeChat's recognised text is read like typed text, sound-alike
mis-hearings included; a voice WeChat did not transcribe gets numbered choices (转人工,
请工作人员给我打电话, 菜单) instead of "please type"; and "请工作人员给我打电话" takes a
phone number and a time and opens a callback ticket for the station."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.shell.ask import ask
from bot.shell.inbound import Handled, handle
from bot.tickets import actions
from db.models import Ticket
from db.session import transaction
from intents import rules
from intents.context import Context
from intents.engine import step
from intents.flows import default_flows
from intents.state import ConversationState
from intents.turn import Inbound
from knowledge.text import normalize, plain_words

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in China


# -- voice with WeChat's Recognition: realistic mis-hearings ------------------------------
@pytest.mark.parametrize(
    ("heard", "intent", "entry"),
    [
        ("优待正怎么办", "faq", "card.apply"),  # 证 heard as 正
        ("优待症丢了怎么补办", "faq", "card.lost"),
        ("有待证在哪办", "faq", "card.where"),
        ("我要办优待正", "card", None),
        ("生存人证怎么做", "faq", "sc.how"),  # 认 heard as 人
        ("生存人正怎么做", "faq", "sc.how"),
        ("生成认证怎么做", "faq", "sc.how"),  # 生存 heard as 生成
        ("我要做生成认证", "survival_cert", None),
        ("生存任证在哪做", "faq", "sc.how"),
        ("伤残府恤金多少钱", "faq", "disab.standard"),  # 抚 heard as 府
        ("商残抚恤金多少钱", "faq", "disab.standard"),
        ("附恤金多少钱", "faq", "pension.standard"),  # 抚 heard as 附/辅
        ("辅恤金多少钱", "faq", "pension.standard"),
        ("抚血金什么时候发", "faq", "svc.pension_day"),
        ("光荣派怎么申请", "faq", "glory.apply"),
        ("心访多久受理", "faq", "pet.accept_15d"),  # 信 heard as 心
        ("我要心访", "petition", None),
        ("我要上防", "petition", None),
    ],
)
def test_misheard_voice_text_reaches_the_right_answer(
    ctx: Context, heard: str, intent: str, entry: str | None
) -> None:
    got = ask(ctx, heard)
    assert (got["intent"], got["entry_id"]) == (intent, entry), got["answer"][:80]


# -- voice without Recognition: numbered choices ------------------------------------------
def _voice(state: ConversationState, ctx: Context, minutes: int = 0) -> tuple:
    inbound = Inbound("wechat", "o-1", "", AT + dt.timedelta(minutes=minutes), event="voice")
    turn = step(state, inbound, ctx)
    return turn.state, turn


def _say(state: ConversationState, ctx: Context, text: str, minutes: int = 1) -> tuple:
    turn = step(state, Inbound("wechat", "o-1", text, AT + dt.timedelta(minutes=minutes)), ctx)
    return turn.state, turn


def test_an_untranscribed_voice_offers_numbered_choices_not_please_type(ctx: Context) -> None:
    state, turn = _voice(ConversationState(), ctx)
    text = turn.text()
    assert "打字" not in text
    assert "1. 转人工" in text and "2. 请工作人员给我打电话" in text and "3. 菜单" in text
    _, two = _say(state, ctx, "2")
    assert two.state.flow == "callback" and "能接电话的号码" in two.text()
    _, one = _say(state, ctx, "1")
    assert one.understanding.handoff and [e.type for e in one.effects] == ["open_ticket"]
    _, three = _say(state, ctx, "3")
    assert "1. 优待证办理" in three.text()
    _, named = _say(state, ctx, "请工作人员给我打电话")
    assert named.state.flow == "callback"


def test_a_voice_mid_flow_asks_the_question_again_and_keeps_the_flow(ctx: Context) -> None:
    state, _ = _say(ConversationState(), ctx, "我要办优待证")
    slot = state.slot
    after, turn = _voice(state, ctx, minutes=2)
    assert after.flow == "card" and after.slot == slot
    assert "没听清" in turn.text() and "给我回电话" in turn.text()


def test_a_voice_while_staff_talk_goes_to_them(ctx: Context) -> None:
    state = ConversationState(handoff_ticket="ZX-20260302-0001")
    _, turn = _voice(state, ctx)
    assert [e.type for e in turn.effects] == ["forward_to_human"]
    assert "转给工作人员" in turn.text()


# -- 请工作人员给我打电话 ------------------------------------------------------------------
FLOWS = default_flows()


@pytest.mark.parametrize(
    "text", ["请工作人员给我打电话", "你们给我回个电话吧", "打电话给我", "让工作人员给俺打个电话"]
)
def test_asking_to_be_called_starts_the_callback_flow_before_handoff(text: str) -> None:
    found = rules.match(normalize(text), plain_words(text), FLOWS)
    assert found is not None and str(found.action) == "flow:callback"


@pytest.mark.parametrize("text", ["转人工", "有没有电话可以打过去问问", "工作人员会给我打电话吗"])
def test_other_wishes_for_a_person_are_not_a_callback(text: str) -> None:
    found = rules.match(normalize(text), plain_words(text), FLOWS)
    assert found is None or str(found.action) != "flow:callback"


def test_asking_for_a_call_mid_flow_starts_the_callback(ctx: Context) -> None:
    state, _ = _say(ConversationState(), ctx, "我要办优待证")
    _, turn = _say(state, ctx, "给我回个电话吧", minutes=2)
    assert turn.state.flow == "callback"


class Vet:
    def __init__(self, rt: Runtime) -> None:
        self.rt, self.at = rt, AT

    def says(self, *lines: str) -> Handled:
        handled = None
        for line in lines:
            self.at += dt.timedelta(minutes=1)
            handled = handle(self.rt, Inbound("web", "vet-cb", line, self.at))
        assert handled is not None
        return handled


def test_a_callback_request_opens_a_station_ticket_with_the_phone_masked(
    runtime: Runtime,
) -> None:
    vet = Vet(runtime)
    asked = vet.says("请工作人员给我打电话").text()
    assert "能接电话的号码" in asked
    wrong = vet.says("12345").text()
    assert "电话号码好像不对" in wrong
    assert "方便接电话" in vet.says("138 0000 5555").text()
    done = vet.says("明天上午").text()
    assert "工作人员会在2个工作日内给您回电" in done and "明天上午" in done
    assert "回电预约" in done and "HD-" in done
    with transaction(runtime.sessions) as s:
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.kind == "callback" and ticket.number.startswith("HD-")
        assert ticket.due_on == dt.date(2026, 3, 4)  # 2 working days after Monday
        assert actions.masked(runtime, ticket)["phone"] == "138****5555"
        assert runtime.vault.decrypt(ticket.phone_enc) == "13800005555"
        assert "13800005555" not in f"{ticket.summary} {ticket.details_json}"
        assert "明天上午" in ticket.summary

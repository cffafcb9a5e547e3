"""Fuzzing the pure engine: whatever a veteran types, in whatever order, the bot
answers something and its state survives a JSON round trip (it is never pickled)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents.context import Context
from intents.engine import step
from intents.state import ConversationState, load_state
from intents.turn import Inbound

WORDS = st.sampled_from(
    [
        "优待证",
        "我想申请优待证",
        "生存认证",
        "我要反映",
        "查询进度",
        "取消",
        "上一步",
        "重新开始",
        "转人工",
        "结束人工",
        "1",
        "2",
        "3",
        "一",
        "第二个",
        "是",
        "否",
        "东城镇",
        "13812345678",
        "11010519491231002X",
        "张三",
        "帮助",
        "你好",
        "不想活了",
        "",
        "😀",
        "<b>",
        "\x00",
        "優待證",
        "９",
    ]
)
LINES = st.one_of(WORDS, st.text(max_size=60))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(LINES, min_size=1, max_size=12), gap_hours=st.integers(min_value=0, max_value=60)
)
def test_any_sequence_of_messages_gets_answers_and_state_round_trips(
    ctx: Context, lines: list[str], gap_hours: int
) -> None:
    state = ConversationState()
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    for n, line in enumerate(lines):
        at += dt.timedelta(hours=gap_hours if n == len(lines) // 2 else 0, minutes=1)
        turn = step(state, Inbound("web", "fuzz", line, at), ctx)
        assert turn.replies or state.handoff_ticket or turn.state.handoff_ticket
        for reply in turn.replies:
            assert reply.text.strip()
        state = load_state(turn.state.to_json())
        assert state == turn.state

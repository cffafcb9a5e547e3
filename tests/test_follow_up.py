"""A veteran who comes back after their case was answered gets a new ticket linked
to the old one, so staff see the history (首问负责 continues)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fakes import desk
from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, handle
from bot.tickets import actions, outreach
from db import tickets
from db.models import OutboxMessage, Ticket
from db.session import transaction
from intents.turn import Inbound
from knowledge.text import clean

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def say(rt: Runtime, text: str, minutes: int = 0) -> None:
    handle(rt, Inbound("web", "vet-1", text, AT + dt.timedelta(minutes=minutes)))


def test_writing_again_after_the_answer_opens_a_linked_ticket(runtime: Runtime) -> None:
    say(runtime, "转人工")
    with transaction(runtime.sessions) as s:
        first = s.scalars(select(Ticket)).one()
        tickets.set_status(s, first, "in_progress", "staff:t", dt.date(2026, 3, 2))
        tickets.set_status(s, first, "replied", "staff:t", dt.date(2026, 3, 2), note="已电话答复")
        outreach.release(runtime, s, first, "staff:t", say=False)
        first_id = first.id
    say(runtime, "我还有个问题，转人工", minutes=5)
    with transaction(runtime.sessions) as s:
        rows = s.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert len(rows) == 2
        assert rows[1].parent_id == first_id
        notified = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "staff")).all()
        assert len(notified) >= 2, "each new ticket tells its unit"


def test_a_first_request_is_not_linked_to_anything(runtime: Runtime) -> None:
    say(runtime, "转人工")
    with transaction(runtime.sessions) as s:
        assert s.scalars(select(Ticket)).one().parent_id is None


def test_numbers_typed_to_staff_are_masked_in_the_ticket_log(runtime: Runtime) -> None:
    say(runtime, "转人工")
    say(runtime, "我电话13812345678，身份证11010519491231002X", minutes=1)
    with transaction(runtime.sessions) as s:
        notes = " ".join(e.note for e in tickets.events(s, s.scalars(select(Ticket)).one().id))
    assert "138****5678" in notes
    assert "13812345678" not in notes and "11010519491231002X" not in notes


# ---- 复查 / 复核 asked for in chat (《信访工作条例》第三十五、三十六条) ----------------

CHINA = ZoneInfo("Asia/Shanghai")
D = dt.date
COUNTY, CITY = "990100", "9901"
PETITION = [
    "我要信访",
    "同意",
    "王卫国",
    "110101198001010010",
    "13912345678",
    "东城镇",
    "和平村",
    "2",
    "从去年十月起村里一直没给我发优抚金",
    "希望补发拖欠的优抚金",
    "否",
    "1",
]
REASON = "乡里答复说我不符合条件，可我有当年的优抚证明，希望上级重新核查"
SAID = clean(REASON)  # as stored and shown: full-width punctuation made half-width


@dataclass
class Veteran:
    """One veteran chatting on the web channel; each line one minute after the last."""

    rt: Runtime
    user: str = "vet-2"
    at: dt.datetime = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)

    def on(self, day: dt.date) -> Veteran:
        self.at = dt.datetime.combine(day, dt.time(10, 0), CHINA)
        return self

    def says(self, *lines: str) -> Handled:
        handled = None
        for line in lines:
            self.at += dt.timedelta(minutes=1)
            handled = handle(self.rt, Inbound("web", self.user, line, self.at))
        assert handled is not None
        return handled


def file_petition(vet: Veteran) -> tuple[str, str]:
    """A petition filed in chat on 2026-03-02: its number and private lookup code."""
    text = vet.on(D(2026, 3, 2)).says(*PETITION).text()
    number = re.search(r"受理编号：(XF-\d{8}-\d{4})", text)
    code = re.search(r"查询码：([A-Z0-9]{6})", text)
    assert number and code, text
    return number.group(1), code.group(1)


def staff_reply(rt: Runtime, number: str, accepted: dt.date, replied: dt.date) -> None:
    """Staff accept the matter and give the written reply (书面答复), as in the console."""
    li = desk.hire(rt, "li", "supervisor", CITY)
    desk.on(rt, accepted)
    desk.act(rt, number, lambda s, t: actions.accept(rt, s, t, li, "您反映的事项已受理。"))
    desk.on(rt, replied)
    desk.act(rt, number, lambda s, t: actions.resolve(rt, s, t, li, "书面答复已送达"))


def ask_follow_up(
    vet: Veteran, number: str, code: str, opener: str = "我对处理意见不服"
) -> Handled:
    """Up to the reason prompt (or whatever the bot says after the code)."""
    first = vet.says(opener)
    assert first.turn is not None and first.turn.state.flow == "follow_up", first.text()
    assert "请输入受理编号" in first.text()
    return vet.says(number, code)


def petitions(rt: Runtime) -> list[Ticket]:
    with rt.sessions() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.id)))


def test_review_is_filed_in_chat_to_the_county_with_its_30_day_deadline(
    runtime: Runtime,
) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))

    checked = ask_follow_up(vet.on(D(2026, 4, 20)), number, code).text()
    assert "核对无误" in checked and "2026年04月10日作出书面答复" in checked
    assert "请求复查，由上一级的示例县退役军人事务局办理" in checked
    assert "请求期限到2026年05月11日" in checked  # 30 days end on Sunday 05-10 → Monday
    assert "对书面答复哪些地方不满意" in checked

    summary = vet.says(REASON)
    assert summary.turn is not None and summary.turn.state.slot == "confirm"
    assert f"对 {number} 的书面答复请求复查" in summary.text()
    assert "办理单位：示例县退役军人事务局" in summary.text() and SAID in summary.text()
    assert [o for r in summary.replies for o in r.options] == ["确认提交", "修改理由", "不申请了"]

    done = vet.says("1")
    receipt = done.text()
    assert done.turn is not None and done.turn.state.flow is None
    assert [e.type for e in done.turn.effects] == ["request_follow_up"]
    assert "已提交您的复查请求" in receipt
    assert "受理编号：XF-20260420-0001" in receipt and done.tickets == ("XF-20260420-0001",)
    assert "办理单位：示例县退役军人事务局" in receipt
    assert "第三十五条" in receipt and "2026年05月20日前" in receipt
    assert "不能预先承诺结果" in receipt
    assert not any(w in receipt for w in ("保证", "一定", "肯定"))

    first, review = petitions(runtime)
    assert (review.stage, review.parent_id, review.queue) == ("review", first.id, COUNTY)
    assert (review.received_on, review.due_on, review.status) == (
        D(2026, 4, 20),
        D(2026, 5, 20),
        "new",
    )
    assert SAID in review.summary and number in review.summary
    assert runtime.vault.decrypt(review.name_enc) == "王卫国"
    with runtime.sessions() as s:
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == COUNTY)).all()
    assert any("XF-20260420-0001" in m.text and "复查" in m.text for m in told)


def test_recheck_after_the_review_answer_goes_one_more_level_up(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    ask_follow_up(vet.on(D(2026, 4, 20)), number, code)
    vet.says(REASON, "确认提交")
    review = petitions(runtime)[1].number
    staff_reply(runtime, review, D(2026, 4, 21), D(2026, 5, 8))

    # the veteran only kept the first number and code: the bot follows the case to its 复查
    checked = ask_follow_up(vet.on(D(2026, 5, 12)), number, code, opener="申请复核").text()
    assert f"{review} 已于2026年05月08日作出复查意见" in checked
    assert "请求复核，由上一级的" in checked and "请求期限到2026年06月08日" in checked
    assert "对复查意见哪些地方不满意" in checked
    summary = vet.says("复查还是没有核实我的优抚证明，请求复核").text()
    assert f"对 {review} 的复查意见请求复核" in summary
    receipt = vet.says("1").text()
    assert "已提交您的复核请求" in receipt and "受理编号：XF-20260512-0001" in receipt
    assert "第三十六条" in receipt and "2026年06月11日前" in receipt

    recheck = petitions(runtime)[2]
    assert (recheck.stage, recheck.queue, recheck.due_on) == ("recheck", CITY, D(2026, 6, 11))
    assert recheck.parent_id == petitions(runtime)[1].id


def test_after_recheck_nothing_more_is_filed_and_staff_are_offered(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    ask_follow_up(vet.on(D(2026, 4, 20)), number, code)
    vet.says(REASON, "1")
    staff_reply(runtime, petitions(runtime)[1].number, D(2026, 4, 21), D(2026, 5, 8))
    ask_follow_up(vet.on(D(2026, 5, 12)), number, code, opener="我要申请复核")
    vet.says("复查还是没有核实我的优抚证明", "1")
    staff_reply(runtime, petitions(runtime)[2].number, D(2026, 5, 13), D(2026, 6, 1))

    refused = ask_follow_up(vet.on(D(2026, 6, 3)), number, code, opener="我要申请复核")
    assert refused.turn is not None and refused.turn.state.flow is None
    assert "已经复核过了" in refused.text() and "不再受理" in refused.text()
    assert "第三十六条" in refused.text() and "转人工" in refused.text()
    assert len(petitions(runtime)) == 3


def test_after_the_30_days_the_bot_says_the_day_the_window_ended(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))

    refused = ask_follow_up(vet.on(D(2026, 5, 12)), number, code)
    text = refused.text()
    assert refused.turn is not None and refused.turn.state.flow is None
    assert "期限已经在2026年05月11日结束了" in text and "不能再提交复查请求" in text
    assert "30日内" in text and "转人工" in text
    assert len(petitions(runtime)) == 1


def test_the_window_is_checked_again_when_the_request_is_filed(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    vet.at = dt.datetime(2026, 5, 11, 23, 50, tzinfo=CHINA)  # the last day, late at night
    ask_follow_up(vet, number, code)
    vet.says(REASON)
    vet.at += dt.timedelta(minutes=20)  # confirmed after midnight
    late = vet.says("1")
    assert "期限已经在2026年05月11日结束了" in late.text()
    assert "已提交" not in late.text() and late.tickets == ()
    assert len(petitions(runtime)) == 1


def test_a_review_already_asked_for_is_not_filed_twice(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    ask_follow_up(vet.on(D(2026, 4, 20)), number, code)
    vet.says(REASON, "1")
    again = ask_follow_up(vet, number, code, opener="我要申请复查").text()
    assert "您的复查请求 XF-20260420-0001 还在办理中" in again
    assert "30日内提出复查意见" in again and "2026年05月20日前" in again
    assert len(petitions(runtime)) == 2


def test_the_reason_can_be_rewritten_or_the_request_dropped(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    ask_follow_up(vet.on(D(2026, 4, 20)), number, code)
    vet.says("答复不对，不认可")
    rewrite = vet.says("修改理由")
    assert rewrite.turn is not None and rewrite.turn.state.slot == "reason"
    assert "请重新写一下理由" in rewrite.text()
    assert SAID in vet.says(REASON).text()
    dropped = vet.says("3")
    assert "不申请了" in dropped.text() and dropped.tickets == ()
    assert dropped.turn is not None and dropped.turn.state.flow is None
    assert len(petitions(runtime)) == 1


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(runtime: Runtime) -> None:
    vet = Veteran(runtime)
    number, code = file_petition(vet)
    staff_reply(runtime, number, D(2026, 3, 3), D(2026, 4, 10))
    wrong = ask_follow_up(vet.on(D(2026, 4, 20)), number, "ZZZZZZ")
    unknown = vet.says("XF-20260101-0009", code)
    assert "对不上" in wrong.text() and "还可以再试4次" in wrong.text()
    assert unknown.text() == wrong.text().replace("4次", "3次")
    assert unknown.turn is not None and unknown.turn.state.slot == "number"
    assert "核对无误" not in unknown.text() and "答复" not in unknown.text()
    assert len(petitions(runtime)) == 1

"""查询进度 (flow ``lookup``): receipt number + private lookup code → status, the
owning unit and the due date, through ``ctx.tickets`` (lent by the shell).

Both are required. Wrong pairs are counted in the conversation state
(``lookup_failures``, which outlives the flow and process restarts): after
``MAX_FAILURES`` within ``WINDOW`` the lookup is locked for that user. The directory
also counts them per ticket number, whoever asks (a new web-chat cookie is a new
conversation): it then raises ``LookupLocked`` for that number. The
复查/复核 request (``follow_up_request``) asks for the same pair with these slots
and shares the count, so neither flow can be used to guess codes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from intents.context import LookupLocked
from intents.flows.base import Entry, Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.turn import Effect, Reply
from intents.vocabulary import Intent
from knowledge.text import clean

MAX_FAILURES = 5
WINDOW = dt.timedelta(hours=1)
NUMBER = re.compile(r"([A-Z]{2})-?(\d{8})-?(\d{4})")
CODE = re.compile(r"^[A-Z0-9]{4,12}$")


@dataclass(frozen=True)
class LookupFailed(Effect):
    """A wrong number/code pair; the shell adds ``at`` to the state's failure list."""

    type: ClassVar[str] = "lookup_failed"
    at: dt.datetime


def _now(view: View) -> dt.datetime:
    """The instant of the message being handled (``engine.step`` stamps it first)."""
    now = view.state.last_activity or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def recent_failures(view: View) -> list[dt.datetime]:
    now = _now(view)
    out = []
    for at in view.state.lookup_failures:
        aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        if now - aware < WINDOW:
            out.append(aware)
    return out


def locked(view: View) -> bool:
    return len(recent_failures(view)) >= MAX_FAILURES


def _open(view: View) -> bool:
    return not locked(view)


def _parse_number(text: str, _view: View) -> ParseResult:
    found = NUMBER.search(clean(text).upper().replace(" ", ""))
    if not found:
        return Invalid("受理编号的样子是 XF-年月日-4位数字，例如 XF-20260928-0001。")
    return Parsed("-".join(found.groups()))


def _parse_code(text: str, _view: View) -> ParseResult:
    code = re.sub(r"[\s\-]", "", clean(text)).upper()
    if not CODE.match(code):
        return Invalid("查询码是受理时告诉您的一串字母和数字（6位），请照原样输入。")
    return Parsed(code)


def _finish(view: View) -> Outcome:
    if locked(view):
        return Outcome((Reply(locked_text()),))
    directory = view.ctx.tickets
    if directory is None:
        return Outcome((Reply("暂时查不了进度，请稍后再试，或回复“转人工”。"),))
    try:
        found = directory.status(str(view.slots["number"]), str(view.slots["code"]))
    except LookupLocked:
        return Outcome((Reply(locked_text()),))
    if found is None:
        return wrong_pair(view)
    due = f"\n办理期限：{found.due:%Y年%m月%d日}前" if found.due else ""
    text = f"受理编号：{found.number}\n当前状态：{found.status}\n承办单位：{found.unit}{due}"
    return Outcome((Reply(text),))


def wrong_pair(
    view: View, retry: str = "lookup", then_slots: dict[str, Any] | None = None
) -> Outcome:
    """A number/code pair that does not match (never saying which part): count the
    try, then ask again in flow ``retry`` — or lock after ``MAX_FAILURES``."""
    failed = LookupFailed(_now(view))
    left = MAX_FAILURES - len(recent_failures(view)) - 1
    if left <= 0:
        return Outcome((Reply(locked_text()),), (failed,))
    text = (
        f"受理编号和查询码对不上，没查到。请核对后重新输入（还可以再试{left}次），回复“取消”退出。"
    )
    return Outcome((Reply(text),), (failed,), then=retry, then_slots=dict(then_slots or {}))


def locked_text() -> str:
    return (
        f"查询码连续输错{MAX_FAILURES}次，为保护您的信息，查询已暂停，请1小时后再试。\n"
        "忘了查询码，可以回复“转人工”，工作人员核实身份后告诉您进度。"
    )


SLOTS = (
    Slot(
        "number",
        "请输入受理编号（例如 XF-20260928-0001）：",
        parse=_parse_number,
        example="XF-20260928-0001",
        when=_open,
        label="受理编号",
    ),
    Slot(
        "code",
        "请输入查询码（受理时告诉您的6位字母和数字）：",
        parse=_parse_code,
        example="K7P2QX",
        when=_open,
        label="查询码",
        sensitive=True,
    ),
)


def lookup_flow() -> Flow:
    return Flow(
        name="lookup",
        intent=Intent.PETITION,
        title="查询进度",
        slots=SLOTS,
        finish=_finish,
        # "我的信访办到哪了"; with the receipt number lost there is nothing to look up:
        # the entry that says how to get help instead
        entry=(Entry(("petition_lookup",), instead=("lost_receipt", "pet.progress")),),
    )

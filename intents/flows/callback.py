"""请工作人员给我打电话 (flow ``callback``): a veteran who would rather talk than type
leaves a phone number and a convenient time; a ``callback`` ticket goes to the station
(routed like the other service tickets) with its working-day target
(``deadlines.WORKING_DAYS["callback"]``), and the veteran is told when to expect the call.

The number is checked with ``phonenumbers`` (CN mobile or landline) and stored only
encrypted (``pii``); the time is free text ("上午", "明天下午", "随时")."""

from __future__ import annotations

from intents.deadlines import WORKING_DAYS
from intents.flows.base import Entry, Flow, Invalid, Outcome, Parsed, ParseResult, Slot, View
from intents.flows.fields import parse_phone
from intents.turn import OpenTicket, Reply
from intents.vocabulary import Intent, TicketKind
from knowledge.text import clean

NAME = "callback"
MAX_TIME_CHARS = 40
INTRO = "好的，请工作人员给您打电话。"


def _parse_time(text: str, _view: View) -> ParseResult:
    said = clean(text).strip()
    if not said:
        return Invalid("请说一个方便接电话的时间，比如“上午”“下午”“明天”，或“随时都行”。")
    return Parsed(said[:MAX_TIME_CHARS])


SLOTS: tuple[Slot, ...] = (
    Slot(
        "phone",
        "请留一个能接电话的号码（手机或带区号的固话）：",
        parse=parse_phone,
        example="13800000000",
        label="联系电话",
        sensitive=True,
    ),
    Slot(
        "time",
        "您什么时候方便接电话？比如“上午”“下午”“明天”，或“随时都行”。",
        parse=_parse_time,
        example="明天上午",
        free_text=True,
        label="方便时间",
    ),
)


def expected_call() -> str:
    """When the veteran may expect the call: the callback ticket's working-day target."""
    return f"工作人员会在{WORKING_DAYS[NAME]}个工作日内给您回电"


def _finish(view: View) -> Outcome:
    time = str(view.slots["time"])
    effect = OpenTicket(
        kind=TicketKind.CALLBACK,
        region_code=view.region,
        summary=f"请求回电（方便时间：{time}）",
        details={"time": time},
        pii={"phone": str(view.slots["phone"])},
        excerpt=tuple(view.state.recent),
    )
    reply = Reply(
        f"好的，{expected_call()}（您方便的时间：{time}），请留意接听。着急的事也可以回复“转人工”。"
    )
    return Outcome((reply,), (effect,))


def callback_flow() -> Flow:
    return Flow(
        name=NAME,
        intent=Intent.HANDOFF,
        title="请工作人员回电",
        slots=SLOTS,
        finish=_finish,
        intro=INTRO,
        entry=(Entry(("callback_start",)),),
    )

"""Answering "收到材料是9月28日，最晚哪天告知？": the statutory date, computed.

Uses the same rules as the tickets (``intents.deadlines``), so what the bot tells
a petitioner and what staff are held to never disagree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from intents.deadlines import CALENDAR_DAYS, STATUTORY, Deadlines

_DATE = re.compile(
    r"(?:(?P<y>20\d{2})\s*[年\-/.]\s*)?(?P<m>1[0-2]|0?[1-9])\s*[月\-/.]\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*(?:日|号)?"
)
_TOPIC = re.compile(r"信访|上访|反映|投诉|受理|告知|复查|复核|办结|答复")
# (pattern, deadline kind, what starts the clock, what must happen by then); the first that
# matches wins, so a period the veteran names ("60天期限") comes before the words around it
_KINDS: tuple[tuple[re.Pattern[str], str, str, str], ...] = (
    (re.compile(r"60天|六十天|60日|六十日"), "petition_handle", "受理", "办结并书面答复"),
    (re.compile(r"复核"), "recheck", "收到复核请求", "作出复核意见"),
    (re.compile(r"复查"), "review", "收到复查请求", "提出复查意见"),
    (
        re.compile(r"办结|答复|办完|处理完|出结果|处理结果"),
        "petition_handle",
        "受理",
        "办结并书面答复",
    ),
    (
        re.compile(r"告知|受理|回话|回复|回音|答复我|通知|15天|十五天|15日|十五日"),
        "petition_accept",
        "收到信访事项",
        "书面告知接收情况和处理途径",
    ),
)


@dataclass(frozen=True)
class DeadlineAnswer:
    text: str
    source: str


def answer(text: str, today: dt.date, deadlines: Deadlines = STATUTORY) -> DeadlineAnswer | None:
    """A computed answer when the message names a date and a petition deadline."""
    if not _TOPIC.search(text):
        return None
    match = _DATE.search(text)
    if match is None:
        return None
    start = _date(match, today)
    if start is None:
        return None
    for pattern, kind, clock, duty in _KINDS:
        if pattern.search(text):
            return _reply(kind, clock, duty, start, deadlines)
    return None


def _date(match: re.Match[str], today: dt.date) -> dt.date | None:
    year = int(match.group("y")) if match.group("y") else today.year
    try:
        return dt.date(year, int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


def cn(day: dt.date) -> str:
    """2026年10月13日 (no zero padding, as people write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _reply(
    kind: str, clock: str, duty: str, start: dt.date, deadlines: Deadlines
) -> DeadlineAnswer:
    days, article = CALENDAR_DAYS[kind]
    plain_end = start + dt.timedelta(days=days)
    end = deadlines.add_calendar_days(start, days)
    lines = [
        f"按《信访工作条例》{article}，自{clock}之日起{days}日内{duty}。",
        f"1. 从{cn(start)}起算，当天不计，第{days}日是{cn(plain_end)}；",
    ]
    if end != plain_end:
        lines.append(f"2. 这一天是法定休假日，顺延到{cn(end)}；")
    else:
        lines.append("2. 最后一天如遇法定休假日，顺延到假期结束的次日；")
    if not deadlines.calendar.known(end):
        lines.append("（该年节假日安排尚未公布，按周末估算。）")
    lines.append("以上按民法典关于期间计算的规定推算，具体以受理机关的书面告知为准。")
    return DeadlineAnswer(
        "\n".join(lines),
        f"《信访工作条例》{article}；《中华人民共和国民法典》第二百零一条、第二百零三条",
    )

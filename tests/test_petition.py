"""信访 intake through the real IO shell: receipt numbers under concurrency, PII at
rest and in logs, crisis atomicity, duplicates, and the lookup lockout."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from bot.process.runtime import Runtime
from bot.shell.inbound import Handled, handle
from bot.tickets import repeat_petitions
from db.models import OutboxMessage, Ticket, TicketEvent
from intents.turn import Inbound

CHINA = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
NAME, ID_NUMBER, PHONE = "欧阳振华", "110101198001010010", "13987654321"


def id_number(n: int) -> str:
    base = f"11010119800101{n:03d}"
    return base + ric.calc_check_digit(base + "0")  # (stdnum ignores the last character)


def say(rt: Runtime, user: str, text: str, at: dt.datetime = MONDAY) -> Handled:
    return handle(rt, Inbound("web", user, text, at=at))


def intake_lines(
    name: str,
    id_no: str,
    phone: str,
    facts: str = "从去年十月起村里一直没给我发优抚金，找过村委会两次",
) -> list[str]:
    return [
        "我要信访",
        "同意",
        name,
        id_no,
        phone,
        "东城镇",
        "和平村",
        "抚恤优待",
        facts,
        "希望补发",
        "否",
    ]


def fill(rt: Runtime, user: str, lines: list[str], at: dt.datetime = MONDAY) -> Handled:
    handled = None
    for line in lines:
        handled = say(rt, user, line, at)
    assert handled is not None
    return handled


def test_a_full_intake_ends_with_a_receipt_number_and_a_lookup_code(runtime: Runtime) -> None:
    before_confirm = fill(runtime, "u1", intake_lines(NAME, ID_NUMBER, PHONE))
    assert before_confirm.turn is not None and before_confirm.turn.state.slot == "confirm"
    done = say(runtime, "u1", "1")
    assert done.tickets == ("XF-20260302-0001",)
    assert "查询码：" in done.text() and "2026年03月17日前" in done.text()
    with runtime.sessions() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.kind, ticket.queue, ticket.category) == ("petition", "990101", "抚恤优待")
        assert runtime.vault.decrypt(ticket.id_number_enc) == ID_NUMBER
        assert ticket.lookup_hash and len(ticket.lookup_hash) == 64


def test_pii_and_the_lookup_code_are_never_in_plain_text_in_the_sqlite_file_or_the_logs(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    if not runtime.settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file's bytes")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        done = fill(runtime, "u1", [*intake_lines(NAME, ID_NUMBER, PHONE), "1"])
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    runtime.engine.dispose()  # checkpoints the WAL into the main file
    path = Path(runtime.settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    logged = caplog.text + "".join(capfd.readouterr())
    assert "INSERT INTO tickets" in logged  # the statement log really was captured
    code = done.text().split("查询码：")[1][:6]  # shown once to the veteran; only its hash is kept
    for secret in (NAME, ID_NUMBER, PHONE, code):
        assert secret.encode() not in stored, f"{secret} in the database file"
        assert secret not in logged, f"{secret} in the logs"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_fifty_concurrent_intakes_get_fifty_distinct_receipt_numbers(runtime: Runtime) -> None:
    users = [f"c{n}" for n in range(50)]
    for n, user in enumerate(users):
        fill(
            runtime,
            user,
            intake_lines(
                f"张{'一二三四五六七八九十'[n % 10]}{'甲乙丙丁戊'[n // 10]}",
                id_number(n),
                f"1390000{n:04d}",
            ),
        )
    barrier = threading.Barrier(len(users))
    numbers: dict[str, tuple[str, ...]] = {}
    errors: list[BaseException] = []

    def confirm(user: str) -> None:
        try:
            barrier.wait()
            numbers[user] = say(runtime, user, "1").tickets
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    got = [n for ns in numbers.values() for n in ns]
    assert len(got) == 50 and len(set(got)) == 50
    assert sorted(got) == [f"XF-20260302-{i:04d}" for i in range(1, 51)]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 50


def test_crisis_ticket_and_staff_notification_commit_together(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    handled = say(runtime, "u1", "我不想活了")
    assert handled.turn is not None and handled.turn.understanding.intent == "crisis"
    assert "12356" in handled.text() and "110" in handled.text() and "120" in handled.text()
    with runtime.sessions() as session:
        ticket = session.scalars(select(Ticket)).one()
        note = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "staff")).one()
        assert (ticket.kind, ticket.urgent, ticket.queue) == ("crisis", True, "990100")
        assert (note.kind, note.recipient, note.ticket_id) == ("crisis", "990100", ticket.id)
        assert ticket.number in note.text

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr("bot.shell.effects.notify_unit", broken)
    with pytest.raises(RuntimeError):
        say(runtime, "u2", "我想喝农药")
    with (
        runtime.sessions() as session
    ):  # the failed turn left no crisis ticket without its notification
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def _submit(
    rt: Runtime,
    user: str,
    name: str,
    id_no: str,
    phone: str,
    facts: str,
    at: dt.datetime = MONDAY,
    category: str = "抚恤优待",
) -> Handled:
    lines = intake_lines(name, id_no, phone, facts)
    lines[7] = category
    return fill(rt, user, [*lines, "1"], at)


def test_the_same_person_and_matter_merges_into_the_open_ticket(runtime: Runtime) -> None:
    first = _submit(
        runtime, "u1", NAME, ID_NUMBER, PHONE, "从去年十月起村里一直没给我发优抚金，找过村委会两次"
    )
    again = _submit(
        runtime,
        "u1b",
        NAME,
        ID_NUMBER,
        "13700001111",
        "去年十月开始村里就不发我的优抚金了，村委会我去问过两次",
        MONDAY + dt.timedelta(days=30),
    )
    assert again.tickets == first.tickets
    assert (
        f"已经在办理中，编号 {first.tickets[0]}" in again.text() and "查询码：" not in again.text()
    )
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        merged = session.scalars(select(TicketEvent).where(TicketEvent.action == "merged")).one()
        assert "去年十月开始" in merged.note


@pytest.mark.parametrize(
    ("who", "facts", "category", "days_later"),
    [
        (
            "other_person_same_phone",
            "从去年十月起村里一直没给我发优抚金，找过村委会两次",
            "抚恤优待",
            1,
        ),
        ("same_person_other_matter", "退役后安置工作一直没有落实，档案也没转过来", "抚恤优待", 1),
        (
            "same_person_other_category",
            "从去年十月起村里一直没给我发优抚金，找过村委会两次",
            "住房",
            1,
        ),
        (
            "same_person_after_90_days",
            "从去年十月起村里一直没给我发优抚金，找过村委会两次",
            "抚恤优待",
            91,
        ),
    ],
)
def test_not_merged(runtime: Runtime, who: str, facts: str, category: str, days_later: int) -> None:
    first = _submit(
        runtime, "u1", NAME, ID_NUMBER, PHONE, "从去年十月起村里一直没给我发优抚金，找过村委会两次"
    )
    name, id_no = (
        ("欧阳振国", id_number(7)) if who == "other_person_same_phone" else (NAME, ID_NUMBER)
    )
    second = _submit(
        runtime, "u2", name, id_no, PHONE, facts, MONDAY + dt.timedelta(days=days_later), category
    )
    assert second.tickets and second.tickets != first.tickets
    assert "受理编号" in second.text() and "已并入" not in second.text()


def test_similarity_separates_same_and_different_matters() -> None:
    same = repeat_petitions.similarity(
        "村里一直没给我发放优抚金，已经三个月了，找村委会也没人管",
        "优抚金三个月没发了，村委会不管，希望补发",
    )
    other = repeat_petitions.similarity(
        "村里一直没给我发放优抚金，已经三个月了", "我退伍后安置工作一直没有落实"
    )
    assert same >= repeat_petitions.SIMILAR > other


def _lookup(rt: Runtime, user: str, number: str, code: str, at: dt.datetime) -> str:
    """Everything the bot says while a user asks for a status (a locked user is told at once)."""
    asked = say(rt, user, "查询进度", at)
    if asked.turn is not None and asked.turn.state.flow != "lookup":
        return asked.text()
    say(rt, user, number, at)
    return say(rt, user, code, at).text()


def test_lookup_answers_only_with_number_and_code_and_locks_after_five_wrong_tries(
    runtime: Runtime,
) -> None:
    done = _submit(
        runtime, "u1", NAME, ID_NUMBER, PHONE, "从去年十月起村里一直没给我发优抚金，找过村委会两次"
    )
    number = done.tickets[0]
    code = done.text().split("查询码：")[1][:6]
    later = MONDAY + dt.timedelta(days=1)
    ok = _lookup(runtime, "u9", number, code, later)
    assert "当前状态：已收到，待受理" in ok and "东城镇退役军人服务站" in ok
    for n in range(5):
        wrong = _lookup(runtime, "u9", number, "WRONG" + str(n), later + dt.timedelta(minutes=n))
        assert "当前状态" not in wrong
        say(runtime, "u9", "取消", later)
    assert "查询已暂停" in wrong
    locked = _lookup(runtime, "u9", number, code, later + dt.timedelta(minutes=30))
    assert "当前状态" not in locked and "查询已暂停" in locked
    other_user = _lookup(runtime, "u10", number, code, later + dt.timedelta(minutes=30))
    assert "当前状态" not in other_user and "查询已暂停" in other_user  # the ticket is locked
    after_an_hour = _lookup(runtime, "u9", number, code, later + dt.timedelta(minutes=65))
    assert "当前状态：已收到，待受理" in after_an_hour

"""KB hot reload across processes: a KB edit saved by one runtime reaches another runtime
on the same folder at its next check; files that cannot be served keep the old KB."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.setup import TEST_TODAY
from starlette.testclient import TestClient

from bot.app import create_app
from bot.process import kb_watch
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell.ask import ask
from db.crypto import PiiVault
from db.session import make_engine, session_factory
from intents.context import Context
from knowledge.clock import FixedClock
from knowledge.kb import KBError

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "优待证丢了怎么办"
NEW_LINE = "【已更新】先到发卡银行挂失，再到服务站补办："


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A private copy of the KB that both "processes" read."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for path in (ROOT / "knowledge").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def make_runtime(
    kb_dir: Path, ctx: Context, settings_base: Settings
) -> Iterator[Callable[..., Runtime]]:
    """Runtimes as separate server processes would have them: same KB folder, own index.
    (They start from the session's context: the copy has the same content.)"""
    made: list[Runtime] = []

    def make(**overrides: Any) -> Runtime:
        settings = settings_base.model_copy(
            update={
                "kb_dir": kb_dir,
                "outbox_worker": False,
                "scheduler_seconds": 0,
                **overrides,
            }
        )
        engine = make_engine(settings.database_url)
        rt = Runtime(
            settings,
            ctx,
            engine,
            session_factory(engine),
            PiiVault(settings.secret_key),
            clock=FixedClock.on(TEST_TODAY),
        )
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.engine.dispose()


def answer_of(rt: Runtime, question: str = QUESTION) -> str:
    return str(ask(rt.ctx, question)["answer"])


def write(path: Path, text: str) -> None:
    """As the console writes a topic file (kb_edit): a temporary file renamed over it."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def edit_answer(rt: Runtime, kb_dir: Path, new: str = NEW_LINE) -> tuple[Path, str]:
    """Rewrite the first line of the answer QUESTION gets; the file and its old text."""
    entry = rt.ctx.kb.get(str(ask(rt.ctx, QUESTION)["entry_id"]))
    assert entry is not None and entry.file
    path = kb_dir / entry.file
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {entry.id}\n")
    first = entry.answer.splitlines()[0]
    at = text.index(first, start)
    write(path, text[:at] + new + text[at + len(first) :])
    return path, text


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_an_edit_saved_in_one_process_reaches_the_other_at_its_next_check(
    make_runtime: Callable[..., Runtime], kb_dir: Path
) -> None:
    editor, other = make_runtime(), make_runtime()
    before = answer_of(other)
    assert NEW_LINE not in before
    edit_answer(editor, kb_dir)
    editor.reload_kb()  # what the console does after saving
    assert NEW_LINE in answer_of(editor)
    assert answer_of(other) == before  # not checked yet
    assert kb_watch.refresh(other) is True
    assert NEW_LINE in answer_of(other)
    assert kb_watch.refresh(other) is False  # unchanged files: no rebuild
    assert kb_watch.refresh(editor) is False  # its own edit is already applied


def test_files_that_cannot_be_served_keep_the_old_kb(
    make_runtime: Callable[..., Runtime], kb_dir: Path
) -> None:
    rt = make_runtime()
    before, index = answer_of(rt), rt.ctx.index
    path, original = edit_answer(rt, kb_dir, "{{ no_such_variable }}")
    with pytest.raises(KBError, match="no_such_variable"):  # every answer would fail to render
        kb_watch.refresh(rt)
    write(path, original + "\n  - id: [broken\n")
    with pytest.raises(KBError, match="invalid YAML"):
        kb_watch.refresh(rt)
    assert rt.ctx.index is index and answer_of(rt) == before
    write(path, original)
    assert kb_watch.refresh(rt) is True and answer_of(rt) == before


def test_the_running_app_follows_edits_and_survives_a_broken_file(
    make_runtime: Callable[..., Runtime], kb_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rt = make_runtime(kb_watch_seconds=0.05)
    before = answer_of(rt)
    with TestClient(create_app(runtime=rt)) as client:

        def answer() -> str:
            return str(client.post("/api/ask", json={"q": QUESTION}).json()["answer"])

        entries = client.get("/healthz").json()["kb_entries"]
        path, original = edit_answer(rt, kb_dir)  # as another process saving an edit
        assert wait_for(lambda: NEW_LINE in answer())
        edited = path.read_text(encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="vetbot.kb_watch"):
            write(path, edited + "\n  - id: [broken\n")
            assert wait_for(lambda: "not applied" in caplog.text)
            time.sleep(0.2)  # further checks: still up, still the last good KB, logged once
            assert NEW_LINE in answer()
            assert client.get("/healthz").json()["kb_entries"] == entries
            assert caplog.text.count("not applied") == 1
        write(path, original)
        assert wait_for(lambda: answer() == before)


def test_requests_are_answered_while_the_new_index_is_built(
    make_runtime: Callable[..., Runtime], kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime(kb_watch_seconds=0.05)
    building, release = threading.Event(), threading.Event()
    real_index = kb_watch.Index

    def slow_index(kb: Any) -> Any:
        building.set()
        assert release.wait(10)
        return real_index(kb)

    monkeypatch.setattr(kb_watch, "Index", slow_index)
    before = answer_of(rt)
    with TestClient(create_app(runtime=rt)) as client:
        edit_answer(rt, kb_dir)
        assert building.wait(10)
        started = time.monotonic()
        reply = client.post("/api/ask", json={"q": QUESTION}).json()
        assert reply["answer"] == before and time.monotonic() - started < 5
        release.set()
        assert wait_for(lambda: NEW_LINE in answer_of(rt))


HOLIDAYS_2031 = """years:
  2031:
    source: "测试用通知"
    days_off:
      - 2031-10-01..2031-10-07
    workdays:
      - 2031-09-28
"""


def test_a_holiday_schedule_typed_in_reaches_running_processes_without_a_restart(
    make_runtime: Callable[..., Runtime], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holidays_file = tmp_path / "holidays.yaml"
    holidays_file.write_text("years: {}\n", encoding="utf-8")
    rt = make_runtime(holidays_file=holidays_file)
    national_day = dt.date(2031, 10, 2)  # a Thursday: nobody knows 2031 yet
    assert not rt.ctx.deadlines.calendar.known(national_day)
    assert not rt.ctx.deadlines.calendar.is_day_off(national_day)

    write(holidays_file, HOLIDAYS_2031)
    assert kb_watch.refresh(rt) is True  # the KB files did not change, the calendar did
    assert rt.ctx.deadlines.calendar.known(national_day) and rt.ctx.deadlines.calendar.is_day_off(
        national_day
    )
    assert not rt.ctx.deadlines.calendar.is_day_off(dt.date(2031, 9, 28))  # a 调休 Sunday is worked
    assert kb_watch.refresh(rt) is False

    write(holidays_file, "years:\n  2031:\n    days_off: [2031-10-01]\n")  # no source
    with caplog.at_level(logging.ERROR, logger="vetbot.kb_watch"):
        assert kb_watch.refresh(rt) is True
    assert "source" in caplog.text
    assert rt.ctx.deadlines.calendar.is_day_off(national_day)  # the valid schedule stays
    assert answer_of(rt)  # and the KB is served as before

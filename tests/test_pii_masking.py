"""Personal data stays masked (issue 13 §4): questions kept for curators, and log lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient
from test_console import PASSWORD, Browser
from typer.testing import CliRunner

from bot.app import create_app
from bot.cli import app as cli
from bot.process.runtime import Runtime
from bot.shell.inbound import handle
from db import staff
from db.migrate import upgrade
from db.models import Unanswered
from db.session import transaction
from intents.turn import Inbound

ID_NUMBER, PHONE = "11010519491231002X", "13912345678"
QUESTION = f"我叫李建国，身份证{ID_NUMBER}，手机{PHONE}，我家的猫走丢了怎么找"


def ask_unanswerable(rt: Runtime) -> None:
    handled = handle(rt, Inbound("wechat", "o-pii", QUESTION, rt.clock.now()))
    assert handled.turn is not None and handled.turn.understanding.entry_id is None


def test_an_unanswered_question_is_stored_and_shown_masked(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask_unanswerable(runtime)
    with runtime.sessions() as s:
        [stored] = s.query(Unanswered.text).all()
    assert ID_NUMBER not in stored[0] and PHONE not in stored[0]
    assert "110***********002X" in stored[0] and "139****5678" in stored[0]
    assert "猫走丢了" in stored[0]  # the question itself stays readable for curators

    with transaction(runtime.sessions) as s:
        staff.create(s, "editor", PASSWORD, "supervisor", "990100", "知识库编辑")
    browser = Browser(TestClient(create_app(runtime=runtime)))
    assert browser.login("editor").status_code == 303
    page = browser.get("/staff/kb").text
    assert "猫走丢了" in page and ID_NUMBER not in page and PHONE not in page

    monkeypatch.setenv("VETBOT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", runtime.settings.secret_key)
    monkeypatch.setenv("COLUMNS", "250")  # the table shows the whole question
    listed = CliRunner().invoke(cli, ["unanswered"])
    assert listed.exit_code == 0, listed.output
    assert "猫走丢了" in listed.output and ID_NUMBER not in listed.output
    assert PHONE not in listed.output


def test_the_upgrade_masks_questions_stored_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO unanswered (text, confidence, candidates, channel, created_at)"
                " VALUES (:t, 0.1, '', 'wechat', '2026-12-01 00:00:00')"
            ),
            {"t": QUESTION},
        )
    upgrade(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT text FROM unanswered")).scalar_one()
    engine.dispose()
    assert ID_NUMBER not in stored and PHONE not in stored and "猫走丢了" in stored

"""Personal data stays masked (issue 13 §4): questions kept for curators, and log lines."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fakes.setup import WECHAT_AES_KEY, WECHAT_APPID, WECHAT_TOKEN, eventually
from fakes.wechat_push import WeChatPusher, text_xml
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient
from test_console import PASSWORD, Browser
from typer.testing import CliRunner

from bot.app import create_app
from bot.cli import app as cli
from bot.process.logs import RedactFilter, clean_target
from bot.process.runtime import Runtime
from bot.shell.inbound import Job, handle
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


# -- logs ---------------------------------------------------------------------------------


def test_access_lines_keep_no_callback_secrets_and_no_searched_numbers() -> None:
    wechat = clean_target(
        "/wechat?signature=5e3f&timestamp=1796692911&nonce=QtCasmsqOO&openid=oR1S000abc"
        "&encrypt_type=aes&msg_signature=77aa"
    )
    for secret in ("5e3f", "1796692911", "QtCasmsqOO", "oR1S000abc", "77aa"):
        assert secret not in wechat
    assert wechat.startswith("/wechat?signature=…&timestamp=…") and "encrypt_type=aes" in wechat
    search = clean_target(f"/staff/tickets?q={ID_NUMBER}&status=open")
    assert ID_NUMBER not in search and search.endswith("status=open")
    assert PHONE not in clean_target(f"/staff/queue?phone={PHONE}")
    assert clean_target("/staff/queue?region=990102") == "/staff/queue?region=990102"


def test_a_logged_message_names_neither_its_text_nor_its_sender() -> None:
    inbound = Inbound("wechat", "oSecretOpenid", ID_NUMBER, dt.datetime(2026, 12, 9, tzinfo=dt.UTC))
    logged = repr(Job(inbound, "m:oSecretOpenid:1234"))
    assert ID_NUMBER not in logged and "oSecretOpenid" not in logged and "wechat" in logged


def test_app_log_lines_and_tracebacks_are_masked(capfd: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("vetbot-test-redact")
    handler = logging.StreamHandler()
    handler.addFilter(RedactFilter())
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"cannot parse {ID_NUMBER}")
        except ValueError:
            logger.exception("message from %s failed", PHONE)
    finally:
        logger.removeHandler(handler)
    err = capfd.readouterr().err
    assert "cannot parse 110***********002X" in err and "139****5678" in err
    assert ID_NUMBER not in err and PHONE not in err


def test_vetbot_serve_logs_no_signature_nonce_openid_or_searched_id(tmp_path: Path) -> None:
    """The real `vetbot serve` (uvicorn with its access log on), a WeChat callback and a
    console search: the log holds the requests, none of their secrets."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(url)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "VETBOT_TODAY"}  # the real clock
    env |= {
        "VETBOT_DATABASE_URL": url,
        "VETBOT_SECRET_KEY": "serve-log-test-secret-0123456789",
        "VETBOT_WECHAT_TOKEN": WECHAT_TOKEN,
        "VETBOT_WECHAT_APPID": WECHAT_APPID,
        "VETBOT_WECHAT_AES_KEY": WECHAT_AES_KEY,
        "VETBOT_WECHAT_API_BASE": "http://127.0.0.1:9/cgi-bin/",
        "VETBOT_SCHEDULER_SECONDS": "0",
    }
    log_path = tmp_path / "serve.log"
    vetbot = Path(sys.executable).parent / "vetbot"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [str(vetbot), "serve", "--port", str(port)], env=env, stdout=log_file, stderr=log_file
        )
        try:
            base = f"http://127.0.0.1:{port}"
            eventually(lambda: _up(base), timeout=90)
            pusher = WeChatPusher(base, WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY)
            body, params = pusher.body_and_params(text_xml("oSecretOpenid", "你好", "1"), aes=True)
            params["openid"] = "oSecretOpenid"
            answer = httpx.post(base + "/wechat", params=params, content=body, timeout=30)
            assert answer.status_code == 200
            httpx.get(base + "/staff/tickets", params={"q": ID_NUMBER}, timeout=30)
            httpx.get(base + "/staff/tickets", params={"q": PHONE}, timeout=30)
        finally:
            server.terminate()
            server.wait(30)
    logged = log_path.read_text(encoding="utf-8", errors="replace")
    assert "POST /wechat?" in logged and "GET /staff/tickets?q=…" in logged
    for secret in (
        params["signature"],
        params["msg_signature"],
        params["nonce"],
        "oSecretOpenid",
        ID_NUMBER,
        PHONE,
    ):
        assert secret not in logged, secret


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False

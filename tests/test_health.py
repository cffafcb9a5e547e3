"""Health, readiness and database trouble: /healthz never waits for the database, /readyz
answers within its timeout whatever the database does, an outage is a clean 503, and
the database itself refuses to keep anyone waiting for ever (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fakes import serve_app
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

import bot.channels.wechat.passive as passive
import bot.web.health as health
from bot.app import create_app
from bot.delivery.tokens import Fetched, TokenCache
from bot.process.runtime import Runtime
from bot.process.settings import Settings
from bot.shell import inbox
from db.crypto import PiiVault
from db.session import Timeouts, make_engine, session_factory
from intents.context import Context
from intents.turn import Inbound


@contextlib.contextmanager
def database_held(url: str) -> Iterator[None]:
    """Another client holds the database: SQLite's write lock, or on PostgreSQL an
    exclusive lock on the table every readiness check reads."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    pg = make_url(url)
    with psycopg.connect(host=pg.host, port=pg.port, user=pg.username, dbname=pg.database) as conn:
        conn.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def test_healthz_never_touches_the_database_on_the_event_loop(runtime: Runtime) -> None:
    on_loop: list[str] = []

    def checkout(*_: Any) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: a worker thread
            asyncio.get_running_loop()
            on_loop.append(threading.current_thread().name)

    event.listen(runtime.engine, "checkout", checkout)
    with TestClient(create_app(runtime=runtime)) as client:
        res = [client.get("/healthz") for _ in range(3)]
    assert {r.status_code for r in res} == {200} and res[0].json()["ok"] is True
    assert res[0].json()["kb_entries"] > 100
    assert on_loop == []


def test_readyz_reports_each_check(runtime: Runtime) -> None:
    with TestClient(create_app(runtime=runtime)) as client:
        body = client.get("/readyz").json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"db", "migrations", "inbox", "outbox", "engine"}
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]


def test_readyz_answers_in_time_while_the_database_hangs_and_nothing_else_freezes(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "READY_TIMEOUT", 1.0)
    with (
        serve_app(create_app(runtime=runtime)) as url,
        database_held(runtime.settings.database_url),
    ):
        started = time.monotonic()
        polls = [threading.Thread(target=httpx.get, args=(url + "/readyz",)) for _ in range(5)]
        for poll in polls:
            poll.start()
        ready = httpx.get(url + "/readyz", timeout=10)
        took = time.monotonic() - started
        alive = httpx.get(url + "/healthz", timeout=2)
        for poll in polls:
            poll.join()
    assert ready.status_code == 503 and ready.json()["checks"]["db"]["ok"] is False
    assert took < 3.0
    assert alive.status_code == 200  # the event loop never waited for the database


def test_readyz_fails_on_old_migrations_and_on_inbox_lag(runtime: Runtime) -> None:
    with TestClient(create_app(runtime=runtime)) as client:
        inbox.receive(runtime, [(Inbound("web", "w-lag", "你好", runtime.clock.now()), "w-lag:1")])
        runtime.clock.advance(dt.timedelta(minutes=5))  # type: ignore[attr-defined]
        lagging = client.get("/readyz").json()
        with runtime.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        old = client.get("/readyz").json()
    assert lagging["ok"] is False and lagging["checks"]["inbox"]["ok"] is False
    assert lagging["checks"]["inbox"]["lag_seconds"] >= 300
    assert (
        old["checks"]["migrations"]["ok"] is False
        and old["checks"]["migrations"]["current"] == "0001"
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_engine_thread_shows_in_healthz_and_readyz_and_the_log(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from fakes.setup import (
        WECHAT_AES_KEY,
        WECHAT_APPID,
        WECHAT_TOKEN,
        wechat_settings,
        with_settings,
    )
    from fakes.wechat_push import WeChatPusher, text_xml

    real = passive.handle_batch

    def die(*args: Any, **kwargs: Any) -> Any:
        raise SystemExit("the thread ends")  # escapes every `except Exception`

    rt = with_settings(runtime, **wechat_settings("http://127.0.0.1:9", aes=True))
    app = create_app(runtime=rt)
    now = lambda: int(rt.clock.now().timestamp())  # noqa: E731
    monkeypatch.setattr(passive, "handle_batch", die)
    with serve_app(app) as url:
        wx = WeChatPusher(url, WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY, now=now)
        assert wx.push(text_xml("o-dead", "你好", "20001"), aes=True).body == "success"
        time.sleep(0.2)
        dead = httpx.get(url + "/healthz")
        not_ready = httpx.get(url + "/readyz")
        monkeypatch.setattr(passive, "handle_batch", real)
        with caplog.at_level(logging.ERROR):
            again = wx.push(text_xml("o-back", "优待证怎么办", "20002"), aes=True)
        healthy = httpx.get(url + "/healthz")
    assert dead.status_code == 503 and dead.json()["engine"]["ok"] is False
    assert not_ready.status_code == 503 and not_ready.json()["checks"]["engine"]["ok"] is False
    assert "建档立卡" in again.content  # started again with the next message
    assert "had died" in caplog.text
    assert healthy.status_code == 200 and healthy.json()["engine"]["deaths"] == 1


# -- a database that is down --------------------------------------------------------------


@pytest.fixture
def down(ctx: Context, settings_base: Settings) -> Iterator[Runtime]:
    """A runtime whose PostgreSQL refuses connections (nothing listens on the port)."""
    url = "postgresql://postgres@127.0.0.1:9/vetbot"
    engine = make_engine(url, Timeouts(connect=1, pool=1))
    settings = settings_base.model_copy(update={"database_url": url})
    yield Runtime(settings, ctx, engine, session_factory(engine), PiiVault("k"))
    engine.dispose()


def test_a_database_outage_is_a_clean_503_with_one_log_line(
    down: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(runtime=down), raise_server_exceptions=False)
    client.get("/chat")
    with caplog.at_level(logging.WARNING):
        answers = [client.post("/chat/send", json={"text": "你好"}) for _ in range(20)]
    assert {r.status_code for r in answers} == {503}
    assert answers[0].json()["error"] == "系统繁忙，请稍后再试。"
    assert answers[0].headers["retry-after"] == "5"
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per request
    assert len([r for r in caplog.records if "database unavailable" in r.message]) == 1


# -- timeouts the database enforces ------------------------------------------------------


def test_a_statement_that_runs_too_long_is_interrupted(db_url: str) -> None:
    engine = make_engine(db_url, Timeouts(statement=0.5))
    slow = (
        "SELECT pg_sleep(5)"
        if db_url.startswith("postgresql")
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT count(*) FROM (SELECT x FROM c LIMIT 300000000)"
    )
    started = time.monotonic()
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text(slow))
    assert time.monotonic() - started < 3.0
    with engine.connect() as conn:  # the connection is usable again
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_connecting_to_a_silent_server_gives_up_after_the_connect_timeout() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never speaks
    port = silent.getsockname()[1]
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{port}/x", Timeouts(connect=1))
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError), engine.connect():
            pass
        assert time.monotonic() - started < 4.0
    finally:
        engine.dispose()
        silent.close()


# -- no network call inside a transaction -------------------------------------------------


def other_writer_can_write(url: str) -> bool:
    """Can another connection write to the token row right now (without waiting)?"""
    try:
        if url.startswith("sqlite"):
            conn = sqlite3.connect(make_url(url).database or "", timeout=0.3, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE api_tokens SET value = value")
            conn.execute("ROLLBACK")
            conn.close()
            return True
        pg = make_url(url)
        with psycopg.connect(
            host=pg.host, port=pg.port, user=pg.username, dbname=pg.database
        ) as conn:
            conn.execute("SET lock_timeout = '300ms'")
            conn.execute("UPDATE api_tokens SET value = value")
            conn.rollback()
        return True
    except (sqlite3.OperationalError, psycopg.errors.LockNotAvailable):
        return False


def test_the_token_refresh_holds_no_transaction_during_its_http_call(runtime: Runtime) -> None:
    tokens = TokenCache(runtime.sessions)
    tokens.get("wechat:app", lambda: Fetched("first", 0))  # the row exists, expired
    during: list[bool] = []

    def slow_fetch() -> Fetched:
        during.append(other_writer_can_write(runtime.settings.database_url))
        return Fetched("second", 7200)

    assert tokens.get("wechat:app", slow_fetch) == "second"
    assert during == [True]


def test_a_process_waiting_for_another_ones_refresh_uses_its_token(runtime: Runtime) -> None:
    fetching, release = threading.Event(), threading.Event()
    fetched: list[str] = []

    def slow() -> Fetched:
        fetched.append("a")
        fetching.set()
        release.wait(5)
        return Fetched("token-a", 7200)

    def fast() -> Fetched:
        fetched.append("b")
        return Fetched("token-b", 7200)

    other_engine = make_engine(runtime.settings.database_url)
    a, b = TokenCache(runtime.sessions), TokenCache(session_factory(other_engine))
    got: list[str] = []
    first = threading.Thread(target=lambda: got.append(a.get("wechat:x", slow)))
    first.start()
    fetching.wait(5)
    second = threading.Thread(target=lambda: got.append(b.get("wechat:x", fast)))
    second.start()
    time.sleep(0.3)
    release.set()
    first.join(5)
    second.join(5)
    other_engine.dispose()
    assert fetched == ["a"] and got == ["token-a", "token-a"]

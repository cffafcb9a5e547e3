"""Shared fixtures: a real SQLite file and a real PostgreSQL server for every DB test.

``db_url`` runs each DB test twice: on a fresh SQLite file, and on PostgreSQL — at
``VETBOT_TEST_PG_URL``, or, when that is unset, at postgresql://postgres@127.0.0.1:5432
if a server answers there (the usual development machine). Without either the
PostgreSQL run is skipped locally — and fails in CI (``CI`` set), so CI can never
silently not test PostgreSQL. The run ends with one line saying what was skipped and why.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.setup import TEST_TODAY
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.process.runtime import Runtime
from bot.process.settings import Settings
from db.crypto import PiiVault
from db.migrate import upgrade
from db.models import Base
from db.session import make_engine, normalize_url, session_factory
from intents.context import Context
from knowledge.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-for-vetbot"
os.environ["VETBOT_TODAY"] = TEST_TODAY.isoformat()  # CLI commands and subprocesses too


@pytest.fixture
def clock() -> FixedClock:
    """10:00 in China on the suite's pinned date; tests may move it."""
    return FixedClock.on(TEST_TODAY)


@pytest.fixture(scope="session")
def settings_base() -> Settings:
    return Settings(secret_key=TEST_SECRET, database_url="sqlite:///:memory:")


@pytest.fixture(scope="session")
def ctx(settings_base: Settings) -> Context:
    from bot.process.runtime import build_context

    return build_context(settings_base)


LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _local_pg() -> str | None:
    """The development machine's PostgreSQL, when one answers on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        engine = create_engine(normalize_url(LOCAL_PG), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # not there, or not with trust auth: skipped (and said so at the end)
        return None
    return LOCAL_PG


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A private database on the PostgreSQL server, migrated once per test session."""
    base = os.environ.get("VETBOT_TEST_PG_URL") or _local_pg()
    if not base:
        yield None
        return
    name = f"vetbot_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(base)).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'vetbot.db'}"
        upgrade(url)
        yield url
        return
    pg = request.getfixturevalue("pg_server_url")
    if pg is None:
        if os.environ.get("CI"):
            pytest.fail("VETBOT_TEST_PG_URL is not set: PostgreSQL tests must run in CI")
        pytest.skip("PostgreSQL: none answers on 127.0.0.1:5432 and VETBOT_TEST_PG_URL is not set")
    _truncate_pg(pg)
    yield pg


@pytest.fixture
def runtime(
    db_url: str, ctx: Context, settings_base: Settings, clock: FixedClock
) -> Iterator[Runtime]:
    settings = settings_base.model_copy(update={"database_url": db_url})
    engine = make_engine(db_url)
    yield Runtime(
        settings, ctx, engine, session_factory(engine), PiiVault(TEST_SECRET), clock=clock
    )
    engine.dispose()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line at the end: how many tests were skipped, and why (grouped by reason)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        terminalreporter.write_line("vetbot: nothing skipped")
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    told = "; ".join(f"{n} × {why}" for why, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    terminalreporter.write_line(f"vetbot: {len(skipped)} skipped — {told}")


_real_connect = socket.socket.connect
LOOPBACK = ("127.", "::1", "localhost")


def _loopback_only(self: socket.socket, address: Any) -> Any:
    """Tests never reach the internet: only loopback and Unix sockets (like PTB's offline
    request object)."""
    host = address[0] if isinstance(address, tuple) else ""
    if isinstance(address, tuple) and not str(host).startswith(LOOPBACK):
        raise OSError(f"test tried to connect to {host!r}: only 127.0.0.1 is allowed in tests")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)

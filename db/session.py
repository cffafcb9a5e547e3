"""Engine and session setup: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """postgresql:// → the psycopg 3 driver; create the SQLite file's folder."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Timeouts:
    """How long the database may keep a caller waiting, in seconds (0: no limit).

    ``connect``: opening a connection (PostgreSQL; SQLite opens a local file).
    ``statement``: one SQL statement (PostgreSQL ``statement_timeout``, which also bounds
    lock waits; SQLite: a progress handler interrupts it). ``pool``: waiting for a free
    pooled connection. ``idle_in_transaction``: PostgreSQL ends a session that holds a
    transaction open doing nothing (e.g. a process stuck mid-transaction)."""

    connect: float = 5.0
    statement: float = 30.0
    pool: float = 10.0
    idle_in_transaction: float = 120.0


NO_STATEMENT_LIMIT = Timeouts(statement=0.0, idle_in_transaction=0.0)  # migrations, bulk jobs
SQLITE_BUSY_SECONDS = 30.0  # waiting for another process's write lock


def make_engine(url: str, timeouts: Timeouts | None = None, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.drivername.startswith("sqlite") and parsed.database in (None, "", ":memory:")
    url = normalize_url(url)
    limits = timeouts or Timeouts()
    if limits.pool and "poolclass" not in kwargs and not in_memory:  # a QueuePool
        kwargs.setdefault("pool_timeout", limits.pool)
    kwargs.setdefault("hide_parameters", True)  # errors never log what veterans typed
    if url.startswith("sqlite"):
        return _sqlite_engine(url, limits, **kwargs)
    return create_engine(url, pool_pre_ping=True, connect_args=_pg_args(limits), **kwargs)


def _pg_args(limits: Timeouts) -> dict[str, Any]:
    options = []
    if limits.statement:
        options.append(f"-c statement_timeout={int(limits.statement * 1000)}")
    if limits.idle_in_transaction:
        ms = int(limits.idle_in_transaction * 1000)
        options.append(f"-c idle_in_transaction_session_timeout={ms}")
    args: dict[str, Any] = {"options": " ".join(options)} if options else {}
    if limits.connect:
        args["connect_timeout"] = max(1, math.ceil(limits.connect))
    return args


def _sqlite_engine(url: str, limits: Timeouts, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
        **kwargs,
    )
    writer = _WriterLock(SQLITE_BUSY_SECONDS)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", writer.begin)
    event.listen(engine, "commit", writer.end)
    event.listen(engine, "rollback", writer.end)
    event.listen(engine, "checkin", writer.checkin)
    if limits.statement:
        clock = _StatementClock(limits.statement)
        event.listen(engine, "connect", clock.connect)
        event.listen(engine, "before_cursor_execute", clock.start)
        event.listen(engine, "after_cursor_execute", clock.stop)
        event.listen(engine, "handle_error", clock.error)
    return engine


class _StatementClock:
    """SQLite has no statement timeout: a progress handler (called every few thousand
    VM steps) interrupts a statement that runs past its deadline ("interrupted")."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def connect(self, dbapi_conn: Any, record: Any) -> None:
        deadline = [0.0]  # monotonic deadline of the running statement; 0: none
        record.info[_DEADLINE] = deadline

        def over() -> int:
            return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

        dbapi_conn.set_progress_handler(over, 10_000)

    def start(self, conn: Connection, *_: Any) -> None:
        if (deadline := conn.info.get(_DEADLINE)) is not None:
            deadline[0] = time.monotonic() + self.limit

    def stop(self, conn: Connection, *_: Any) -> None:
        if (deadline := conn.info.get(_DEADLINE)) is not None:
            deadline[0] = 0.0

    def error(self, context: Any) -> None:
        conn = getattr(context, "connection", None)
        if conn is not None and (deadline := conn.info.get(_DEADLINE)) is not None:
            deadline[0] = 0.0


_DEADLINE = "vetbot_statement_deadline"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cur.close()


class _WriterLock:
    """SQLite has one writer at a time. Transactions here are ``BEGIN IMMEDIATE`` (the
    write lock up front, so two writers queue instead of deadlocking); within one process
    they also queue on this lock, which hands over at once — SQLite's own busy handler
    sleeps in growing steps (up to 100 ms) while it waits, which made every thread that
    shares the file (engine, inbox, outbox worker) wait far longer than the lock was held.
    Other processes still wait through SQLite's busy timeout."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()

    def begin(self, conn: Connection) -> None:
        if self._lock.acquire(timeout=self.timeout):  # after that, let SQLite decide
            conn.info[_HOLDS] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def end(self, conn: Connection) -> None:
        self._release(conn.info)

    def checkin(self, _dbapi_conn: Any, record: Any) -> None:
        self._release(record.info)  # a connection returned mid-transaction (error paths)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS, False):
            self._lock.release()


_HOLDS = "vetbot_holds_writer_lock"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"

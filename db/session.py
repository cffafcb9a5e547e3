"""Engine and session setup: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        writer = _WriterLock(30.0)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", writer.begin)
        event.listen(engine, "commit", writer.end)
        event.listen(engine, "rollback", writer.end)
        event.listen(engine, "checkin", writer.checkin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
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

"""The schema comes from Alembic migrations and matches the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db.models import Base
from db.session import make_engine


def test_migrations_create_every_table_and_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()

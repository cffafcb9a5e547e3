"""The deployment kit stays true: every setting it names exists, the backup and restore
drill scripts work against a real PostgreSQL, and the compose file starts when Docker runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.process.settings import Settings
from db.migrate import upgrade
from db.models import Staff
from db.session import normalize_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SETTING = re.compile(r"\bVETBOT_([A-Z0-9_]+)\b")
NOT_SETTINGS = {"BACKUP_URL", "BACKUP_DIR", "BACKUP_KEEP_DAYS", "RESTORE_ADMIN_URL"}  # scripts'


def _named_settings(path: Path) -> set[str]:
    return {m.lower() for m in SETTING.findall(path.read_text(encoding="utf-8"))} - {
        n.lower() for n in NOT_SETTINGS
    }


@pytest.mark.parametrize(
    "path",
    [
        DEPLOY / "systemd" / "vetbot.env.example",
        DEPLOY / "docker-compose.yml",
        ROOT / "docs" / "deploy.md",
    ],
    ids=lambda p: p.name,
)
def test_every_setting_the_kit_names_exists(path: Path) -> None:
    unknown = _named_settings(path) - set(Settings.model_fields)
    assert unknown == set(), f"{path.name} names settings vetbot does not have: {unknown}"


def test_compose_has_two_app_hosts_one_database_and_a_proxy() -> None:
    doc = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = doc["services"]
    assert {"db", "migrate", "app1", "app2", "nginx"} <= set(services)
    assert services["app1"]["environment"]["VETBOT_DATABASE_URL"].startswith("postgresql://")
    assert services["migrate"]["command"] == ["vetbot", "db", "upgrade"]


@pytest.fixture
def pg_database(pg_server_url: str | None) -> Iterator[str]:
    if pg_server_url is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is needed for the backup drill in CI")
        pytest.skip("PostgreSQL: none answers on 127.0.0.1:5432")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")
    admin = create_engine(normalize_url(pg_server_url), isolation_level="AUTOCOMMIT")
    name = f"vetbot_backup_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(pg_server_url)).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_backup_then_restore_drill(pg_database: str, tmp_path: Path) -> None:
    upgrade(pg_database)
    engine = create_engine(normalize_url(pg_database))
    with Session(engine) as session, session.begin():
        session.add(
            Staff(username="drill", display_name="演练", password_hash="x", region_code="990101")
        )
    engine.dispose()
    url = _libpq(pg_database)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    env = dict(os.environ, VETBOT_BACKUP_URL=url, VETBOT_BACKUP_DIR=str(tmp_path),
               VETBOT_RESTORE_ADMIN_URL=admin)  # fmt: skip
    backup = subprocess.run([DEPLOY / "backup" / "pg-backup.sh"], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert backup.returncode == 0, backup.stderr
    dumps = list(tmp_path.glob("vetbot-*.dump"))
    assert len(dumps) == 1 and "staff 1" in dumps[0].with_suffix(".dump.counts").read_text()
    drill = subprocess.run([DEPLOY / "backup" / "restore-drill.sh"], env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert drill.returncode == 0 and "restore drill passed" in drill.stdout, (
        drill.stdout + drill.stderr
    )
    counts = dumps[0].with_suffix(".dump.counts")
    counts.write_text(counts.read_text().replace("staff 1", "staff 2"))  # a backup that lost a row
    failed = subprocess.run([DEPLOY / "backup" / "restore-drill.sh"], env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert failed.returncode == 1 and "staff: backup 2 rows, restored 1" in failed.stdout


def _docker_runs() -> str | None:
    if not shutil.which("docker"):
        return "docker is not installed"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20)
    return None if probe.returncode == 0 else "no Docker engine runs on this machine"


def test_compose_config_is_valid_when_docker_runs() -> None:
    why = _docker_runs()
    if why:
        pytest.skip(f"docker compose not tried: {why}")
    env = dict(os.environ, VETBOT_SECRET_KEY="compose-test-key-0123456789")
    done = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "docker-compose.yml"), "config"],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr

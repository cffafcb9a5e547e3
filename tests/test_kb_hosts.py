"""Several hosts, one database: a curator's KB edit made on host A is answered by host B
— which has its own copy of knowledge/ — within seconds, without touching B's files
(PostgreSQL: LISTEN/NOTIFY, with B's poll set far too slow to explain it; SQLite: the poll)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakes.setup import TEST_TODAY
from starlette.testclient import TestClient
from test_console import PASSWORD, Browser

from bot.app import create_app
from bot.process import kb_watch
from bot.process.runtime import Runtime, build_context
from bot.process.settings import Settings
from db import staff
from db.crypto import PiiVault
from db.session import make_engine, session_factory, transaction
from knowledge.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "俺的优待卡叫娃弄没了"


@pytest.fixture
def hosts(db_url: str, tmp_path: Path, settings_base: Settings) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def host(name: str, **overrides: object) -> Runtime:
        kb_dir = tmp_path / name / "knowledge"
        kb_dir.mkdir(parents=True)
        for path in (ROOT / "knowledge").glob("*.yaml"):
            shutil.copy(path, kb_dir / path.name)
        settings = settings_base.model_copy(
            update={"database_url": db_url, "kb_dir": kb_dir, "outbox_worker": False,
                    "scheduler_seconds": 0, **overrides}
        )  # fmt: skip
        engine = make_engine(db_url)
        rt = Runtime(settings, build_context(settings), engine, session_factory(engine),
                     PiiVault(settings.secret_key), clock=FixedClock.on(TEST_TODAY))  # fmt: skip
        made.append(rt)
        return rt

    yield host
    for rt in made:
        rt.engine.dispose()


def _entry(client: TestClient) -> str | None:
    return client.post("/api/ask", json={"q": QUESTION}).json()["entry_id"]


def test_an_edit_on_host_a_is_answered_by_host_b(
    hosts: Callable[..., Runtime], db_url: str
) -> None:
    postgres = db_url.startswith("postgresql")
    a = hosts("a", kb_watch_seconds=0)
    b = hosts("b", kb_watch_seconds=60 if postgres else 0.2)  # PG: only NOTIFY is fast enough
    with transaction(a.sessions) as s:
        staff.create(s, "editor", PASSWORD, "supervisor", "990100", "知识库编辑")
    b_file = (b.settings.kb_dir / "card.yaml").read_text(encoding="utf-8")
    with TestClient(create_app(runtime=b)) as host_b:
        assert _entry(host_b) != "card.lost"
        time.sleep(0.5)  # B's listener is up
        curator = Browser(TestClient(create_app(runtime=a)))
        assert curator.login("editor").status_code == 303
        saved = curator.post("/staff/kb/attach", entry_id="card.lost", texts=QUESTION)
        assert saved.status_code == 303  # committed, and host A already answers from it
        started = time.monotonic()
        while _entry(host_b) != "card.lost" and time.monotonic() - started < 20:
            time.sleep(0.05)
        took = time.monotonic() - started
        print(
            f"\nKB edit on host A answered by host B after {took:.2f} s ({'NOTIFY' if postgres else 'poll'})"
        )
        assert _entry(host_b) == "card.lost", f"host B still not answering after {took:.1f} s"
    assert (b.settings.kb_dir / "card.yaml").read_text(encoding="utf-8") == b_file
    assert a.kb_version is not None and b.kb_version == a.kb_version  # same KB on both hosts


def test_a_restarted_host_starts_with_the_curated_kb(
    hosts: Callable[..., Runtime], settings_base: Settings
) -> None:
    a = hosts("a", kb_watch_seconds=0)
    with transaction(a.sessions) as s:
        staff.create(s, "editor", PASSWORD, "supervisor", "990100", "知识库编辑")
    curator = Browser(TestClient(create_app(runtime=a)))
    curator.login("editor")
    assert curator.post("/staff/kb/attach", entry_id="card.lost", texts=QUESTION).status_code == 303
    c = hosts("c", kb_watch_seconds=0)  # a new process: files + the database's versions
    assert kb_watch.refresh(c) is True
    assert c.ctx.kb.get("card.lost") == a.ctx.kb.get("card.lost")
    assert kb_watch.refresh(c) is False  # nothing new: no rebuild

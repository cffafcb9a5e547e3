"""KB curation from the console: grouping unanswered questions, attaching them as phrasings
(lint-checked, versioned, applied without a restart), drafting entries, review list."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from test_console import PASSWORD, Browser

from bot.app import create_app
from bot.console.kb_edit import export
from bot.console.kb_groups import group
from bot.process.runtime import Runtime, build_context
from bot.process.settings import Settings
from bot.shell.inbound import handle
from db import kb_versions, staff
from db.crypto import PiiVault
from db.models import KBEdit, Message, Unanswered
from db.session import make_engine, session_factory, transaction
from intents.turn import Inbound
from knowledge.clock import FixedClock
from knowledge.kb import load as load_kb

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "俺的优待卡叫娃弄没了"


@pytest.fixture
def kb_runtime(
    db_url: str, tmp_path: Path, settings_base: Settings, clock: FixedClock
) -> Iterator[Runtime]:
    """A runtime on a private copy of the KB, so curators' edits touch only the copy."""
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    for path in (ROOT / "knowledge").glob("*.yaml"):
        shutil.copy(path, kb_dir / path.name)
    settings = settings_base.model_copy(update={"database_url": db_url, "kb_dir": kb_dir})
    engine = make_engine(db_url)
    yield Runtime(
        settings,
        build_context(settings),
        engine,
        session_factory(engine),
        PiiVault(settings.secret_key),
        clock=clock,
    )
    engine.dispose()


@pytest.fixture
def curator(kb_runtime: Runtime) -> Browser:
    with transaction(kb_runtime.sessions) as s:
        staff.create(s, "editor", PASSWORD, "supervisor", "990100", "知识库编辑")
    b = Browser(TestClient(create_app(runtime=kb_runtime)))
    assert b.login("editor").status_code == 303
    return b


def test_similar_questions_group_together_with_counts() -> None:
    rows = [
        (QUESTION, 3, 0.3, "card.lost"),
        ("俺的优待卡让娃弄没了", 1, 0.35, "card.lost"),
        ("光荣牌是啥颜色的", 2, 0.2, ""),
    ]
    groups = group(rows)
    assert [g.total for g in groups] == [4, 2]
    assert groups[0].suggested == "card.lost" and len(groups[0].texts) == 2


def test_attaching_an_unanswered_question_makes_the_bot_answer_it(
    kb_runtime: Runtime, curator: Browser
) -> None:
    for user in ("w-kb1", "w-kb2"):  # two veterans ask; the bot does not guess
        before = handle(kb_runtime, Inbound("web", user, QUESTION, kb_runtime.clock.now()))
        assert before.turn is not None and before.turn.understanding.entry_id != "card.lost"
    page = curator.get("/staff/kb").text
    assert QUESTION in page and "2 次" in page
    r = curator.post("/staff/kb/attach", entry_id="card.lost", texts=QUESTION, originals=QUESTION)
    assert r.status_code == 303
    after = handle(
        kb_runtime, Inbound("web", "w-kb3", QUESTION, kb_runtime.clock.now())
    )  # no restart
    assert after.turn is not None and after.turn.understanding.entry_id == "card.lost"
    card = kb_runtime.settings.kb_dir / "card.yaml"
    assert QUESTION not in card.read_text(encoding="utf-8")  # a version in the DB, not a file
    with kb_runtime.sessions() as s:
        edit = s.scalars(select(KBEdit)).one()
        assert edit.actor == "staff:editor" and edit.entry_id == "card.lost"
        assert QUESTION in edit.after_yaml and QUESTION not in edit.before_yaml
        assert edit.file == "card.yaml" and edit.action == "kb_add_phrasing"
        replies = s.scalars(select(Message).where(Message.direction == "out")).all()
        assert replies[-1].kb_version == f"{kb_runtime.kb_version}" and str(edit.id) in str(
            replies[-1].kb_version
        )  # the reply after the edit names the version it was answered from
        assert replies[0].kb_version is not None and replies[0].kb_version.endswith(".0")
        assert all(u.resolved_entry_id == "card.lost" for u in s.scalars(select(Unanswered)))
    assert export(kb_runtime.settings.kb_dir, newest_versions(kb_runtime)) == [
        "card.lost: +1 phrasings → card.yaml"
    ]
    assert QUESTION in card.read_text(encoding="utf-8")  # `vetbot kb export` writes it back
    assert load_kb(kb_runtime.settings.kb_dir).get("card.lost") == kb_runtime.ctx.kb.get(
        "card.lost"
    )
    assert QUESTION not in curator.get("/staff/kb").text.split("修改记录")[0]  # the group is gone


def test_a_new_entry_is_refused_by_lint_without_a_source(
    kb_runtime: Runtime, curator: Browser
) -> None:
    fields: dict[str, Any] = {
        "id": "svc.calligraphy",
        "file": "services.yaml",
        "questions": "\n".join(
            [
                "退役军人书法展什么时候举办",
                "老兵书法展在哪看",
                "退役军人书画展能投稿吗",
                "书法展征稿退役军人能参加吗",
                "俺写毛笔字能参加老兵书法展不",
            ]
        ),
        "answer": "书画展的时间和征稿要求以当地公布为准，可咨询{{ station.name }}。",
        "source": "",
        "effective": "2024-01-01",
        "review_by": "2030-01-01",
    }
    refused = curator.post("/staff/kb/new", **fields)
    assert refused.status_code == 422 and "no source" in refused.text
    services = kb_runtime.settings.kb_dir / "services.yaml"
    fields["source"] = "《中华人民共和国退役军人保障法》"
    saved = curator.post("/staff/kb/new", **fields)
    assert saved.status_code == 303, saved.text
    assert kb_runtime.ctx.kb.get("svc.calligraphy") is not None
    assert "svc.calligraphy" not in services.read_text(encoding="utf-8")
    export(kb_runtime.settings.kb_dir, newest_versions(kb_runtime))
    export(kb_runtime.settings.kb_dir, newest_versions(kb_runtime))  # twice: still once
    assert services.read_text(encoding="utf-8").count("id: svc.calligraphy") == 1
    assert load_kb(kb_runtime.settings.kb_dir).get("svc.calligraphy") is not None


def test_entries_past_review_by_are_listed(kb_runtime: Runtime, curator: Browser) -> None:
    path = kb_runtime.settings.kb_dir / "card.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("review_by: 2027-06-30", "review_by: 2020-01-01", 1), encoding="utf-8"
    )
    kb_runtime.reload_kb()
    stale = next(e for e in kb_runtime.ctx.kb if e.review_by and e.review_by.year == 2020)
    page = curator.get("/staff/kb").text
    assert stale.id in page and "已过期" in page


def newest_versions(rt: Runtime) -> list[KBEdit]:
    with rt.sessions() as session:
        return kb_versions.newest(session)

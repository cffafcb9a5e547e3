"""KB curation pages (知识库维护): unanswered groups, attach as phrasing, draft an entry,
entries due for review, and the edit history."""

from __future__ import annotations

import datetime as dt
import difflib

from sqlalchemy import select
from starlette.responses import Response

from bot.console import kb_edit, kb_groups
from bot.console.guard import Cx
from bot.console.views import back, render
from db.models import KBEdit
from db.session import transaction

REVIEW_SOON_DAYS = 30
HISTORY = 20


def _lines(value: str) -> list[str]:
    return [ln.strip() for ln in value.splitlines() if ln.strip()]


def _diff(edit: KBEdit) -> str:
    lines = difflib.unified_diff(
        edit.before_yaml.splitlines(),
        edit.after_yaml.splitlines(),
        "修改前",
        "修改后",
        lineterm="",
        n=1,
    )
    return "\n".join(lines)


def page(
    cx: Cx,
    error: str = "",
    problems: list[str] | None = None,
    status: int = 200,
    draft: dict[str, str] | None = None,
) -> Response:
    day = cx.rt.clock.today()
    soon = day + dt.timedelta(days=REVIEW_SOON_DAYS)
    kb = cx.rt.ctx.kb
    review = sorted(
        (e for e in kb if e.review_by is None or e.review_by <= soon),
        key=lambda e: e.review_by or dt.date.min,
    )
    with transaction(cx.rt.sessions) as session:
        groups = kb_groups.group(kb_groups.open_questions(session))
        edits = list(session.scalars(select(KBEdit).order_by(KBEdit.id.desc()).limit(HISTORY)))
        history = [(e, _diff(e)) for e in edits]
    return render(
        cx,
        "kb.html",
        status_code=status,
        groups=groups,
        entries=sorted(kb, key=lambda e: e.id),
        review=review,
        today=day,
        history=history,
        files=kb_edit.topic_files(cx.rt),
        error=error,
        problems=problems or [],
        draft=draft or {},
    )


def attach(cx: Cx) -> Response:
    """Attach a group's questions to an entry as phrasings."""
    entry_id, texts = cx.field("entry_id"), _lines(cx.form.get("texts", ""))
    originals = _lines(cx.form.get("originals", ""))
    try:
        with transaction(cx.rt.sessions) as session:
            kb_edit.add_phrasings(
                cx.rt, session, entry_id, texts, cx.user.actor, cx.rt.clock.today()
            )
            kb_groups.mark_resolved(session, originals or texts, entry_id)
    except kb_edit.EditError as exc:
        return page(cx, str(exc), exc.problems, 422)
    cx.rt.reload_kb()
    return back("/staff/kb", "kb")


def create(cx: Cx) -> Response:
    """Draft a new entry from a group (or from scratch)."""
    f = cx.field
    raw = {
        "id": f("id"),
        "questions": _lines(cx.form.get("questions", "")),
        "answer": cx.form.get("answer", "").strip(),
        "source": _lines(cx.form.get("source", "")),
        "effective": f("effective") or None,
        "review_by": f("review_by") or None,
    }
    draft = {
        k: cx.form.get(k, "")
        for k in (
            "id",
            "file",
            "questions",
            "answer",
            "source",
            "effective",
            "review_by",
            "originals",
        )
    }
    try:
        with transaction(cx.rt.sessions) as session:
            entry = kb_edit.new_entry(
                cx.rt, session, raw, f("file"), cx.user.actor, cx.rt.clock.today()
            )
            kb_groups.mark_resolved(session, _lines(cx.form.get("originals", "")), entry.id)
    except kb_edit.EditError as exc:
        return page(cx, str(exc), exc.problems, 422, draft)
    cx.rt.reload_kb()
    return back("/staff/kb", "kb")

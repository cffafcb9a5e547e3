"""Consultation aid (咨询助手): KB search with answers and sources for walk-in and phone
questions; "记录为咨询" records the consultation as a ticket in one click."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from bot.console.guard import Cx
from bot.console.views import back, render
from bot.tickets import actions
from bot.tickets.intake import Intake, walk_in
from db.session import transaction
from knowledge.kb import Entry
from knowledge.render import render_answer

RESULTS = 5


@dataclass(frozen=True)
class Found:
    entry: Entry
    score: float
    answer: str
    confident: bool


def search(cx: Cx, q: str) -> list[Found]:
    ctx = cx.rt.ctx
    region = cx.user.region_code if cx.user.region_code in ctx.regions else None
    hits = ctx.index.search(q, limit=RESULTS) if q.strip() else []
    return [
        Found(
            h.entry, h.score, render_answer(h.entry, ctx.regions, region), h.score >= ctx.threshold
        )
        for h in hits
    ]


def page(cx: Cx) -> Response:
    q = cx.query("q")[:200]
    return render(cx, "consult.html", q=q, found=search(cx, q), error="")


def record(cx: Cx) -> Response:
    """记录为咨询: a consultation ticket owned by the staff member, answered on the spot."""
    q = cx.field("q")[:500]
    if not q:
        return render(
            cx, "consult.html", status_code=422, q="", found=[], error="请先输入群众的问题。"
        )
    entry = cx.rt.ctx.kb.get(cx.field("entry_id"))
    how = cx.field("how") if cx.field("how") in ("来访", "来电", "其他") else "来访"
    regions = cx.rt.ctx.regions
    region = cx.user.region_code if cx.user.region_code in regions else None
    day = cx.rt.clock.today()
    details = {
        "question": q,
        "channel": how,
        "entry_id": entry.id if entry else None,
        "sources": list(entry.sources) if entry else [],
    }
    with transaction(cx.rt.sessions) as session:
        rt, user = cx.rt, cx.user
        desk = Intake(session, rt.vault, regions, day, deadlines=rt.ctx.deadlines)
        category = entry.topic if entry else None
        ticket = walk_in(desk, region, f"{how}咨询：{q}", category, details, user.actor)
        actions.claim(rt, session, ticket, user)  # 首问负责: whoever answered owns it
        if entry is not None and cx.field("answered") == "1":
            actions.resolve(rt, session, ticket, user, f"当场答复（依据知识库 {entry.id}）")
        number = ticket.number
    return back(f"/staff/tickets/{number}", "consult")

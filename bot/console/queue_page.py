"""The queue pages: one of the views (mine, unit, unassigned, …) with filters and search."""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response

from bot.console import queues, scope
from bot.console.guard import Cx
from bot.console.views import KIND_NAMES, STATUS_NAMES, render
from bot.tickets import actions
from bot.tickets.sla import sla
from db.models import Ticket
from db.session import transaction


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters(cx: Cx) -> queues.Filters:
    return queues.Filters(
        kind=cx.query("kind") if cx.query("kind") in KIND_NAMES else "",
        status=cx.query("status") if cx.query("status") in STATUS_NAMES else "",
        region=cx.query("region"),
        category=cx.query("category")[:32],
        date_from=_date(cx.query("from")),
        date_to=_date(cx.query("to")),
        q=cx.query("q")[:40],
    )


def _row(cx: Cx, t: Ticket, day: dt.date) -> dict[str, object]:
    regions = cx.rt.ctx.regions
    return {
        "t": t,
        "sla": sla(t, day, cx.rt.ctx.deadlines.calendar),
        "phone": actions.masked(cx.rt, t)["phone"],
        "unit": regions.get(t.queue).name if t.queue in regions else t.queue,
        "region": regions.get(t.region_code).name
        if t.region_code and t.region_code in regions
        else "",
        "crisis": t.urgent or t.kind == "crisis",
        "mine": t.owner_id == cx.user.id,
    }


def queue(cx: Cx) -> Response:
    name = cx.param("view") or "unit"
    if name not in queues.VIEWS:
        name = "unit"
    f = filters(cx)
    regions = cx.rt.ctx.regions
    units = scope.units(regions, cx.user)
    subtree = regions.subtree(f.region) & units if f.region in regions else None
    day = cx.rt.clock.today()
    with transaction(cx.rt.sessions) as session:
        rows = queues.list_view(session, cx.user, units, name, f, cx.rt.vault, day, subtree)
        listed = [_row(cx, t, day) for t in rows]
    region_choices = [
        (r.code, regions.full_name(r.code))
        for r in regions
        if r.code in units and r.level in ("county", "town", "village")
    ]
    return render(
        cx,
        "queue.html",
        view=name,
        title=queues.VIEWS[name],
        rows=listed,
        f=f,
        kinds=KIND_NAMES,
        statuses=STATUS_NAMES,
        region_choices=sorted(region_choices),
        limit=queues.PAGE_SIZE,
    )


def home(cx: Cx) -> Response:
    """/staff: the unit queue (crisis first, nearest deadline next)."""
    return queue(cx)

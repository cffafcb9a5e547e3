"""Dashboard (统计) with SVG charts, and CSV exports for monthly/annual work reports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from bot.console import queues, scope, stats, svg
from bot.console.conversation_scope import ConversationScope
from bot.console.guard import Cx
from bot.console.views import KIND_NAMES, STATUS_NAMES, local_time, render
from db.models import Ticket
from db.session import transaction
from db.ticket_queries import deadline_of

DEFAULT_DAYS = 90
UNIT_LEVELS = ("province", "city", "county", "town")  # 村/社区 are counted in their town


def period(cx: Cx) -> tuple[dt.date, dt.date]:
    day = cx.rt.clock.today()
    try:
        end = dt.date.fromisoformat(cx.query("to")) if cx.query("to") else day
        start = (
            dt.date.fromisoformat(cx.query("from"))
            if cx.query("from")
            else end - dt.timedelta(days=DEFAULT_DAYS)
        )
    except ValueError:
        end, start = day, day - dt.timedelta(days=DEFAULT_DAYS)
    return (start, end) if start <= end else (end, start)


def _unit_name(cx: Cx, code: str) -> str:
    regions = cx.rt.ctx.regions
    return regions.get(code).name if code in regions else code


def presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """本月 / 上月 / 本季度 / 今年 / 近90天, as (label, from, to)."""
    month = today.replace(day=1)
    last_end = month - dt.timedelta(days=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return [
        ("本月", month, today),
        ("上月", last_end.replace(day=1), last_end),
        ("本季度", quarter, today),
        ("今年", today.replace(month=1, day=1), today),
        ("近90天", today - dt.timedelta(days=DEFAULT_DAYS), today),
    ]


def selected_units(cx: Cx) -> tuple[str | None, set[str]]:
    """The unit chosen on the page (a town station, the county …) and its subtree,
    within what the user may see; no choice: the user's whole scope."""
    regions = cx.rt.ctx.regions
    mine = scope.units(regions, cx.user)
    chosen = cx.query("unit")
    if chosen and chosen in regions and chosen in mine:
        return chosen, regions.subtree(chosen) & mine
    return None, mine


def unit_choices(cx: Cx) -> list[tuple[str, str]]:
    """Units with a dashboard of their own: the user's unit and the units below it
    down to the town stations (村/社区 are counted in their town)."""
    regions = cx.rt.ctx.regions
    mine = scope.units(regions, cx.user)
    keep = sorted(
        (c for c in mine if regions.get(c).level in UNIT_LEVELS), key=lambda c: (len(c), c)
    )
    return [(c, regions.full_name(c)) for c in keep]


def _open_overdue(cx: Cx, session: Session, chosen: str | None, units: set[str]) -> int:
    """The same count as the 已超期 queue (for a chosen unit: the tickets it handles)."""
    today = cx.rt.clock.today()
    stmt = (
        queues.base(cx.user, units)
        if chosen is None
        else select(Ticket).where(Ticket.queue.in_(units))
    )
    counted = queues.view(stmt, "overdue", cx.user, today)
    return int(session.scalar(counted.with_only_columns(func.count(Ticket.id))) or 0)


def _figures(cx: Cx) -> stats.Figures:
    """The period's figures for the chosen unit (default: the user's scope): tickets it
    handles or first received, veterans' questions by the veteran's region
    (bot/console/conversation_scope.py)."""
    start, end = period(cx)
    regions = cx.rt.ctx.regions
    chosen, units = selected_units(cx)
    veterans = ConversationScope(regions, frozenset(units))
    with transaction(cx.rt.sessions) as session:
        fig = stats.figures(session, units, start, end, cx.rt.clock.today(), veterans)
        fig.open_overdue = _open_overdue(cx, session, chosen, units)
        return fig


def page(cx: Cx) -> Response:
    fig = _figures(cx)
    charts = {
        "kind": svg.bars(
            [(KIND_NAMES.get(k, k), n) for k, n in fig.by_kind.most_common()], "按类型"
        ),
        "status": svg.bars(
            [(STATUS_NAMES.get(k, k), n) for k, n in fig.by_status.most_common()], "按状态"
        ),
        "unit": svg.bars(
            [(_unit_name(cx, k), n) for k, n in fig.by_unit.most_common(10)], "按承办单位"
        ),
        "origin": svg.bars(
            [(_unit_name(cx, k), n) for k, n in fig.by_origin.most_common(10)], "按首办单位"
        ),
        "satisfaction": svg.bars(
            [(k, fig.satisfaction.get(k, 0)) for k in ("满意", "基本满意", "不满意")], "满意度"
        ),
        "trend": svg.line([(f"{d:%m-%d}", n) for d, n in fig.trend], "超期工单趋势（每周末）"),
    }
    return render(
        cx,
        "dashboard.html",
        fig=fig,
        charts=charts,
        kinds=KIND_NAMES,
        statuses=STATUS_NAMES,
        unit_name=lambda c: _unit_name(cx, c),
        percent=stats.percent,
        presets=presets(cx.rt.clock.today()),
        units=unit_choices(cx),
        chosen=selected_units(cx)[0],
    )


def _safe(value: object) -> str:
    """No spreadsheet formulas from data (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv(rows: list[list[object]], name: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    body = "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 Chinese correctly
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def tickets_csv(cx: Cx) -> Response:
    """One line per ticket in the period (no personal data)."""
    start, end = period(cx)
    header: list[object] = [
        "编号",
        "类型",
        "状态",
        "紧急",
        "类别",
        "承办单位",
        "首办单位",
        "受理日期",
        "办理期限",
        "办结时间",
        "是否超期",
        "是否延期",
        "满意度",
    ]
    rows: list[list[object]] = [header]
    day = cx.rt.clock.today()
    with transaction(cx.rt.sessions) as session:
        listed = stats.tickets_in(session, selected_units(cx)[1], start, end)
        first = stats.origins(session, listed)
        for t in listed:
            late = stats.late(t, day)
            rows.append(
                [
                    t.number,
                    KIND_NAMES.get(t.kind, t.kind),
                    STATUS_NAMES.get(t.status, t.status),
                    "是" if t.urgent else "否",
                    t.category or "",
                    _unit_name(cx, t.queue),
                    _unit_name(cx, first[t.id]),
                    t.received_on,
                    deadline_of(t) or "",
                    local_time(t.closed_at),
                    "是" if late else "否",
                    "是" if t.extended else "否",
                    t.satisfaction or "",
                ]
            )
    return _csv(rows, f"tickets_{start}_{end}.csv")


def summary_csv(cx: Cx) -> Response:
    """The period's headline figures, one metric per line."""
    fig = _figures(cx)
    rows: list[list[object]] = [
        ["指标", "项目", "数值"],
        ["统计期间", "", f"{fig.start} 至 {fig.end}"],
        ["工单总数", "", fig.total],
    ]
    rows += [["按类型", KIND_NAMES.get(k, k), n] for k, n in fig.by_kind.most_common()]
    rows += [["按状态", STATUS_NAMES.get(k, k), n] for k, n in fig.by_status.most_common()]
    rows += [["按承办单位", _unit_name(cx, k), n] for k, n in fig.by_unit.most_common()]
    rows += [["按首办单位", _unit_name(cx, k), n] for k, n in fig.by_origin.most_common()]
    rows += [
        ["按期办结率", f"{fig.on_time}/{fig.done}", stats.percent(fig.sla_rate)],
        ["当前超期未办结", "", fig.open_overdue],
    ]
    rows += [["满意度", k, fig.satisfaction.get(k, 0)] for k in ("满意", "基本满意", "不满意")]
    rows += [
        ["群众来信（条）", "", fig.inbound],
        ["未能回答（条）", "", fig.unanswered],
        ["未回答率", "", stats.percent(fig.unanswered_rate)],
    ]
    rows += [["常见问题", q, n] for q, n in fig.top_questions]
    return _csv(rows, f"summary_{fig.start}_{fig.end}.csv")

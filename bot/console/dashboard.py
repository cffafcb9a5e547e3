"""Dashboard (统计) with SVG charts, and CSV exports for monthly/annual work reports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from starlette.responses import Response

from bot.console import scope, stats, svg
from bot.console.conversation_scope import ConversationScope
from bot.console.guard import Cx
from bot.console.views import KIND_NAMES, STATUS_NAMES, local_time, render
from db.session import transaction
from db.tickets import OPEN

DEFAULT_DAYS = 90


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


def _figures(cx: Cx) -> stats.Figures:
    """The period's figures within the user's region subtree: tickets by owning unit,
    veterans' questions by the veteran's region (bot/console/conversation_scope.py)."""
    start, end = period(cx)
    regions = cx.rt.ctx.regions
    units = scope.units(regions, cx.user)
    veterans = ConversationScope(regions, frozenset(units))
    with transaction(cx.rt.sessions) as session:
        return stats.figures(session, units, start, end, cx.rt.clock.today(), veterans)


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
        for t in stats.tickets_in(session, scope.units(cx.rt.ctx.regions, cx.user), start, end):
            closed = stats.local_day(t.closed_at)
            late = t.due_on is not None and (
                (closed or day) > t.due_on if t.status not in OPEN else day > t.due_on
            )
            rows.append(
                [
                    t.number,
                    KIND_NAMES.get(t.kind, t.kind),
                    STATUS_NAMES.get(t.status, t.status),
                    "是" if t.urgent else "否",
                    t.category or "",
                    _unit_name(cx, t.queue),
                    t.received_on,
                    t.due_on or "",
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
    rows += [
        ["按期办结率", f"{fig.on_time}/{fig.done}", f"{fig.sla_rate:.1%}"],
        ["当前超期未办结", "", fig.open_overdue],
    ]
    rows += [["满意度", k, fig.satisfaction.get(k, 0)] for k in ("满意", "基本满意", "不满意")]
    rows += [
        ["群众来信（条）", "", fig.inbound],
        ["未能回答（条）", "", fig.unanswered],
        ["未回答率", "", f"{fig.unanswered_rate:.1%}"],
    ]
    rows += [["常见问题", q, n] for q, n in fig.top_questions]
    return _csv(rows, f"summary_{fig.start}_{fig.end}.csv")

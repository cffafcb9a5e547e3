"""Rendering console pages: the template plus what every page shows (user, CSRF, queue counts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.console import queues, scope
from bot.console.guard import Cx
from db.session import transaction
from db.tickets import KIND_NAMES
from db.tickets import STATUS_NAMES as STATUS_LABELS
from knowledge.clock import CHINA
from knowledge.holidays import unknown_years

STATUS_NAMES = {**STATUS_LABELS, "closed": "已办结（关闭）"}
ACTION_NAMES = {
    "created": "创建",
    "claim": "认领",
    "reply": "回复群众",
    "note": "内部备注",
    "transfer": "转办",
    "escalate": "上报",
    "leader": "设置包案领导",
    "accept": "受理",
    "not_accept": "不予受理",
    "extend": "延期",
    "resolve": "办结",
    "close": "关闭",
    "reopen": "重新办理",
    "release": "交还机器人",
    "pii_reveal": "查看完整信息",
    "message": "群众留言",
    "end_handoff": "群众结束人工",
    "satisfaction": "满意度评价",
    "status": "状态变更",
}
SATISFACTION = ("满意", "基本满意", "不满意")


def local_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def env(cx: Cx) -> Environment:
    templates: Environment = cx.request.app.state.templates
    templates.filters.setdefault("kind_name", lambda k: KIND_NAMES.get(k, k))
    templates.filters.setdefault("status_name", lambda s: STATUS_NAMES.get(s, s))
    templates.filters.setdefault("local_time", local_time)
    templates.filters.setdefault("action_name", lambda a: ACTION_NAMES.get(a, a))
    return templates


def render(cx: Cx, name: str, status_code: int = 200, **context: Any) -> Response:
    with transaction(cx.rt.sessions) as session:
        counts = queues.counts(
            session, cx.user, scope.units(cx.rt.ctx.regions, cx.user), cx.rt.clock.today()
        )
    html = (
        env(cx)
        .get_template(f"staff/{name}")
        .render(
            user=cx.user,
            role_name=scope.ROLE_NAMES.get(cx.user.role, cx.user.role),
            csrf=cx.csrf,
            nav_counts=counts,
            views=queues.VIEWS,
            path=cx.request.url.path,
            flash=flash(cx),
            # a petition runs 60 days and may be extended by 30: its deadlines must be right
            calendar_gap=unknown_years(cx.rt.ctx.deadlines.calendar, cx.rt.clock.today(), 90),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


FLASH = {
    "claim": "已认领，您现在是此工单的负责人（首问负责）。",
    "reply": "回复已发送（经消息队列送达群众所用渠道）。",
    "note": "内部备注已保存。",
    "transfer": "已转办。",
    "escalate": "已上报上级单位。",
    "leader": "已设置包案领导。",
    "accept": "已受理，书面告知已发送。",
    "not_accept": "已作不予受理处理，书面告知已发送。",
    "extend": "已延期。",
    "resolve": "已办结，已向群众发送满意度评价。",
    "close": "已关闭。",
    "reopen": "已重新办理，期限重新计算。",
    "release": "已交还机器人。",
    "reveal": "已显示完整信息（此操作已记录）。",
    "consult": "已记录为咨询工单。",
    "kb": "知识库已更新，机器人已立即生效。",
    "password": "密码已修改，其他已登录的浏览器已退出。",
    "unlock": "已解锁。",
    "logout": "已结束该账户的全部会话。",
}


def flash(cx: Cx) -> str:
    return FLASH.get(cx.query("done"), "")


def back(url: str, done: str = "") -> Response:
    """After a POST: redirect (303) to a page, naming what was done (a fixed message)."""
    if done:
        url = f"{url}{'&' if '?' in url else '?'}done={done}"
    return RedirectResponse(url, status_code=303)

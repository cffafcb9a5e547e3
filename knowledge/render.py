"""Fill an answer template with the veteran's region settings (Jinja2, sandboxed)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, meta
from jinja2.sandbox import SandboxedEnvironment

from knowledge.kb import Entry
from knowledge.regions import RegionTree

LOCAL = "以当地公布为准"

#: The template variables an answer may use, with their safe default values.
DEFAULTS: dict[str, Any] = {
    "region": {"name": "当地", "code": ""},
    "station": {"name": "当地退役军人服务站", "address": LOCAL, "phone": LOCAL, "hours": LOCAL},
    "bureau": {"name": "当地退役军人事务局", "address": LOCAL, "phone": LOCAL},
    "petition_office": {"name": "当地退役军人事务局信访接待部门", "phone": LOCAL},
    "pension_pay_day": "具体发放日期以当地退役军人服务站公布为准",
    "survival_cert": {
        "deadline": "以当地退役军人服务站通知为准",
        "online": "当地公布的App或小程序",
    },
    "card_photo": "352×440像素、300DPI、JPG格式、20–50KB，白底免冠，不得穿制式服装",
    "card_benefits": "具体优待项目以本省公布的优待目录为准",
    "merchants": "双拥商户名单和优惠幅度以当地公布为准",
    "one_thing_name": "退役军人服务“一件事”",
    "loan": "创业担保贷款额度和贴息以当地公布为准",
}
ALLOWED = frozenset(DEFAULTS)


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


def variables(template: str) -> set[str]:
    """Top-level variable names a template uses (for the linter)."""
    return set(meta.find_undeclared_variables(_env().parse(template)))


def context_for(regions: RegionTree, code: str | None) -> dict[str, Any]:
    code = code if code and code in regions else regions.default_code
    ctx: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for key, value in regions.settings(code).items():
        if isinstance(value, dict) and isinstance(ctx.get(key), dict):
            ctx[key] = {**ctx[key], **value}
        else:
            ctx[key] = value
    ctx["region"] = {"name": regions.full_name(code) or regions.get(code).name, "code": code}
    return ctx


@lru_cache(maxsize=4096)
def _compiled(template: str) -> Template:
    return _env().from_string(template)


def render_text(template: str, ctx: dict[str, Any]) -> str:
    return _compiled(template).render(**ctx).strip()


def foreign_context(place: str) -> dict[str, Any]:
    """Template values for a place we hold no settings for ("北京的…"): its own bureau by
    name, every number, address and date left to what that place publishes."""
    ctx: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    ctx["region"] = {"name": place, "code": ""}
    ctx["bureau"] = {"name": f"{place}退役军人事务局", "address": LOCAL, "phone": LOCAL}
    ctx["station"] = {
        "name": f"{place}当地的退役军人服务站",
        "address": LOCAL,
        "phone": LOCAL,
        "hours": LOCAL,
    }
    ctx["petition_office"] = {"name": f"{place}退役军人事务局信访接待部门", "phone": LOCAL}
    return ctx


def render_answer(
    entry: Entry, regions: RegionTree, code: str | None, place: str | None = None
) -> str:
    """The entry's answer for the veteran's region; for ``place`` (another place the
    question names) with that place's bureau by name and no numbers of ours."""
    code = code if code and code in regions else regions.default_code
    chain = [r.code for r in regions.chain(code)]
    if place:
        return _rendered_for_place(entry.answer, place)
    return _rendered(entry.answer_for(chain), regions, code)


@lru_cache(maxsize=1024)
def _rendered_for_place(template: str, place: str) -> str:
    return render_text(template, foreign_context(place))


@lru_cache(maxsize=4096)
def _rendered(template: str, regions: RegionTree, code: str) -> str:
    """Answers are the same for every veteran of a region: render each once."""
    return render_text(template, context_for(regions, code))

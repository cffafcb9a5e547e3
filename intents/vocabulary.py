"""The words the engine, the ticket service and the console share: what a message was
understood as (intent), what kind of ticket it opens, and the stage of a petition.

They are ``StrEnum``s, so they are stored, logged and compared as the plain strings
they always were (``"petition"``), and mypy catches a misspelt one."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What the bot made of a message (``Understanding.intent``, ``vetbot ask --json``)."""

    CRISIS = "crisis"
    HANDOFF = "handoff"
    PETITION = "petition"
    CARD = "card"
    SURVIVAL_CERT = "survival_cert"
    GREETING = "greeting"
    OUT_OF_SCOPE = "out_of_scope"
    FAQ = "faq"
    UNKNOWN = "unknown"
    RATE_LIMITED = "rate_limited"  # sent too fast: the shell answered without the engine


class TicketKind(StrEnum):
    """工单 types; each has its number prefix (``db.tickets.PREFIX``) and deadline."""

    PETITION = "petition"  # 信访 (《信访工作条例》 deadlines)
    CONSULTATION = "consultation"  # 咨询
    HOME_VISIT = "home_visit"  # 上门认证/上门办理
    CARD_PREAPP = "card_preapp"  # 优待证预申请
    STATUS_REQUEST = "status_request"  # 进度查询
    CALLBACK = "callback"  # 回电
    CRISIS = "crisis"  # 紧急 (self-harm, harm to others, crowd)


class Stage(StrEnum):
    """Where a petition is: first handling, 复查 (第三十五条) or 复核 (第三十六条)."""

    INITIAL = "initial"
    REVIEW = "review"
    RECHECK = "recheck"

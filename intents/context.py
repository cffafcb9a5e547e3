"""What ``step`` may consult besides the state: KB, index, regions, settings, clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from intents.deadlines import STATUTORY, Deadlines
from intents.vocabulary import Stage
from knowledge.index import Index
from knowledge.kb import KnowledgeBase
from knowledge.regions import RegionTree

if TYPE_CHECKING:  # flows read the context: only the type is needed here
    from intents.flows.base import Flow


@dataclass(frozen=True)
class TicketStatus:
    number: str
    status: str  # human-readable, e.g. 已受理
    unit: str  # the owning unit (承办单位)
    due: dt.date | None


@dataclass(frozen=True)
class PetitionCase:
    """Where a petition stands for 复查/复核: its latest step (a 复查 already asked for
    stands in for the petition it challenges)."""

    number: str  # the latest step's ticket (受理编号)
    stage: Stage
    status: str  # human-readable, e.g. 已受理
    open: bool  # work still owed (no reply yet, deadlines run)
    replied_on: dt.date | None  # 书面答复; None while it is still handled
    due: dt.date | None  # while open: when the written answer is due, once known
    next_stage: Stage | None  # None: 复核 done, 不再受理
    next_unit: str  # the level above, who would handle 复查/复核


class LookupLocked(Exception):
    """Too many wrong lookup codes for this ticket number lately, from any conversation:
    the number is not looked up at all until the window has passed."""


class TicketDirectory(Protocol):
    """Lookup the shell lends to the engine (查询进度, 复查/复核). Both methods may raise
    ``LookupLocked``; a wrong pair is counted against the ticket number."""

    def status(self, number: str, lookup_code: str) -> TicketStatus | None: ...

    def petition_case(self, number: str, lookup_code: str) -> PetitionCase | None: ...


@dataclass(frozen=True)
class Context:
    kb: KnowledgeBase
    index: Index
    regions: RegionTree
    threshold: float = 0.4  # answer only at or above this confidence
    suggest_floor: float = 0.25  # below this, do not even suggest topics
    idle_resume_hours: int = 24
    deadlines: Deadlines = STATUTORY  # days off (chinese-calendar + config/holidays.yaml), shift
    tickets: TicketDirectory | None = None
    flows: Mapping[str, Flow] = field(default_factory=dict)

    @property
    def default_region(self) -> str:
        return self.regions.default_code

"""Which veterans' conversations a staff member's figures count (辖区 of a conversation).

A conversation's region is the veteran's region (``Conversation.region_code``, copied
from the state once the veteran names their town or village, in a flow or when a
ticket is opened). Until then the bot answers for the default region, and the
conversation counts there too. So a town station sees the questions of its own
veterans; the county sees its towns' plus those of veterans whose town is not known.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func

from db.models import Conversation
from knowledge.regions import RegionTree


@dataclass(frozen=True)
class ConversationScope:
    """The conversations of veterans in ``units`` (a staff member's region subtree)."""

    regions: RegionTree
    units: frozenset[str]

    @property
    def everywhere(self) -> bool:
        """The whole tree: no condition needed."""
        return all(r.code in self.units for r in self.regions)

    def condition(self) -> ColumnElement[bool] | None:
        """A WHERE clause on ``Conversation`` (None: every conversation counts)."""
        if self.everywhere:
            return None
        region = func.coalesce(Conversation.region_code, self.regions.default_code)
        return region.in_(sorted(self.units))

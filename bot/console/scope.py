"""Who may see and do what: roles, each scoped to a region subtree.

A town station's staff see tickets whose owning unit (queue) lies in their town;
a county officer sees the county and every town below it. Besides the scope,
首问负责 applies: only the ticket's owner (or a supervisor and above) acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Ticket
from knowledge.regions import RegionTree

RANK = {"staff": 0, "supervisor": 1, "leader": 2, "admin": 3}
ROLE_NAMES = {"staff": "工作人员", "supervisor": "科室负责人", "leader": "领导", "admin": "管理员"}


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member (a detached copy of the row)."""

    id: int
    username: str
    display_name: str
    role: str
    region_code: str

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    def at_least(self, role: str) -> bool:
        return RANK.get(self.role, -1) >= RANK[role]


def units(regions: RegionTree, user: StaffUser) -> set[str]:
    """Region codes whose queues the user works on (their subtree)."""
    if user.region_code not in regions:
        return set()
    return regions.subtree(user.region_code)


def can_view(regions: RegionTree, user: StaffUser, ticket: Ticket) -> bool:
    if ticket.owner_id == user.id or ticket.leader_id == user.id:
        return True
    return ticket.queue in units(regions, user)


def can_act(user: StaffUser, ticket: Ticket) -> bool:
    """首问负责: the owner acts; supervisors and above may act for their unit."""
    return ticket.owner_id == user.id or user.at_least("supervisor")


def can_claim(user: StaffUser, ticket: Ticket) -> bool:
    return ticket.owner_id is None or (ticket.owner_id != user.id and user.at_least("supervisor"))


def can_reveal(user: StaffUser, ticket: Ticket) -> bool:
    """显示完整信息: the owner (to call back) and supervisors and above."""
    return ticket.owner_id == user.id or user.at_least("supervisor")


def transfer_targets(regions: RegionTree, user: StaffUser) -> list[tuple[str, str]]:
    """Units a ticket can be handed to: every unit of the user's county (or their own subtree above it)."""
    if user.region_code not in regions:
        return []
    county = regions.ancestor(user.region_code, "county")
    root = county.code if county else user.region_code
    codes = regions.subtree(root)
    out = [
        (r.code, regions.full_name(r.code) or r.name)
        for r in regions
        if r.code in codes and r.level in ("county", "town")
    ]
    return sorted(out)

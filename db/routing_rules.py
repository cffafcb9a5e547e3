"""Routing rules stored in the database: staff can change routing without a deploy."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RoutingRule


def active(session: Session) -> list[RoutingRule]:
    stmt = (
        select(RoutingRule)
        .where(RoutingRule.active.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return list(session.scalars(stmt))


def add(
    session: Session,
    queue: str,
    name: str = "",
    region: str | None = None,
    kinds: Iterable[str] = (),
    categories: Iterable[str] = (),
    position: int = 100,
) -> RoutingRule:
    rule = RoutingRule(
        queue=queue,
        name=name,
        region=region,
        kinds=",".join(kinds),
        categories=",".join(categories),
        position=position,
    )
    session.add(rule)
    session.flush()
    return rule


def deactivate(session: Session, rule_id: int) -> bool:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        return False
    rule.active = False
    return True

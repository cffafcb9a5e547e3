"""Routing rules kept in the database (on top of config/routing.yaml)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamped


class RoutingRule(Timestamped, Base):
    """region subtree × ticket types × categories → queue; lower position wins first."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=100)
    name: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str | None] = mapped_column(String(32), default=None)
    kinds: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    categories: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    queue: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)

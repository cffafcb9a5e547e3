"""查询进度 over the DB: the ``TicketDirectory`` the shell lends the engine for one
step. A status is told only for the right number *and* lookup code."""

from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from bot.routing import unit_name
from db import tickets
from db.crypto import PiiVault
from db.ticket_queries import deadline_of
from intents.context import TicketStatus
from knowledge.regions import RegionTree


class DbTicketDirectory:
    def __init__(self, session: Session, vault: PiiVault, regions: RegionTree) -> None:
        self._session = session
        self._vault = vault
        self._regions = regions

    def status(self, number: str, lookup_code: str) -> TicketStatus | None:
        ticket = tickets.by_number(self._session, number.strip().upper())
        given = self._vault.hash(lookup_code)
        if (
            ticket is None
            or not ticket.lookup_hash
            or not given
            or not hmac.compare_digest(ticket.lookup_hash, given)
        ):
            return None
        return TicketStatus(
            number=ticket.number,
            status=tickets.STATUS_NAMES.get(ticket.status, ticket.status),
            unit=unit_name(self._regions, ticket.queue),
            due=deadline_of(ticket) if ticket.status in tickets.OPEN else None,
        )

"""查询进度 over the DB: the ``TicketDirectory`` the shell lends the engine for one
step. A ticket is told only for the right number *and* lookup code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.tickets.follow_up import petition_case
from bot.tickets.routing import unit_name
from db import tickets
from db.crypto import PiiVault
from db.models import Ticket
from db.ticket_queries import deadline_of
from intents.context import PetitionCase, TicketStatus
from knowledge.regions import RegionTree


def verified(session: Session, vault: PiiVault, number: str, lookup_code: str) -> Ticket | None:
    """The ticket with this number, only when the lookup code matches it."""
    ticket = tickets.by_number(session, number.strip().upper())
    if ticket is None or not vault.matches(lookup_code, ticket.lookup_hash):
        return None
    return ticket


class DbTicketDirectory:
    def __init__(self, session: Session, vault: PiiVault, regions: RegionTree) -> None:
        self._session = session
        self._vault = vault
        self._regions = regions

    def status(self, number: str, lookup_code: str) -> TicketStatus | None:
        ticket = verified(self._session, self._vault, number, lookup_code)
        if ticket is None:
            return None
        return TicketStatus(
            number=ticket.number,
            status=tickets.STATUS_NAMES.get(ticket.status, ticket.status),
            unit=unit_name(self._regions, ticket.queue),
            due=deadline_of(ticket) if ticket.status in tickets.OPEN else None,
        )

    def petition_case(self, number: str, lookup_code: str) -> PetitionCase | None:
        """复查/复核: where the petition with this number and code stands."""
        ticket = verified(self._session, self._vault, number, lookup_code)
        if ticket is None or ticket.kind != "petition":
            return None
        return petition_case(self._session, self._regions, ticket)

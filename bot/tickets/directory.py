"""查询进度 over the DB: the ``TicketDirectory`` the shell lends the engine for one
step. A ticket is told only for the right number *and* lookup code.

Wrong codes are counted per ticket number in the database (``rate_counts``), whoever
asks: after ``MAX_FAILURES`` in the hour the number is locked (``LookupLocked``) for
everyone, so fresh conversations (a new web-chat cookie, another openid) cannot keep
guessing. The conversation's own count (``intents.flows.lookup``) still applies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.tickets.follow_up import petition_case
from bot.tickets.routing import unit_name
from db import guards, tickets
from db.crypto import PiiVault
from db.models import Ticket
from db.ticket_queries import deadline_of
from intents.context import LookupLocked, PetitionCase, TicketStatus
from intents.flows.lookup import MAX_FAILURES, WINDOW
from knowledge.regions import RegionTree

LOCK_SCOPE = "lookup"


def verified(session: Session, vault: PiiVault, number: str, lookup_code: str) -> Ticket | None:
    """The ticket with this number, only when the lookup code matches it."""
    ticket = tickets.by_number(session, number.strip().upper())
    if ticket is None or not vault.matches(lookup_code, ticket.lookup_hash):
        return None
    return ticket


class DbTicketDirectory:
    def __init__(
        self, session: Session, vault: PiiVault, regions: RegionTree, at: dt.datetime
    ) -> None:
        self._session = session
        self._vault = vault
        self._regions = regions
        self._at = at  # when the message asking arrived (``Inbound.at``)

    def _verified(self, number: str, lookup_code: str) -> Ticket | None:
        """``verified``, with the per-number lock and count of wrong pairs."""
        key, now, window = number.strip().upper(), self._at, int(WINDOW.total_seconds())
        if guards.hits(self._session, LOCK_SCOPE, key, now, window) >= MAX_FAILURES:
            raise LookupLocked(key)
        ticket = verified(self._session, self._vault, key, lookup_code)
        if ticket is None:
            guards.hit(self._session, LOCK_SCOPE, key, now, window)
        return ticket

    def status(self, number: str, lookup_code: str) -> TicketStatus | None:
        ticket = self._verified(number, lookup_code)
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
        ticket = self._verified(number, lookup_code)
        if ticket is None or ticket.kind != "petition":
            return None
        return petition_case(self._session, self._regions, ticket)

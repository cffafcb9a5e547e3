"""Same person, same matter? (重复信访): an open petition of the same person (keyed
ID-number hash, or phone hash) in the same category, received within 90 days,
whose description is similar (rapidfuzz over jieba tokens) is the same case.
Different people are never merged: two different ID numbers on one family phone
are two people."""

from __future__ import annotations

import datetime as dt
import json

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from db.crypto import PiiVault
from db.models import Ticket
from db.ticket_queries import same_person_open
from knowledge.text import normalize, words

WINDOW = dt.timedelta(days=90)
SIMILAR = 60.0  # token-set similarity (0-100) at or above which two descriptions are one matter
_FILLER = frozenset("一直 没有 没 不 我们 他们 已经 还是 现在 希望 要求".split())


def tokens(text: str) -> str:
    return " ".join(sorted({w for w in words(normalize(text)) if w not in _FILLER}))


def similarity(a: str, b: str) -> float:
    return float(fuzz.token_set_ratio(tokens(a), tokens(b)))


def description(ticket: Ticket) -> str:
    details = json.loads(ticket.details_json or "{}")
    return f"{details.get('facts', '')} {details.get('request', '')}".strip() or ticket.summary


def same_person(
    ticket: Ticket, id_hash: str | None, phone_hash: str | None, name: str | None, vault: PiiVault
) -> bool:
    if id_hash and ticket.id_hash:
        return ticket.id_hash == id_hash
    if phone_hash and ticket.phone_hash == phone_hash:
        return bool(name) and vault.decrypt(ticket.name_enc) == name
    return False


def find(
    session: Session,
    vault: PiiVault,
    pii: dict[str, str],
    category: str | None,
    text: str,
    today: dt.date,
) -> Ticket | None:
    """The open petition this one duplicates, if any."""
    id_hash, phone_hash = vault.hash(pii.get("id_number")), vault.hash(pii.get("phone"))
    for ticket in same_person_open(session, "petition", id_hash, phone_hash, today - WINDOW):
        if not same_person(ticket, id_hash, phone_hash, pii.get("name"), vault):
            continue
        if category and ticket.category and category != ticket.category:
            continue
        if similarity(description(ticket), text) >= SIMILAR:
            return ticket
    return None

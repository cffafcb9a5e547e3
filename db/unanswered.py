"""Questions the bot could not answer, for KB curators."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.crypto import redact
from db.models import Unanswered


def record(
    session: Session, text: str, confidence: float, candidates: tuple[str, ...], channel: str
) -> None:
    """Remember a question for curators, with ID numbers and phones masked (what a
    curator needs is the question, never the person)."""
    session.add(
        Unanswered(
            text=redact(text[:1000]),
            confidence=confidence,
            candidates=",".join(candidates),
            channel=channel,
        )
    )


def counts(session: Session, limit: int = 100) -> list[tuple[str, int, float]]:
    """(text, times asked, best confidence) of open questions, most asked first."""
    stmt = (
        select(Unanswered.text, func.count(), func.max(Unanswered.confidence))
        .where(Unanswered.resolved_entry_id.is_(None))
        .group_by(Unanswered.text)
        .order_by(func.count().desc(), Unanswered.text)
        .limit(limit)
    )
    return [(t, int(n), float(c or 0)) for t, n, c in session.execute(stmt)]

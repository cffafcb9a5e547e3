"""Curated KB versions (kb_edits): record one, read the newest of each entry, and tell
the other hosts (PostgreSQL NOTIFY on ``vetbot_kb``; others poll ``version``)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from db.models import KBEdit

CHANNEL = "vetbot_kb"


def record(
    session: Session,
    entry_id: str,
    file: str,
    action: str,
    actor: str,
    before_yaml: str,
    after_yaml: str,
) -> KBEdit:
    """A new version of ``entry_id``; every host applies it after the commit."""
    edit = KBEdit(
        entry_id=entry_id,
        file=file,
        action=action,
        actor=actor,
        before_yaml=before_yaml,
        after_yaml=after_yaml,
    )
    session.add(edit)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":  # delivered at commit, to every host
        session.execute(text("SELECT pg_notify(:c, :v)"), {"c": CHANNEL, "v": str(edit.id)})
    return edit


def version(session: Session) -> int | None:
    """The newest version number (0: none yet; None: the table is not there — an
    unmigrated database, e.g. `vetbot ask` on a fresh machine)."""
    try:
        return int(session.scalar(select(func.coalesce(func.max(KBEdit.id), 0))) or 0)
    except (OperationalError, ProgrammingError):
        session.rollback()
        return None


def newest(session: Session, up_to: int | None = None) -> list[KBEdit]:
    """The newest version of each edited entry (at ``up_to``: as the KB was then)."""
    latest = select(KBEdit.entry_id, func.max(KBEdit.id).label("id")).group_by(KBEdit.entry_id)
    if up_to is not None:
        latest = latest.where(KBEdit.id <= up_to)
    ids = latest.subquery()
    return list(
        session.scalars(select(KBEdit).join(ids, KBEdit.id == ids.c.id).order_by(KBEdit.id))
    )


def history(session: Session, entry_id: str) -> list[KBEdit]:
    return list(
        session.scalars(select(KBEdit).where(KBEdit.entry_id == entry_id).order_by(KBEdit.id))
    )

"""复查 / 复核 (《信访工作条例》第三十五、三十六条): follow-up tickets linked to the
petition they challenge. Deadlines are passed in by the caller (``bot.tickets.follow_up``)."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from db.models import Ticket
from db.tickets import NewTicket, TicketError, log, next_number

NEXT_STAGE = {"initial": "review", "review": "recheck"}


def follow_up_stage(parent: Ticket) -> str:
    """The stage a follow-up of ``parent`` would have, or why there can be none."""
    if parent.kind != "petition":
        raise TicketError("only petitions have 复查/复核")
    if parent.status not in ("replied", "closed") or parent.replied_on is None:
        raise TicketError("复查/复核 follows a written reply")
    stage = NEXT_STAGE.get(parent.stage)
    if stage is None:
        raise TicketError("复核之后，同一事项以同一事实和理由提出的不再受理（第三十六条）")
    return stage


def open_follow_up(session: Session, parent: Ticket, new: NewTicket, actor: str = "bot") -> Ticket:
    """A 复查 (or 复核) request as a new ticket linked to the one it challenges.
    The person's encrypted data is carried over unchanged."""
    stage = follow_up_stage(parent)
    child = Ticket(
        number=next_number(session, "petition", new.received_on),
        kind="petition",
        status="new",
        category=parent.category,
        summary=new.summary,
        details_json=json.dumps(new.details or {}, ensure_ascii=False),
        region_code=parent.region_code,
        queue=new.queue,
        conversation_id=parent.conversation_id,
        parent_id=parent.id,
        name_enc=parent.name_enc,
        id_number_enc=parent.id_number_enc,
        phone_enc=parent.phone_enc,
        id_hash=parent.id_hash,
        phone_hash=parent.phone_hash,
        lookup_hash=parent.lookup_hash,
        received_on=new.received_on,
        due_on=new.due_on,
        stage=stage,
    )
    session.add(child)
    session.flush()
    log(
        session,
        child,
        actor,
        "created",
        parent.number,
        new.queue,
        f"{stage} of {parent.number}: {new.summary[:400]}",
    )
    log(session, parent, actor, "follow_up", None, child.number, stage)
    return child

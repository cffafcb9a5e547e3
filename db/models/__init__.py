"""All tables. Import models from here."""

from db.models.base import Base, utcnow
from db.models.conversation import Conversation, InboundReceipt, Message
from db.models.guard import RateCount, SeenNonce
from db.models.inbox import InboxMessage
from db.models.kb import KBEdit, KBFeedback, Unanswered
from db.models.outbox import ApiToken, OutboxMessage
from db.models.routing import RoutingRule
from db.models.staff import AuditLog, Staff, StaffLinkCode
from db.models.ticket import Counter, Ticket, TicketEvent

__all__ = [
    "ApiToken",
    "AuditLog",
    "Base",
    "Conversation",
    "Counter",
    "InboundReceipt",
    "InboxMessage",
    "KBEdit",
    "KBFeedback",
    "Message",
    "OutboxMessage",
    "RateCount",
    "RoutingRule",
    "SeenNonce",
    "Staff",
    "StaffLinkCode",
    "Ticket",
    "TicketEvent",
    "Unanswered",
    "utcnow",
]

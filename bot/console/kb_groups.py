"""Unanswered questions grouped by similarity, so curators fix the most asked first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Unanswered
from knowledge.text import normalize, tokenize

SIMILAR = 62  # rapidfuzz token-set score (0–100) to join a group
FETCH = 500


@dataclass
class Group:
    texts: list[tuple[str, int]] = field(default_factory=list)  # (question, times asked)
    confidence: float = 0.0  # best confidence the bot had
    candidates: Counter[str] = field(default_factory=Counter)  # entry ids the bot half-matched
    key: str = ""

    @property
    def total(self) -> int:
        return sum(n for _, n in self.texts)

    @property
    def label(self) -> str:
        return self.texts[0][0] if self.texts else ""

    @property
    def suggested(self) -> str:
        return self.candidates.most_common(1)[0][0] if self.candidates else ""


def _key(text: str) -> str:
    norm = normalize(text)
    return " ".join(tokenize(norm)) or norm


def open_questions(session: Session) -> list[tuple[str, int, float, str]]:
    stmt = (
        select(
            Unanswered.text,
            func.count(),
            func.max(Unanswered.confidence),
            func.max(Unanswered.candidates),
        )
        .where(Unanswered.resolved_entry_id.is_(None))
        .group_by(Unanswered.text)
        .order_by(func.count().desc(), Unanswered.text)
        .limit(FETCH)
    )
    return [(t, int(n), float(c or 0), str(cand or "")) for t, n, c, cand in session.execute(stmt)]


def group(rows: list[tuple[str, int, float, str]], threshold: int = SIMILAR) -> list[Group]:
    """Greedy clustering: each question joins the first group whose leader it resembles."""
    groups: list[Group] = []
    for text, n, confidence, candidates in rows:
        key = _key(text)
        home = next((g for g in groups if fuzz.token_set_ratio(key, g.key) >= threshold), None)
        if home is None:
            home = Group(key=key)
            groups.append(home)
        home.texts.append((text, n))
        home.confidence = max(home.confidence, confidence)
        home.candidates.update({c: n for c in candidates.split(",") if c})
    return sorted(groups, key=lambda g: -g.total)


def mark_resolved(session: Session, texts: list[str], entry_id: str) -> None:
    for row in session.scalars(
        select(Unanswered).where(Unanswered.text.in_(texts), Unanswered.resolved_entry_id.is_(None))
    ):
        row.resolved_entry_id = entry_id


def unanswered_rate(session: Session, inbound: int) -> float:
    total = int(session.scalar(select(func.count(Unanswered.id))) or 0)
    return total / inbound if inbound else 0.0

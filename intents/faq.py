"""Answering from the KB: retrieval, confidence, and the sourced reply text."""

from __future__ import annotations

from dataclasses import dataclass

from intents.compose import compose, with_sources
from intents.context import Context
from intents.turn import Reply
from knowledge.index import Hit
from knowledge.kb import Entry


@dataclass(frozen=True)
class Answer:
    best: Hit | None
    hits: tuple[Hit, ...]
    confident: bool

    @property
    def confidence(self) -> float:
        return self.best.score if self.best else 0.0


def lookup(text: str, ctx: Context) -> Answer:
    hits = tuple(ctx.index.search(text, limit=3))
    best = hits[0] if hits else None
    return Answer(best, hits, bool(best and best.score >= ctx.threshold))


def entry_reply(entry: Entry, ctx: Context, region: str | None, aspect: str | None = None) -> Reply:
    """The entry's answer, opening with its facet for ``aspect`` when it has one."""
    return reply_and_sources(entry, ctx, region, aspect)[0]


def reply_and_sources(
    entry: Entry, ctx: Context, region: str | None, aspect: str | None = None
) -> tuple[Reply, tuple[str, ...]]:
    """The reply and the sources it cites (a facet's own first)."""
    composed = compose(entry, ctx.regions, region, aspect)
    return Reply(with_sources(composed.text, composed.sources)), composed.sources


def topic_label(entry: Entry) -> str:
    """A short label for offering an entry as a numbered choice."""
    return entry.questions[0] if entry.questions else entry.id

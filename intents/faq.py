"""Answering from the KB: retrieval weighed by what was asked, the aspect check, and the
sourced reply text.

The aspect check (DESIGN.md Understanding): a question asking a specific fact (a fee, a
sum, a time, the papers, the office) is answered only by an entry that holds it — in a
facet or in its general answer. When the best entry lacks it, a close runner-up that holds
it is answered instead; otherwise the bot says plainly it has no exact rule (``gap``)
rather than return the general summary as if it answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intents import asking
from intents.compose import compose, with_sources
from intents.context import Context
from intents.turn import Reply
from knowledge import aspect
from knowledge.index import Hit
from knowledge.kb import Entry
from knowledge.render import render_answer

#: a runner-up this close to the best that holds the asked fact is answered instead
CLOSE = 0.02
#: the matched phrasing must be this close for an entry's bare "可以。/不能。" opener to stay
OPENER_MATCH = 0.6


@dataclass(frozen=True)
class Asked:
    """What the question asks about its topic (knowledge/aspect.py)."""

    aspects: tuple[str, ...] = ()  # every aspect named, most specific first
    checked: tuple[str, ...] = ()  # those the answer must hold the fact for
    yes_no: bool = False

    @classmethod
    def read(cls, text: str) -> Asked:
        first = asking.first_question(text)  # a second question gets its own answer …
        found = aspect.detect(first)
        # … but the first answer may open with a facet for what the message asks after it
        named = tuple(dict.fromkeys((*found, *aspect.detect(text))))
        return cls(named, aspect.checked(found, first), "yesno" in found)


@dataclass(frozen=True)
class Answer:
    best: Hit | None
    hits: tuple[Hit, ...]
    confident: bool
    asked: Asked = field(default_factory=Asked)
    gap: bool = False  # confident about the topic, but the entry lacks the asked fact

    @property
    def confidence(self) -> float:
        return self.best.score if self.best else 0.0


def lookup(text: str, ctx: Context, asked: Asked | None = None) -> Answer:
    asked = asked or Asked()
    hits = tuple(ctx.index.search(text, 3, aspects=asked.aspects, needs=asked.checked))
    best = hits[0] if hits else None
    confident = bool(best and best.score >= ctx.threshold)
    if not (best and confident) or serves(best.entry, asked, ctx):
        return Answer(best, hits, confident, asked)
    for hit in hits[1:]:
        if hit.score >= max(ctx.threshold, best.score - CLOSE) and serves(hit.entry, asked, ctx):
            rest = tuple(h for h in hits if h is not hit)
            return Answer(hit, (hit, *rest), True, asked)
    return Answer(best, hits, confident, asked, gap=True)


def serves(entry: Entry, asked: Asked, ctx: Context) -> bool:
    """Does the entry hold what the question asks (any of its checked aspects)?"""
    if not asked.checked or entry.intent == "out_of_scope":
        return True
    if any(entry.facet(a) for a in asked.checked):
        return True
    text = render_answer(entry, ctx.regions, None)
    return any(aspect.answers(a, text) for a in asked.checked)


def keeps_opener(asked: Asked, hit: Hit | None) -> bool:
    """A bare "可以。/不能。/有。" opener answers only the entry's own yes/no question: the
    question is a yes/no one and matches one of the entry's phrasings closely."""
    if hit is None:
        return True  # the entry was chosen by name (a numbered option): its own question
    return asked.yes_no and hit.score >= OPENER_MATCH and "yesno" in aspect.detect(hit.phrasing)


def entry_reply(
    entry: Entry,
    ctx: Context,
    region: str | None,
    asked: Asked | None = None,
    hit: Hit | None = None,
    place: str | None = None,
) -> Reply:
    return reply_and_sources(entry, ctx, region, asked, hit, place)[0]


def reply_and_sources(
    entry: Entry,
    ctx: Context,
    region: str | None,
    asked: Asked | None = None,
    hit: Hit | None = None,
    place: str | None = None,
) -> tuple[Reply, tuple[str, ...]]:
    """The reply (the asked aspect first when the entry has a facet for it) and the
    sources it cites (a facet's own first); ``place``: another place the question names."""
    asked = asked or Asked()
    opener = keeps_opener(asked, hit)
    composed = compose(entry, ctx.regions, region, asked.aspects, opener, place)
    return Reply(with_sources(composed.text, composed.sources)), composed.sources


def topic_label(entry: Entry) -> str:
    """A short label for offering an entry as a numbered choice."""
    return entry.questions[0] if entry.questions else entry.id

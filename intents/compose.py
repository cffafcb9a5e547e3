"""The reply text for a KB entry, shaped by what was asked (DESIGN.md Understanding).

- The asked aspect first: the entry's facet for it (one or two lines), then the entry's
  general answer shortened as context.
- A bare "可以。/不能。/有。/算。" opener is kept only when the question is that entry's
  own yes/no question; otherwise the reply opens with the subject.
- Sources: the facet's own, then the entry's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.kb import Entry, Facet
from knowledge.regions import RegionTree
from knowledge.render import context_for, foreign_context, render_answer, render_text

CONTEXT_LINES = 6  # lines of the general answer kept under a facet
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_STEP = re.compile(r"^\s*\d+[.、．)）]")  # "1. …": a step is never dropped from its list
SAID_ALREADY = 70  # a context line this similar to the facet's lines repeats them
MAX_FACETS = 2  # "收费吗？去哪办？": both facets, in the order asked
LOCAL_WORDS = (
    "以当地",
    "当地公布",
    "当地规定",
    "各地",
    "各省",
    "由省",
    "本地区",
    "当地退役军人",
    "公布为准",
)
#: the yes/no words an answer may open with ("可以。军休干部属于退役军人…")
OPENER = re.compile(
    r"^(可以|不可以|不能|能|不行|行|有|没有|算|不算|是的|是|不是|会|不会|需要|不需要|"
    r"不用|要|不要|必须|对|不对)[。，,！!；;]\s*"
)


@dataclass(frozen=True)
class Composed:
    text: str
    sources: tuple[str, ...]
    facet: Facet | None = None


def compose(
    entry: Entry,
    regions: RegionTree,
    region: str | None,
    aspects: tuple[str, ...] = (),
    keep_opener: bool = True,
    place: str | None = None,
) -> Composed:
    """The reply body (without the sources line) for ``entry`` asked about ``aspects``;
    ``place``: another place the question names, whose bureau decides the local part."""
    general = render_answer(entry, regions, region, place)
    if not keep_opener:
        general = strip_opener(general)
    facets = [f for f in (entry.facet(a) for a in aspects) if f is not None][:MAX_FACETS]
    if not facets:
        return Composed(_elsewhere(general, place), entry.sources)
    lead = "\n".join(facet_text(f, regions, region, place) for f in facets)
    if not keep_opener and facets[0].aspect != "yesno":  # a yes/no facet is asked for
        lead = strip_opener(lead)
    context = shorten(strip_opener(general), lead)
    text = _elsewhere(lead + ("\n" + context if context else ""), place)
    own = (s for f in facets for s in entry.facet_sources(f))
    return Composed(text, tuple(dict.fromkeys((*own, *entry.sources))), facets[0])


def _elsewhere(text: str, place: str | None) -> str:
    """Another place named: the answer is the national rule, its bureau decides the rest."""
    if not place:
        return text
    return (
        f"{text}\n（以上是全国的规定。{place}本地的具体标准、时间、办理地点和电话由"
        f"{place}退役军人事务局确定，请以当地公布为准。）"
    )


def facet_text(
    facet: Facet, regions: RegionTree, region: str | None, place: str | None = None
) -> str:
    """A facet's lines; a local fact says where it is set when its lines do not already."""
    ctx = foreign_context(place) if place else context_for(regions, region)
    text = render_text(facet.answer, ctx)
    if facet.local and not any(w in text for w in LOCAL_WORDS):
        text += f"\n具体以当地公布为准，由{ctx['bureau']['name']}确定。"
    return text


def strip_opener(text: str) -> str:
    """The answer without a bare yes/no first word ("可以。…" → "…")."""
    found = OPENER.match(text)
    if not found or not text[found.end() :].strip():
        return text
    return text[found.end() :]


def shorten(general: str, lead: str) -> str:
    """The general answer's first lines as context, without what the lead already says
    (a line mostly found in the lead is left out)."""
    lines = [
        ln
        for ln in general.splitlines()
        if ln.strip() and (_STEP.match(ln) or not _said(ln.strip(), lead))
    ]
    return "\n".join(lines[:CONTEXT_LINES])


def _said(line: str, lead: str) -> bool:
    """The lead already says this line: contained, or alike and with no number of its own
    (a line with 6000元 the lead lacks is kept)."""
    if line in lead:
        return True
    numbers = _NUMBER.findall(line)
    return fuzz.partial_ratio(line, lead) >= SAID_ALREADY and all(n in lead for n in numbers)


def with_sources(text: str, sources: tuple[str, ...]) -> str:
    return text + ("\n（依据：" + "；".join(sources) + "）" if sources else "")

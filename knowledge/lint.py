"""`vetbot kb lint`: refuse entries a veteran must not receive."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import TemplateSyntaxError

from knowledge.index import Index
from knowledge.kb import INTENTS, MAX_FACET_LINES, Entry, Facet, KnowledgeBase
from knowledge.render import ALLOWED, variables

MIN_QUESTIONS = 5
MAX_ANSWER_LINES = 6
#: how much better another entry must match a left-out phrasing to count as a trap
CONFUSION_MARGIN = 0.05


@dataclass(frozen=True)
class Problem:
    entry_id: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"[{self.severity}] {self.entry_id}: {self.message}"


def lint(
    kb: KnowledgeBase,
    today: dt.date,
    index: Index | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    counts = Counter(e.id for e in kb)
    problems += [Problem(i, f"duplicate id ({n} entries)") for i, n in counts.items() if n > 1]
    for entry in kb:
        problems += _check_entry(entry, today)
    problems += _check_confusions(kb, index or Index(kb), progress)
    return problems


def _check_entry(entry: Entry, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    add = lambda msg, sev="error": out.append(Problem(entry.id, msg, sev))  # noqa: E731
    if not entry.sources:
        add("no source (文号/条款)")
    if entry.review_by is None:
        add("no review_by date")
    elif entry.review_by < today:
        add(f"review_by {entry.review_by} has passed")
    if entry.effective is None:
        add("no effective date")
    if entry.intent not in INTENTS:
        add(f"unknown intent {entry.intent!r}")
    if not entry.answer:
        add("empty answer")
    if len(entry.questions) < MIN_QUESTIONS:
        add(f"only {len(entry.questions)} phrasings (need {MIN_QUESTIONS})", "warning")
    for template in (entry.answer, *entry.region_overrides.values()):
        lines = [ln for ln in template.splitlines() if ln.strip()]
        if len(lines) > MAX_ANSWER_LINES:
            add(f"answer has {len(lines)} lines (max {MAX_ANSWER_LINES})", "warning")
        try:
            unknown = variables(template) - ALLOWED
        except TemplateSyntaxError as exc:
            add(f"template error: {exc}")
            continue
        if unknown:
            add(f"unknown template variables: {', '.join(sorted(unknown))}")
    for facet in entry.facets:
        out += [
            Problem(entry.id, f"facet {facet.aspect}: {m}")
            for m in _check_facet(facet, entry, today)
        ]
    return out


def _check_facet(facet: Facet, entry: Entry, today: dt.date) -> list[str]:
    """A facet is a direct answer a veteran reads first: sourced, short, in date."""
    problems: list[str] = []
    if not entry.facet_sources(facet):
        problems.append("no source (文号/条款), neither its own nor the entry's")
    lines = [ln for ln in facet.answer.splitlines() if ln.strip()]
    if len(lines) > MAX_FACET_LINES:
        problems.append(f"answer has {len(lines)} lines (max {MAX_FACET_LINES})")
    review_by = facet.review_by or entry.review_by
    if review_by is not None and review_by < today:
        problems.append(f"review_by {review_by} has passed")
    if facet.effective and facet.review_by and facet.effective > facet.review_by:
        problems.append("effective date after review_by")
    try:
        unknown = variables(facet.answer) - ALLOWED
    except TemplateSyntaxError as exc:
        return [*problems, f"template error: {exc}"]
    if unknown:
        problems.append(f"unknown template variables: {', '.join(sorted(unknown))}")
    return problems


def _check_confusions(
    kb: KnowledgeBase, index: Index, progress: Callable[[int, int], None] | None
) -> list[Problem]:
    """A phrasing that retrieves another entry more strongly than its own is a trap."""
    out: list[Problem] = []
    total = sum(len(e.questions) for e in kb)
    done = 0
    for entry in kb:
        for phrasing in entry.questions:
            hits = index.search(phrasing, limit=8, leave_out=entry.id)
            own = next((h.score for h in hits if h.entry.id == entry.id), 0.0)
            if hits and hits[0].entry.id != entry.id and hits[0].score > own + CONFUSION_MARGIN:
                out.append(
                    Problem(
                        entry.id,
                        f"phrasing {phrasing!r} is closer to {hits[0].entry.id} "
                        f"({hits[0].score:.2f} > {own:.2f})",
                    )
                )
            done += 1
            if progress:
                progress(done, total)
    return out

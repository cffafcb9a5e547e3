"""The curated knowledge base: entries loaded from ``knowledge/*.yaml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.aspect import ASPECTS, canonical

KB_DIR = Path(__file__).parent
INTENTS = ("faq", "out_of_scope")


class KBError(ValueError):
    """A KB file that cannot be loaded (bad YAML or missing fields)."""


MAX_FACET_LINES = 6


@dataclass(frozen=True)
class Facet:
    """The direct answer to one aspect of an entry's topic (fee, deadline, who, …):
    one or two short lines, with their own sources when they differ from the entry's.
    ``local``: the fact is set locally, so the reply says 以当地公布为准 and who sets it."""

    aspect: str
    answer: str
    sources: tuple[str, ...] = ()  # empty: the entry's sources
    local: bool = False
    effective: dt.date | None = None  # None: the entry's
    review_by: dt.date | None = None  # None: the entry's


@dataclass(frozen=True)
class Entry:
    """One question-and-answer (知识条目) with its legal source."""

    id: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    sources: tuple[str, ...]
    effective: dt.date | None
    review_by: dt.date | None
    intent: str = "faq"
    region_overrides: dict[str, str] = field(default_factory=dict)
    file: str = ""
    subject: tuple[str, ...] = ()  # words naming what it is about (e.g. 优待证)
    facets: tuple[Facet, ...] = ()  # direct answers per aspect (knowledge/aspect.py)

    def facet(self, aspect: str | None) -> Facet | None:
        """The entry's direct answer to ``aspect``, if it has one."""
        return next((f for f in self.facets if f.aspect == aspect), None) if aspect else None

    def facet_sources(self, facet: Facet) -> tuple[str, ...]:
        return facet.sources or self.sources

    def answer_for(self, region_chain: Iterable[str]) -> str:
        """The answer template for the most specific region that overrides it."""
        for code in region_chain:
            if code in self.region_overrides:
                return self.region_overrides[code]
        return self.answer


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def with_entry(self, entry: Entry) -> KnowledgeBase:
        """A copy with ``entry`` added or replacing the one with the same id."""
        kept = tuple(e for e in self.entries if e.id != entry.id)
        return KnowledgeBase((*kept, entry))


def _as_date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise KBError(f"{where}: not an ISO date: {value!r}") from exc


def _as_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)


def parse_facets(raw: object, where: str) -> tuple[Facet, ...]:
    """``facets: {fee: {answer: ..., source: [...], local: true}, ...}``."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise KBError(f"{where}: facets must be a mapping of aspect -> {{answer, source}}")
    facets: list[Facet] = []
    for name, body in raw.items():
        aspect = canonical(str(name))
        if aspect is None:
            raise KBError(f"{where}: unknown facet aspect {name!r} (known: {', '.join(ASPECTS)})")
        if any(f.aspect == aspect for f in facets):
            raise KBError(f"{where}: facet {name!r} given twice")
        if isinstance(body, str):
            body = {"answer": body}
        if not isinstance(body, dict):
            raise KBError(f"{where}: facet {name!r} must be a mapping with 'answer'")
        unknown = set(body) - {"answer", "source", "local", "effective", "review_by"}
        if unknown:
            raise KBError(f"{where}: facet {name!r} has unknown keys {sorted(unknown)}")
        answer = str(body.get("answer") or "").strip()
        if not answer:
            raise KBError(f"{where}: facet {name!r} has no answer")
        facets.append(
            Facet(
                aspect=aspect,
                answer=answer,
                sources=_as_list(body.get("source")),
                local=bool(body.get("local", False)),
                effective=_as_date(body.get("effective"), f"{where} facet {name}"),
                review_by=_as_date(body.get("review_by"), f"{where} facet {name}"),
            )
        )
    return tuple(facets)


def parse_entry(
    raw: dict[str, object], topic: str, file: str, subject: tuple[str, ...] = ()
) -> Entry:
    where = f"{file}: {raw.get('id', '<no id>')}"
    if not isinstance(raw, dict) or not raw.get("id"):
        raise KBError(f"{file}: an entry has no id")
    overrides = raw.get("region_overrides") or {}
    if not isinstance(overrides, dict):
        raise KBError(f"{where}: region_overrides must be a mapping")
    return Entry(
        id=str(raw["id"]),
        topic=str(raw.get("topic") or topic),
        questions=_as_list(raw.get("questions")),
        answer=str(raw.get("answer") or "").strip(),
        sources=_as_list(raw.get("source")),
        effective=_as_date(raw.get("effective"), where),
        review_by=_as_date(raw.get("review_by"), where),
        intent=str(raw.get("intent") or "faq"),
        region_overrides={str(k): str(v).strip() for k, v in overrides.items()},
        file=file,
        subject=_as_list(raw["subject"]) if "subject" in raw else subject,
        facets=parse_facets(raw.get("facets"), where),
    )


def load_file(path: Path) -> list[Entry]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise KBError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise KBError(f"{path.name}: expected a mapping with 'topic' and an 'entries' list")
    topic = str(doc.get("topic") or path.stem)
    subject = _as_list(doc.get("subject"))
    return [parse_entry(raw, topic, path.name, subject) for raw in doc["entries"]]


def load(directory: Path = KB_DIR) -> KnowledgeBase:
    """All entries of every ``*.yaml`` file in ``directory``, in file order."""
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.yaml")):
        entries.extend(load_file(path))
    return KnowledgeBase(tuple(entries))

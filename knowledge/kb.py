"""The curated knowledge base: entries loaded from ``knowledge/*.yaml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

KB_DIR = Path(__file__).parent
INTENTS = ("faq", "out_of_scope")


class KBError(ValueError):
    """A KB file that cannot be loaded (bad YAML or missing fields)."""


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

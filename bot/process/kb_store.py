"""The curated KB every host serves: the YAML seed files with the newest version of
each curated entry from the database laid over them (``db.kb_versions``).

A curator's edit in the console is a new row in ``kb_edits``; every host notices it
(``bot.process.kb_watch``: PostgreSQL NOTIFY within a second, else its next poll) and
rebuilds from files + database, so hosts with their own copy of ``knowledge/`` agree.
``vetbot kb export`` writes the database's versions back into the files for review in
git. ``KbVersion`` names what a reply was answered from.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session, sessionmaker

from db import kb_versions
from db.models import KBEdit
from knowledge import kb as kb_mod
from knowledge.kb import Entry, KnowledgeBase

log = logging.getLogger("vetbot.kb_store")


@dataclass(frozen=True)
class KbVersion:
    """``seed``: digest of the YAML files; ``db``: newest curated version (0: none)."""

    seed: str = ""
    db: int = 0

    def __str__(self) -> str:
        return f"{self.seed}.{self.db}"


def seed_digest(kb_dir: Path) -> str:
    """A short digest of every ``*.yaml`` file's name and content."""
    digest = hashlib.sha256()
    for path in sorted(kb_dir.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=64)
def _file_meta(path: Path, mtime_ns: int) -> tuple[str, tuple[str, ...]]:
    """(topic, subject) declared at the top of a topic file."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        doc = {}
    topic = str(doc.get("topic") or path.stem)
    subject = doc.get("subject") or ()
    return topic, tuple(str(s) for s in subject) if isinstance(subject, list) else ()


def _meta(kb_dir: Path, file: str) -> tuple[str, tuple[str, ...]]:
    path = kb_dir / file
    try:
        return _file_meta(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return Path(file).stem, ()


def entry_of(edit: KBEdit, kb_dir: Path, seed: Entry | None) -> Entry:
    """The entry a version describes (KBError when its YAML is not an entry)."""
    try:
        raw = yaml.safe_load(edit.after_yaml)
    except yaml.YAMLError as exc:
        raise kb_mod.KBError(f"version {edit.id} of {edit.entry_id}: {exc}") from exc
    if not isinstance(raw, dict):
        raise kb_mod.KBError(f"version {edit.id} of {edit.entry_id}: not an entry")
    file = edit.file or (seed.file if seed else "")
    topic, subject = _meta(kb_dir, file)
    if seed is not None:
        topic, subject = seed.topic, seed.subject
    return kb_mod.parse_entry(raw, topic, file, subject)


def overlay(kb: KnowledgeBase, edits: Iterable[KBEdit], kb_dir: Path) -> KnowledgeBase:
    """``kb`` with each edited entry replaced in place (or added at the end)."""
    replaced: dict[str, Entry] = {}
    for edit in edits:
        try:
            replaced[edit.entry_id] = entry_of(edit, kb_dir, kb.get(edit.entry_id))
        except kb_mod.KBError as exc:  # one bad version must not take the KB down
            log.error("curated KB version not applied: %s", exc)
    if not replaced:
        return kb
    kept = [replaced.pop(e.id, e) for e in kb]
    return KnowledgeBase((*kept, *replaced.values()))


def db_version(sessions: sessionmaker[Session]) -> int | None:
    with sessions() as session:
        return kb_versions.version(session)


def load(kb_dir: Path, sessions: sessionmaker[Session] | None) -> tuple[KnowledgeBase, KbVersion]:
    """Files + database: the KB to serve and its version."""
    kb = kb_mod.load(kb_dir)
    seed = seed_digest(kb_dir)
    if sessions is None:
        return kb, KbVersion(seed, 0)
    with sessions() as session:
        version = kb_versions.version(session)
        edits = kb_versions.newest(session, up_to=version) if version else []
        return overlay(kb, edits, kb_dir), KbVersion(seed, version or 0)

"""Curators' KB edits: validated by the KB linter, stored as a new version of the entry
in the database (``db.kb_versions``: who, when, before/after), applied at once in this
process (``Runtime.reload_kb``) and within seconds on every other host
(``bot.process.kb_watch``). Only problems the edit *introduces* block it (the KB may
carry older warnings).

``export`` writes the database's versions back into the YAML seed files for review in
git (``vetbot kb export``): a new phrasing is inserted as one line under the entry's
``questions:`` so the file keeps its comments and layout; a new entry is appended to
its topic file; any other change is reported for a hand edit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.process import kb_store
from bot.process.runtime import Runtime
from db import kb_versions
from db import staff as staff_repo
from db.models import KBEdit
from knowledge import kb as kb_mod
from knowledge.index import Index
from knowledge.kb import Entry, KnowledgeBase
from knowledge.lint import Problem, lint

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_SCORES = re.compile(r" \([0-9.]+ > [0-9.]+\)$")


class EditError(ValueError):
    """The edit was refused; ``problems`` lists what the linter found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def entry_yaml(entry: Entry | None) -> str:
    if entry is None:
        return ""
    return dump(raw_entry(entry))


def raw_entry(entry: Entry) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": entry.id}
    if entry.intent != "faq":
        raw["intent"] = entry.intent
    raw["questions"] = list(entry.questions)
    raw["answer"] = entry.answer + "\n"
    raw["source"] = list(entry.sources)
    raw["effective"] = entry.effective.isoformat() if entry.effective else None
    raw["review_by"] = entry.review_by.isoformat() if entry.review_by else None
    if entry.region_overrides:
        raw["region_overrides"] = dict(entry.region_overrides)
    if entry.facets:
        raw["facets"] = {f.aspect: _raw_facet(f) for f in entry.facets}
    return raw


def _raw_facet(facet: kb_mod.Facet) -> dict[str, Any]:
    raw: dict[str, Any] = {"answer": facet.answer + "\n"}
    if facet.sources:
        raw["source"] = list(facet.sources)
    if facet.local:
        raw["local"] = True
    for key in ("effective", "review_by"):
        value = getattr(facet, key)
        if value:
            raw[key] = value.isoformat()
    return raw


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: object) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False
    )


def _key(problem: Problem) -> str:
    return _SCORES.sub("", problem.message)


def introduced(
    rt: Runtime,
    before: Entry | None,
    after: Entry,
    new_kb: KnowledgeBase,
    today: dt.date,
    added: tuple[str, ...] = (),
) -> tuple[list[str], list[str]]:
    """(errors, notes): lint problems the edit introduces, on the edited entry and on the
    entries its new phrasings come closest to (they are the ones it could steal from).

    A phrasing added *because* the bot missed it is, by definition, unlike the entry's
    other phrasings, so the linter's leave-one-out check on it is only a note."""
    index = Index(new_kb)
    near = {h.entry.id for q in added for h in rt.ctx.index.search(q, limit=3)} - {after.id}
    now = [after, *(e for e in (new_kb.get(i) for i in sorted(near)) if e is not None)]
    then = [e for e in (before, *(rt.ctx.kb.get(i) for i in sorted(near))) if e is not None]
    known = {(p.entry_id, _key(p)) for p in lint(KnowledgeBase(tuple(then)), today, rt.ctx.index)}
    errors: list[str] = []
    notes: list[str] = []
    for p in lint(KnowledgeBase(tuple(now)), today, index):
        if p.severity != "error" or (p.entry_id, _key(p)) in known:
            continue
        own_new = p.entry_id == after.id and any(f"phrasing {q!r}" in p.message for q in added)
        (notes if own_new else errors).append(str(p))
    return errors, notes


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _insert_questions(text: str, entry_id: str, phrasings: list[str]) -> str:
    """The file text with ``phrasings`` appended to the entry's ``questions:`` list."""
    lines = text.splitlines(keepends=True)
    head = re.compile(r"^(\s*)-\s+id:\s*['\"]?" + re.escape(entry_id) + r"['\"]?\s*$")
    start = next((i for i, ln in enumerate(lines) if head.match(ln)), None)
    if start is None:
        raise EditError(f"在文件中找不到条目 {entry_id}")
    q = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"^\s+questions:\s*$", lines[i])), None
    )
    if q is None:
        raise EditError(f"条目 {entry_id} 没有 questions 列表")
    last, indent = q, None
    for i in range(q + 1, len(lines)):
        m = re.match(r"^(\s*)-\s", lines[i])
        if m and (indent is None or m.group(1) == indent):
            indent, last = m.group(1), i
        elif lines[i].strip() and not lines[i].lstrip().startswith("#"):
            break
    if indent is None:
        raise EditError(f"条目 {entry_id} 的 questions 列表为空或格式特殊")
    added = [f"{indent}- {json.dumps(p, ensure_ascii=False)}\n" for p in phrasings]
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    return "".join(lines[: last + 1] + added + lines[last + 1 :])


def _record(
    session: Session,
    entry: Entry,
    actor: str,
    before: str,
    action: str,
    notes: str,
) -> KBEdit:
    after = entry_yaml(entry)
    _check_version(after, entry)
    edit = kb_versions.record(session, entry.id, entry.file, action, actor, before, after)
    staff_repo.audit(session, actor, action, entry.id, notes[:2000])
    return edit


def _check_version(text: str, entry: Entry) -> None:
    """The stored version must read back as the entry it describes."""
    try:
        raw = yaml.safe_load(text)
        back = kb_mod.parse_entry(raw, entry.topic, entry.file, entry.subject)
    except (yaml.YAMLError, kb_mod.KBError, TypeError, AttributeError) as exc:
        raise EditError(f"编辑后的条目无法解析：{exc}") from exc
    if back.questions != entry.questions or back.answer != entry.answer:
        raise EditError("编辑后的条目内容与预期不符，未保存。")


def add_phrasings(
    rt: Runtime, session: Session, entry_id: str, phrasings: list[str], actor: str, today: dt.date
) -> Entry:
    """Attach questions to an existing entry as new phrasings (问法)."""
    kb = rt.ctx.kb
    entry = kb.get(entry_id)
    if entry is None:
        raise EditError(f"没有条目 {entry_id}")
    fresh = [p.strip()[:200] for p in phrasings if p.strip() and p.strip() not in entry.questions]
    if not fresh:
        raise EditError("这些问法已在该条目中。")
    after = dataclasses.replace(entry, questions=(*entry.questions, *fresh))
    problems, notes = introduced(rt, entry, after, kb.with_entry(after), today, tuple(fresh))
    if problems:
        raise EditError("知识库校验未通过，未保存。", problems)
    _record(session, after, actor, entry_yaml(entry), "kb_add_phrasing", "\n".join(notes))
    return after


def _check_loads(path: Path, text: str, entry_id: str, phrasings: list[str]) -> None:
    """Parse the edited file before writing it: the edit must show up, nothing else may break."""
    try:
        doc = yaml.safe_load(text)
        entries = [
            kb_mod.parse_entry(raw, str(doc.get("topic") or path.stem), path.name)
            for raw in doc["entries"]
        ]
    except (yaml.YAMLError, kb_mod.KBError, KeyError, TypeError, AttributeError) as exc:
        raise EditError(f"编辑后的文件无法解析：{exc}") from exc
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None or not all(p in entry.questions for p in phrasings):
        raise EditError("编辑后的文件内容与预期不符，未保存。")


def topic_files(rt: Runtime) -> list[str]:
    return sorted(p.name for p in rt.settings.kb_dir.glob("*.yaml"))


def new_entry(
    rt: Runtime, session: Session, raw: dict[str, Any], file: str, actor: str, today: dt.date
) -> Entry:
    """Draft a new entry into a topic file (lint-checked in full: it has no history)."""
    if file not in topic_files(rt):
        raise EditError("请选择主题文件。")
    entry_id = str(raw.get("id", ""))
    if not ID_PATTERN.match(entry_id):
        raise EditError("条目编号格式：小写字母、数字、下划线，用点分隔，如 card.new_topic。")
    if rt.ctx.kb.get(entry_id) is not None:
        raise EditError(f"条目编号 {entry_id} 已存在。")
    path = rt.settings.kb_dir / file
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    topic = str(doc.get("topic") or path.stem)
    subject = tuple(str(x) for x in doc.get("subject") or ())
    try:
        entry = kb_mod.parse_entry(raw, topic, file, subject)
    except kb_mod.KBError as exc:
        raise EditError(str(exc)) from exc
    problems, _ = introduced(rt, None, entry, rt.ctx.kb.with_entry(entry), today)
    if problems:
        raise EditError("知识库校验未通过，未保存。", problems)
    _record(session, entry, actor, "", "kb_new_entry", "")
    return entry


def export(kb_dir: Path, edits: list[KBEdit]) -> list[str]:
    """Write curated versions into the seed files; one line per entry saying what was done."""
    seed = kb_mod.load(kb_dir)
    report: list[str] = []
    for edit in edits:
        current = seed.get(edit.entry_id)
        entry = kb_store.entry_of(edit, kb_dir, current)
        path = kb_dir / entry.file
        if current is None:
            _append_entry(path, entry)
            report.append(f"{entry.id}: new entry → {entry.file}")
            continue
        added = [q for q in entry.questions if q not in current.questions]
        if added:
            _write(path, _insert_questions(path.read_text(encoding="utf-8"), entry.id, added))
            report.append(f"{entry.id}: +{len(added)} phrasings → {entry.file}")
        if _differs_beyond_phrasings(current, entry):
            report.append(
                f"{entry.id}: other changes — edit {entry.file} by hand (version {edit.id})"
            )
        elif not added:
            report.append(f"{entry.id}: already in {entry.file}")
    return report


def _differs_beyond_phrasings(seed: Entry, curated: Entry) -> bool:
    return dataclasses.replace(curated, questions=seed.questions) != seed


def _append_entry(path: Path, entry: Entry) -> None:
    block = "\n" + "".join(
        f"  {ln}\n" if ln else "\n" for ln in dump([raw_entry(entry)]).splitlines()
    )
    original = path.read_text(encoding="utf-8")
    updated = original.rstrip("\n") + "\n" + block
    _check_loads(path, updated, entry.id, list(entry.questions))
    _write(path, updated)

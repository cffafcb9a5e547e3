"""`vetbot kb lint|stats` and `vetbot unanswered`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import progress, settings
from knowledge import kb as kb_mod
from knowledge.clock import clock_for
from knowledge.index import Index
from knowledge.lint import lint as run_lint

app = typer.Typer(help="Knowledge base: lint and statistics.", no_args_is_help=True)
out = Console()


@app.command("lint")
def lint(
    today: Annotated[
        str | None, typer.Option(help="Check review dates as of this ISO date")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too")] = False,
) -> None:
    """Refuse entries without sources, past review, duplicated, confusable or with bad templates."""
    try:
        kb = kb_mod.load(settings().kb_dir)
    except kb_mod.KBError as exc:
        out.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from exc
    day = dt.date.fromisoformat(today) if today else clock_for(settings().today).today()
    with progress("检查问法") as update:
        problems = run_lint(kb, day, Index(kb), update)
    for p in problems:
        out.print(("[red]" if p.severity == "error" else "[yellow]") + str(p) + "[/]")
    errors = [p for p in problems if p.severity == "error" or strict]
    out.print(f"{len(kb)} entries, {len(errors)} errors, {len(problems) - len(errors)} warnings")
    if errors:
        raise typer.Exit(1)


@app.command("stats")
def stats() -> None:
    """Entries and phrasings per topic."""
    kb = kb_mod.load(settings().kb_dir)
    entries = Counter(e.topic for e in kb)
    phrasings: Counter[str] = Counter()
    for e in kb:
        phrasings[e.topic] += len(e.questions)
    table = Table("topic", "entries", "phrasings")
    for topic, n in entries.most_common():
        table.add_row(topic, str(n), str(phrasings[topic]))
    table.add_row("total", str(len(kb)), str(sum(phrasings.values())))
    out.print(table)


def unanswered(limit: Annotated[int, typer.Option(help="How many to list")] = 50) -> None:
    """Questions the bot could not answer, most asked first."""
    from bot.process.runtime import build_runtime
    from db import unanswered as repo
    from db.session import transaction

    rt = build_runtime(settings())
    with transaction(rt.sessions) as session:
        rows = repo.counts(session, limit)
    table = Table("times", "best conf.", "question")
    for text, n, conf in rows:
        table.add_row(str(n), f"{conf:.2f}", text)
    out.print(table)


@app.command("export")
def export(
    into: Annotated[
        Path | None, typer.Option("--dir", help="KB folder to write into (default: VETBOT_KB_DIR)")
    ] = None,
) -> None:
    """Write the curated versions from the database back into the YAML files (for review
    in git): new phrasings and new entries; other changes are listed for a hand edit."""
    from bot.console.kb_edit import export as run_export
    from bot.process.runtime import build_runtime
    from db import kb_versions

    rt = build_runtime(settings())
    kb_dir = into or rt.settings.kb_dir
    with rt.sessions() as session:
        edits = kb_versions.newest(session)
    if not edits:
        out.print("no curated versions in the database: the files are the KB")
        return
    for line in run_export(kb_dir, edits):
        out.print(line, highlight=False)
    out.print(f"exported {len(edits)} entries at KB version {rt.kb_version} into {kb_dir}")


@app.command("history")
def history(entry_id: Annotated[str, typer.Argument(help="Entry id, e.g. card.lost")]) -> None:
    """Every curated version of one entry: who, when, what changed."""
    from bot.process.runtime import build_runtime
    from db import kb_versions

    rt = build_runtime(settings())
    with rt.sessions() as session:
        versions = kb_versions.history(session, entry_id)
    if not versions:
        out.print(f"{entry_id}: no curated versions (the seed file's text is served)")
        return
    for v in versions:
        at = v.created_at.strftime("%Y-%m-%d %H:%M")
        out.print(f"version {v.id}  {at} UTC  {v.actor}  {v.action}  ({v.file})", highlight=False)

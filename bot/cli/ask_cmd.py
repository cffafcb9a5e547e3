"""`vetbot ask`, `vetbot eval`, `vetbot chat`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli import evaluate as scoring
from bot.cli.common import err, progress, settings
from bot.process.runtime import build_context
from bot.shell.ask import ask as ask_one

out = Console()


def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question, as a veteran would type it")
    ] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help='JSONL file of {"id":..., "q":...} lines')
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per question)")
    ] = False,
    region: Annotated[
        str | None, typer.Option(help="Region code (default: configured default)")
    ] = None,
) -> None:
    """Ask the bot one question (or a batch); each is a fresh conversation."""
    if question is None and batch is None:
        raise typer.BadParameter("give a question, or --batch FILE")
    cases = _read_batch(batch) if batch else [{"id": None, "q": question}]
    with progress("建立索引") as update:
        ctx = build_context(settings(), progress=update)
    with progress("回答") as update:
        for n, case in enumerate(cases, 1):
            result = ask_one(ctx, str(case.get("q") or ""), case.get("id"), region)
            _print(result, as_json)
            update(n, len(cases))


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    out.print(result["answer"])
    out.print(
        f"[dim]intent={result['intent']} entry={result['entry_id']} confidence={result['confidence']}[/dim]"
    )


def _read_batch(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}") from exc
    cases: list[dict[str, Any]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{path}:{n}: not JSON: {exc.msg}") from exc
        if not isinstance(item, dict):
            raise typer.BadParameter(f"{path}:{n}: expected an object with 'q'")
        cases.append(item)
    return cases


def evaluate(
    file: Annotated[
        Path,
        typer.Argument(
            help="Eval JSONL: {id, q, intent:[...], must:[[...]], must_not:[...]} or the "
            "real-question format {id, q, keywords:[[...]], aspect, national}"
        ),
    ],
    show_all: Annotated[bool, typer.Option("--all", help="List passing cases too")] = False,
) -> None:
    """Score the bot on an eval file; the last line is `score: N/M` (real-question lines
    add `(real: correct C/N, abstained A, wrong W)`)."""
    cases = _read_batch(file)
    ctx = build_context(settings())
    verdicts = []
    with progress("评测") as update:
        for n, case in enumerate(cases, 1):
            result = ask_one(ctx, str(case.get("q") or ""), case.get("id"))
            verdicts.append(scoring.judge(case, result))
            update(n, len(cases))
    table = Table("id", "question", "intent", "entry", "conf.", "problem", title="eval")
    for v in verdicts:
        if show_all or not v.ok:
            why = "ok" if v.ok else v.why
            table.add_row(v.id, v.question[:40], v.intent, v.entry_id, f"{v.confidence:.2f}", why)
    out.print(table)
    if any(v.outcome for v in verdicts):
        out.print(_counts_table("by aspect", "aspect", scoring.by_aspect(verdicts)))
    out.print(
        _counts_table("confidence vs correctness", "confidence", scoring.calibration(verdicts))
    )
    print(scoring.summary(verdicts))


def _counts_table(title: str, first: str, rows: list[tuple[str, int, int, int]]) -> Table:
    table = Table(first, "correct", "abstained", "wrong", title=title)
    for name, *counts in rows:
        table.add_row(name, *(str(c) for c in counts))
    return table


def chat(
    user: Annotated[str, typer.Option("--user", help="Conversation user id")] = "cli-user",
    channel: Annotated[
        str, typer.Option("--channel", help="Channel name for the state key")
    ] = "web",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per user line")] = False,
) -> None:
    """Talk to the bot from the terminal (reads lines from stdin); state persists in the DB."""
    from bot.process.runtime import build_runtime
    from bot.shell.inbound import handle
    from intents.turn import Inbound

    rt = build_runtime(settings())
    _ensure_db(rt.settings.database_url)
    if sys.stdin.isatty():
        err.print("[dim]vetbot chat — 输入问题后回车；Ctrl-D 退出[/dim]")
    for line in sys.stdin:
        text = line.rstrip("\n")
        handled = handle(rt, Inbound(channel=channel, user_id=user, text=text, at=rt.clock.now()))
        if as_json:
            turn = handled.turn
            state = turn.state if turn else None
            record = {
                "replies": [{"text": r.text, "options": list(r.options)} for r in handled.replies],
                "intent": turn.understanding.intent if turn else None,
                "flow": state.flow if state else None,
                "slot": state.slot if state else None,
                "effects": [_effect_json(e, handled) for e in (turn.effects if turn else ())],
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
        else:
            out.print(handled.text())


def _effect_json(effect: Any, handled: Any) -> dict[str, Any]:
    data = effect.as_dict()
    if "pii" in data:
        data["pii"] = sorted(data["pii"])  # names of the fields only: never print them
    if data.get("type") == "open_ticket" and handled.tickets:
        data["ticket"] = handled.tickets[0] if len(handled.tickets) == 1 else list(handled.tickets)
    return data


def _ensure_db(url: str) -> None:
    from db.migrate import upgrade

    upgrade(url)

"""`vetbot photo check FILE`: is this photo right for the 优待证, and what to change."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.media.photo import CannotFix, PhotoSpec, check, fix

app = typer.Typer(help="优待证 photo: check a file against the card's spec, or correct it.")
out = Console()
err = Console(stderr=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        err.print(f"[red]cannot read {path}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc


@app.command("check")
def check_cmd(
    file: Annotated[Path, typer.Argument(help="The photo (JPG as the card office wants it)")],
    fixed: Annotated[
        Path | None,
        typer.Option("--fix", help="Also write a corrected JPG here when the fix is mechanical"),
    ] = None,
) -> None:
    """Exit 0 when the photo meets the spec; 1 with one plain-Chinese reason per problem."""
    data = _read(file)
    spec = PhotoSpec()
    report = check(data, spec)
    m = report.measured
    if m is not None:
        dpi = f"{round(m.dpi[0])}DPI" if m.dpi else "无DPI"
        out.print(
            f"[dim]{m.format} {m.width}×{m.height} {dpi} {m.kb:.0f}KB "
            f"背景亮度{m.background:.0f} 起伏{m.spread:.0f} 饱和度{m.saturation:.0f}[/dim]"
        )
    out.print(report.text(), highlight=False)
    if report.ok:
        return
    if fixed is not None:
        try:
            fixed.write_bytes(fix(data, spec))
        except CannotFix as exc:
            out.print(f"无法自动修正，需要重拍：{exc}", highlight=False)
        else:
            out.print(f"已生成修正后的照片：{fixed}", highlight=False)
    raise typer.Exit(1)

"""KB hot reload (知识库热更新): every server process follows the KB files on disk.

A curator's edit rewrites a topic file and reloads the KB in the process that
made it; every other process (uvicorn workers, a ``vetbot`` command) notices
here. Every ``Settings.kb_watch_seconds`` it compares the KB folder's
*signature* — name, inode, mtime and size of each ``*.yaml`` file, a handful of
``stat`` calls — with the one its index was built from. On a change it loads
the files and builds the index in a worker thread, then swaps ``Runtime.ctx``
in one assignment: requests are answered from the old index meanwhile.

Files that cannot be served (invalid YAML, no entries, or an answer template
that no longer renders) are logged and skipped: the process keeps the KB it has
until the files change again.

The holidays file (``Settings.holidays_file``, the bureau's copy of next year's
放假安排) is followed the same way: an edit reaches every deadline, SLA colour and
booking day without a restart; a file that does not validate is logged and the
calendar already loaded stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateSyntaxError

from bot.process import background
from knowledge import holidays
from knowledge import kb as kb_mod
from knowledge.holidays import HolidayFileError, WorkCalendar
from knowledge.index import Index
from knowledge.kb import KBError, KnowledgeBase
from knowledge.render import ALLOWED, variables

if TYPE_CHECKING:
    from bot.process.runtime import Runtime
    from bot.process.settings import Settings

#: (file name, inode, mtime in ns, size) of every KB file, sorted by name
Signature = tuple[tuple[str, int, int, int], ...]

log = logging.getLogger("vetbot.kb_watch")


def signature(kb_dir: Path, holidays_file: Path | None = None) -> Signature:
    """What the KB files (and the holidays file) look like now. An edit written in place
    changes mtime (and usually size); one written by rename (``kb_edit``) also changes
    the inode."""
    files: list[tuple[str, int, int, int]] = []
    try:
        with os.scandir(kb_dir) as listing:
            for item in listing:
                if item.name.endswith(".yaml"):
                    st = item.stat()
                    files.append((item.name, st.st_ino, st.st_mtime_ns, st.st_size))
    except FileNotFoundError:  # folder or a file removed meanwhile: that is a change too
        return ()
    return tuple(sorted(files)) + _file_signature(holidays_file)


def watched(settings: Settings) -> Signature:
    """The signature of everything a runtime follows on disk."""
    return signature(settings.kb_dir, settings.holidays_file)


def _file_signature(path: Path | None) -> Signature:
    if path is None:
        return ()
    try:
        st = path.stat()
    except FileNotFoundError:
        return ((str(path), 0, 0, -1),)
    return ((str(path), st.st_ino, st.st_mtime_ns, st.st_size),)


def unservable(kb: KnowledgeBase) -> set[str]:
    """The linter's checks whose failure would break answers rather than just weaken them."""
    problems = set() if len(kb) else {"no entries"}
    for entry in kb:
        facets = (f.answer for f in entry.facets)
        for template in (entry.answer, *entry.region_overrides.values(), *facets):
            try:
                unknown = variables(template) - ALLOWED
            except TemplateSyntaxError as exc:
                problems.add(f"{entry.id}: template error: {exc}")
                continue
            if unknown:
                problems.add(
                    f"{entry.id}: unknown template variables: {', '.join(sorted(unknown))}"
                )
    return problems


def refresh(rt: Runtime, force: bool = False) -> bool:
    """Rebuild ``rt``'s KB and index if the files changed (always with ``force``); True
    when a new KB was swapped in. Blocking (~1 s): call it from a thread.

    Raises ``KBError`` and keeps the current KB when the files cannot be served; only
    problems the current KB does not already have count."""
    with rt.kb_lock:  # one rebuild at a time, so an older build never replaces a newer one
        seen = watched(rt.settings)  # taken before loading: a later edit is seen
        if seen == rt.kb_signature and not force:
            return False
        kb = kb_mod.load(rt.settings.kb_dir)
        new = unservable(kb) - unservable(rt.ctx.kb)
        if new:
            raise KBError("; ".join(sorted(new)))
        days = dataclasses.replace(rt.ctx.deadlines, calendar=_calendar(rt))
        rt.ctx = dataclasses.replace(rt.ctx, kb=kb, index=Index(kb), deadlines=days)
        rt.kb_signature = seen
        return True


def _calendar(rt: Runtime) -> WorkCalendar:
    """The holidays file as it is now, or the calendar already loaded when it is invalid."""
    try:
        return holidays.load(rt.settings.holidays_file)
    except HolidayFileError as exc:
        log.error("holidays file not applied, keeping the loaded calendar: %s", exc)
        return rt.ctx.deadlines.calendar


async def watch(rt: Runtime, every_seconds: float, stop: asyncio.Event) -> None:
    """Check every ``every_seconds`` until ``stop`` is set; rebuild off the event loop."""
    refused: Signature | None = None  # files already found unservable: log them once
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
        if stop.is_set():
            return
        seen = watched(rt.settings)
        if seen in (rt.kb_signature, refused):
            continue
        try:
            if await asyncio.to_thread(refresh, rt):
                log.info("KB reloaded from disk: %d entries", len(rt.ctx.kb))
            refused = None
        except KBError as exc:  # keep serving the loaded KB; retry when the files change
            refused = seen
            log.error("KB on disk not applied, still serving the loaded KB: %s", exc)
        except Exception:
            refused = seen
            log.exception("KB reload failed, still serving the loaded KB")


def running(rt: Runtime) -> AbstractAsyncContextManager[None]:
    """Watch the KB for the app's lifetime (``kb_watch_seconds`` 0 turns it off)."""
    every = rt.settings.kb_watch_seconds
    return background.running(lambda stop: watch(rt, every, stop), every > 0)

"""KB hot reload (知识库热更新): every server process follows the KB — the files on disk
and the curated versions in the database (``bot.process.kb_store``).

A curator's edit is a new version row; the process that made it reloads at once, and
every other process and host notices here: on PostgreSQL a ``LISTEN vetbot_kb``
thread wakes the watcher within a second of the commit; everywhere, every
``Settings.kb_watch_seconds`` it compares the KB folder's *signature* — name, inode,
mtime and size of each ``*.yaml`` file, a handful of ``stat`` calls — and the
database's newest version number with what its index was built from. On a change
it loads files + versions and builds the index in a worker thread, then swaps
``Runtime.ctx`` in one assignment: requests are answered from the old index meanwhile.

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
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateSyntaxError

from bot.process import background, kb_store
from db import kb_versions
from knowledge import holidays
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
        if not force and not changed(rt, seen):
            return False
        kb, version = kb_store.load(rt.settings.kb_dir, rt.sessions)
        new = unservable(kb) - unservable(rt.ctx.kb)
        if new:
            raise KBError("; ".join(sorted(new)))
        days = dataclasses.replace(rt.ctx.deadlines, calendar=_calendar(rt))
        rt.ctx = dataclasses.replace(rt.ctx, kb=kb, index=Index(kb), deadlines=days)
        rt.kb_signature = seen
        rt.kb_version = version
        return True


def changed(rt: Runtime, seen: Signature | None = None) -> bool:
    """Do the files or the database's curated versions differ from what ``rt`` serves?
    (One stat per file and one small query: run it off the event loop.)"""
    if (seen if seen is not None else watched(rt.settings)) != rt.kb_signature:
        return True
    try:
        db = kb_store.db_version(rt.sessions)
    except Exception:  # database unreachable: keep serving, check again next time
        log.warning("KB versions not checked: database unreachable")
        return False
    served = rt.kb_version.db if rt.kb_version else 0
    return db is not None and db != served


def _calendar(rt: Runtime) -> WorkCalendar:
    """The holidays file as it is now, or the calendar already loaded when it is invalid."""
    try:
        return holidays.load(rt.settings.holidays_file)
    except HolidayFileError as exc:
        log.error("holidays file not applied, keeping the loaded calendar: %s", exc)
        return rt.ctx.deadlines.calendar


async def watch(
    rt: Runtime, every_seconds: float, stop: asyncio.Event, wake: asyncio.Event | None = None
) -> None:
    """Check every ``every_seconds`` (or when ``wake`` is set: a NOTIFY arrived) until
    ``stop`` is set; rebuild off the event loop."""
    refused: tuple[Signature, int | None] | None = None  # found unservable: log it once
    wake = wake or asyncio.Event()
    while True:
        await _sleep(stop, wake, every_seconds)
        if stop.is_set():
            return
        seen = watched(rt.settings)
        if not await asyncio.to_thread(changed, rt, seen):
            continue
        state = (seen, await asyncio.to_thread(_db_version, rt))
        if state == refused:
            continue
        try:
            if await asyncio.to_thread(refresh, rt):
                log.info("KB reloaded from disk: %d entries", len(rt.ctx.kb))
            refused = None
        except KBError as exc:  # keep serving the loaded KB; retry when something changes
            refused = state
            log.error("KB on disk not applied, still serving the loaded KB: %s", exc)
        except Exception:
            refused = state
            log.exception("KB reload failed, still serving the loaded KB")


async def _sleep(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
    wake.clear()


def _db_version(rt: Runtime) -> int | None:
    try:
        return kb_store.db_version(rt.sessions)
    except Exception:
        return None


def _listen(url: str, wake: Callable[[], None], stop: threading.Event) -> None:
    """PostgreSQL: call ``wake`` on every NOTIFY ``vetbot_kb``; reconnect after a failure."""
    import psycopg

    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"LISTEN {kb_versions.CHANNEL}")
                wake()  # anything committed while we were not listening
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        wake()
        except Exception as exc:
            log.warning("KB LISTEN connection lost (%s); polling meanwhile", type(exc).__name__)
            stop.wait(5)


@contextlib.asynccontextmanager
async def _listening(rt: Runtime, wake: asyncio.Event) -> AsyncIterator[None]:
    if rt.engine.dialect.name != "postgresql":
        yield
        return
    loop = asyncio.get_running_loop()
    url = rt.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    stop = threading.Event()
    thread = threading.Thread(
        target=_listen,
        args=(url, lambda: loop.call_soon_threadsafe(wake.set), stop),
        name="vetbot-kb-listen",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 3)


@contextlib.asynccontextmanager
async def running(rt: Runtime) -> AsyncIterator[None]:
    """Watch the KB for the app's lifetime (``kb_watch_seconds`` 0 turns it off)."""
    every = rt.settings.kb_watch_seconds
    wake = asyncio.Event()
    async with (
        _listening(rt, wake) if every > 0 else contextlib.nullcontext(),
        background.running(lambda stop: watch(rt, every, stop, wake), every > 0),
    ):
        yield

"""Wiring: build the engine's Context and the DB from Settings (nothing global)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.process import kb_store, kb_watch
from bot.process.kb_store import KbVersion
from bot.process.metrics import Metrics
from bot.process.settings import Settings
from db.crypto import PiiVault
from db.session import Timeouts, make_engine, session_factory
from intents.context import Context
from intents.deadlines import Deadlines
from intents.flows import default_flows
from knowledge import holidays
from knowledge import kb as kb_mod
from knowledge import regions as regions_mod
from knowledge.clock import Clock, SystemClock, clock_for
from knowledge.index import Index
from knowledge.kb import KnowledgeBase


def build_context(
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    kb: KnowledgeBase | None = None,
) -> Context:
    """The engine's context; ``kb`` defaults to the seed files alone."""
    kb = kb if kb is not None else kb_mod.load(settings.kb_dir)
    tree = regions_mod.load(settings.regions_file)
    if settings.default_region:
        tree = regions_mod.RegionTree(list(tree), settings.default_region)
    return Context(
        kb=kb,
        index=Index(kb, progress=progress),
        regions=tree,
        threshold=settings.answer_threshold,
        deadlines=Deadlines(holidays.load(settings.holidays_file), settings.holiday_shift),
        flows=default_flows(),
    )


@dataclass
class Runtime:
    """Everything a process needs, built once at start and passed down.

    ``ctx`` is replaced as a whole when the KB changes (never mutated), so a
    request that took ``rt.ctx`` keeps one consistent KB and index."""

    settings: Settings
    ctx: Context
    engine: Engine
    sessions: sessionmaker[Session]
    vault: PiiVault
    #: the KB files ``ctx`` was built from (None: taken as the files on disk now)
    kb_signature: kb_watch.Signature | None = None
    kb_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    #: the one source of "now" and "today" (tests pin it: knowledge.clock.FixedClock)
    clock: Clock = field(default_factory=SystemClock)
    #: this process's Prometheus metrics (bot/process/metrics.py); parts increment their own
    metrics: Metrics = field(default_factory=Metrics, repr=False, compare=False)
    #: what ``ctx.kb`` was built from: seed files + curated versions in the DB (None: the
    #: files on disk now, no curated version yet); each bot reply records it
    kb_version: KbVersion | None = None

    def __post_init__(self) -> None:
        if self.kb_signature is None:
            self.kb_signature = kb_watch.watched(self.settings)
        if self.kb_version is None:
            self.kb_version = KbVersion(kb_store.seed_digest(self.settings.kb_dir), 0)

    def reload_kb(self) -> None:
        """Apply KB edits without a restart (from any thread; other processes: bot/process/kb_watch.py).

        Raises ``KBError`` and keeps the current KB when the files cannot be served."""
        kb_watch.refresh(self, force=True)


def vault_for(settings: Settings) -> PiiVault:
    """The PII key ring: the current key, then the keys of before a rotation."""
    previous = tuple(k.strip() for k in settings.secret_key_previous.split(",") if k.strip())
    return PiiVault(settings.secret_key, previous)


def db_timeouts(settings: Settings) -> Timeouts:
    return Timeouts(
        connect=settings.db_connect_timeout,
        statement=settings.db_statement_timeout,
        pool=settings.db_pool_timeout,
    )


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, db_timeouts(settings))
    sessions = session_factory(engine)
    signature = kb_watch.watched(settings)  # before loading: a later edit is seen
    kb, version = kb_store.load(settings.kb_dir, sessions)
    return Runtime(
        settings,
        build_context(settings, kb=kb),
        engine,
        sessions,
        vault_for(settings),
        signature,
        clock=clock_for(settings.today),
        kb_version=version,
    )

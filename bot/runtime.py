"""Wiring: build the engine's Context and the DB from Settings (nothing global)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from db.crypto import PiiVault
from db.session import make_engine, session_factory
from intents.context import Context
from intents.flows import default_flows
from knowledge import kb as kb_mod
from knowledge import regions as regions_mod
from knowledge.index import Index


def build_context(
    settings: Settings, progress: Callable[[int, int], None] | None = None
) -> Context:
    kb = kb_mod.load(settings.kb_dir)
    tree = regions_mod.load(settings.regions_file)
    if settings.default_region:
        tree = regions_mod.RegionTree(list(tree), settings.default_region)
    return Context(
        kb=kb,
        index=Index(kb, progress=progress),
        regions=tree,
        threshold=settings.answer_threshold,
        holiday_shift=settings.holiday_shift,
        flows=default_flows(),
    )


@dataclass
class Runtime:
    """Everything a process needs, built once at start and passed down."""

    settings: Settings
    ctx: Context
    engine: Engine
    sessions: sessionmaker[Session]
    vault: PiiVault

    def reload_kb(self) -> None:
        """Apply KB edits without a restart."""
        kb = kb_mod.load(self.settings.kb_dir)
        self.ctx = replace(self.ctx, kb=kb, index=Index(kb))


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    return Runtime(
        settings,
        build_context(settings),
        engine,
        session_factory(engine),
        PiiVault(settings.secret_key),
    )

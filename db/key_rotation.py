"""Re-sealing personal data under a new VETBOT_SECRET_KEY (``vetbot keys rotate``).

Every column named ``*_enc`` in any table, plus the encrypted JSON columns listed in
``SEALED_JSON``, is opened with the key ring (current key first, then the previous
ones) and sealed again under the current key; the keyed hashes used for matching a
person (ID number, phone) are recomputed from the opened values. Rows are done in
batches, each its own transaction, so a crash leaves a mix that the ring still opens
and a second run finishes (the rotation is idempotent). Lookup-code hashes cannot be
recomputed (the codes are not stored); they keep matching while the old key stays in
VETBOT_SECRET_KEY_PREVIOUS.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Row, Table, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from db.crypto import PiiVault, UnreadableSecret
from db.models import Base

#: encrypted columns that do not follow the ``*_enc`` naming (table → columns)
SEALED_JSON: dict[str, tuple[str, ...]] = {
    "conversations": ("state_json",),
    "inbound_receipts": ("replies_json",),
}
#: keyed hashes recomputed from an encrypted column of the same row (table → hash → source)
REHASHED: dict[str, dict[str, str]] = {
    "tickets": {"id_hash": "id_number_enc", "phone_hash": "phone_enc"},
}
PLAIN_DEFAULTS = ("", "{}", "[]")  # values written before anything was sealed


@dataclass
class Rotation:
    resealed: dict[str, int] = field(default_factory=dict)  # "table.column" → values
    unreadable: dict[str, int] = field(default_factory=dict)  # sealed under an unknown key

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def sealed_columns() -> Iterator[tuple[Table, tuple[Column[str], ...]]]:
    """Each table with encrypted columns, and those columns."""
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if c.name.endswith("_enc")]
        names += [n for n in SEALED_JSON.get(table.name, ()) if n in table.columns]
        if names:
            yield table, tuple(table.columns[n] for n in names)


def _open(vault: PiiVault, token: str | None) -> str | None:
    if token is None or token in PLAIN_DEFAULTS:
        return None
    try:
        return vault.decrypt(token)
    except (binascii.Error, ValueError) as exc:
        if isinstance(exc, UnreadableSecret):
            raise
        raise UnreadableSecret("not a sealed value") from exc


def _reseal_row(
    vault: PiiVault, table: Table, columns: tuple[Column[str], ...], row: Row[Any], out: Rotation
) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    opened: dict[str, str | None] = {}
    for column in columns:
        token = getattr(row, column.name)
        try:
            plain = _open(vault, token)
        except UnreadableSecret:
            key = f"{table.name}.{column.name}"
            out.unreadable[key] = out.unreadable.get(key, 0) + 1
            continue
        opened[column.name] = plain
        if plain is not None:
            changes[column.name] = vault.encrypt(plain)
            key = f"{table.name}.{column.name}"
            out.resealed[key] = out.resealed.get(key, 0) + 1
    for hash_column, source in REHASHED.get(table.name, {}).items():
        if source in opened:
            changes[hash_column] = vault.hash(opened[source])
    return changes


def _batches(
    sessions: sessionmaker[Session], table: Table, columns: tuple[Column[str], ...], size: int
) -> Iterator[tuple[Session, list[Row[Any]]]]:
    """Rows in primary-key order, ``size`` at a time, each batch in its own transaction."""
    pk = list(table.primary_key.columns)
    hashes = [table.columns[h] for h in REHASHED.get(table.name, {})]
    last: tuple[object, ...] | None = None
    while True:
        with sessions() as session, session.begin():
            query = select(*pk, *columns, *hashes).order_by(*pk).limit(size)
            if last is not None:
                query = query.where(tuple_(*pk) > tuple_(*last))
            rows = list(session.execute(query))
            if not rows:
                return
            yield session, rows
            last = tuple(getattr(rows[-1], c.name) for c in pk)


def rotate(
    sessions: sessionmaker[Session],
    vault: PiiVault,
    batch: int = 500,
    progress: Callable[[str, int], None] | None = None,
) -> Rotation:
    """Seal every encrypted value under ``vault.secret`` (opened with its whole ring)."""
    out = Rotation()
    for table, columns in sealed_columns():
        pk = list(table.primary_key.columns)
        for session, rows in _batches(sessions, table, columns, batch):
            for row in rows:
                changes = _reseal_row(vault, table, columns, row, out)
                if changes:
                    where = [c == getattr(row, c.name) for c in pk]
                    session.execute(update(table).where(*where).values(**changes))
            if progress:
                progress(table.name, len(rows))
    return out


def survey(sessions: sessionmaker[Session], vault: PiiVault) -> Survey:
    """Changing nothing (``vetbot keys check``): values sealed under the current key,
    under a previous one (``rotate`` will re-seal them), and under no known key."""
    current = PiiVault(vault.secret)
    out = Survey()
    for _table, columns in sealed_columns():
        with sessions() as session:
            for row in session.execute(select(*columns)):
                for column in columns:
                    out.count(current, vault, getattr(row, column.name))
    return out


@dataclass
class Survey:
    current: int = 0
    previous: int = 0
    unknown: int = 0

    def count(self, current: PiiVault, ring: PiiVault, token: str | None) -> None:
        if token is None or token in PLAIN_DEFAULTS:
            return
        for vault, attr in ((current, "current"), (ring, "previous")):
            try:
                _open(vault, token)
            except UnreadableSecret:
                continue
            setattr(self, attr, getattr(self, attr) + 1)
            return
        self.unknown += 1

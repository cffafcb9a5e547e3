"""Access tokens shared by every worker process: a DB row per client, refreshed once.

WeChat and WeCom hand out a token valid for ~2 h and invalidate the previous one on
each fetch, so processes must not refresh independently. A refresh is three steps, and
no database transaction is open during the HTTP call (on SQLite a transaction holds the
write lock every message needs; on PostgreSQL it would sit idle in transaction):

1. claim: in a short transaction under the row's lock, mark it ``refreshing_until`` a
   little after the fetch's own timeout — unless another process already replaced the
   stale token (use theirs) or holds a live claim (wait for it, then use theirs);
2. fetch the token over HTTP, outside any transaction;
3. store it (and clear the claim) in a second short transaction.

A process that died mid-fetch leaves a claim that simply runs out.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.models import ApiToken, utcnow
from db.session import transaction

MARGIN = dt.timedelta(minutes=5)  # refresh this long before the platform's expiry
CLAIM = dt.timedelta(seconds=30)  # longer than a fetch can take (clients time out at 10 s)
POLL = 0.1  # seconds between looks while another process fetches


@dataclass(frozen=True)
class Fetched:
    value: str
    expires_in: int  # seconds


Fetch = Callable[[], Fetched]


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class TokenCache:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, name: str, fetch: Fetch) -> str:
        """A valid token: the stored one, or a freshly fetched one."""
        with self.sessions() as session:
            row = session.get(ApiToken, name)
            if row is not None and self._valid(row):
                return row.value
            stale = row.value if row is not None else None
        return self.refresh(name, stale, fetch)

    def refresh(self, name: str, stale: str | None, fetch: Fetch) -> str:
        """Fetch a new token unless another process already replaced ``stale``."""
        with self._lock(name):  # one fetch at a time in this process; the others wait here
            give_up = time.monotonic() + CLAIM.total_seconds() + 5
            while (claim := self._claim(name, stale)) is None and time.monotonic() < give_up:
                time.sleep(POLL)  # another process is fetching: wait for its token
            if isinstance(claim, str):
                return claim
            try:
                fetched = fetch()  # no transaction is open during the HTTP call
            except BaseException:
                self._release(name)
                raise
            return self._store(name, fetched)

    def _claim(self, name: str, stale: str | None) -> str | bool | None:
        """A token someone else fetched (str), the claim for us (True), or None: another
        process holds a live claim."""
        with transaction(self.sessions) as session:
            row = self._locked_row(session, name)
            if row.value and row.value != stale and self._valid(row):
                return row.value
            now = self.clock()
            if row.refreshing_until is not None and aware(row.refreshing_until) > now:
                return None
            row.refreshing_until = now + CLAIM
            return True

    def _store(self, name: str, fetched: Fetched) -> str:
        with transaction(self.sessions) as session:
            row = self._locked_row(session, name)
            row.value = fetched.value
            row.expires_at = self.clock() + dt.timedelta(seconds=fetched.expires_in)
            row.refreshing_until = None
            return row.value

    def _release(self, name: str) -> None:
        with transaction(self.sessions) as session:
            self._locked_row(session, name).refreshing_until = None

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def _valid(self, row: ApiToken) -> bool:
        return bool(row.value) and aware(row.expires_at) - MARGIN > self.clock()

    @staticmethod
    def _locked_row(session: Session, name: str) -> ApiToken:
        stmt = select(ApiToken).where(ApiToken.name == name).with_for_update()
        row = session.scalars(stmt).first()
        if row is not None:
            return row
        try:
            with session.begin_nested():
                session.add(ApiToken(name=name, value="", expires_at=utcnow()))
        except IntegrityError:
            pass  # another process inserted it; lock theirs
        return session.scalars(stmt).one()

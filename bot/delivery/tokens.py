"""Access tokens shared by every worker process: a DB row per client, refreshed once.

WeChat and WeCom hand out a token valid for ~2 h and invalidate the previous one on
each fetch, so processes must not refresh independently. The refresh runs under the
row's lock (``FOR UPDATE`` on PostgreSQL; SQLite transactions here are ``BEGIN
IMMEDIATE``), and a process that waited for the lock uses the token the first one got.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.models import ApiToken, utcnow
from db.session import transaction

MARGIN = dt.timedelta(minutes=5)  # refresh this long before the platform's expiry


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
        with transaction(self.sessions) as session:
            row = self._locked_row(session, name)
            if row.value and row.value != stale and self._valid(row):
                return row.value
            fetched = fetch()
            row.value = fetched.value
            row.expires_at = self.clock() + dt.timedelta(seconds=fetched.expires_in)
            return row.value

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

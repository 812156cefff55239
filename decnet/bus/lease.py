"""A named lease in the `leases` table: at most one live holder at a time.

A holder takes the lease when the row is missing or expired and renews it
by calling `acquire` again before `expires_at`. Each step is one
conditional UPDATE or INSERT, so the lease works the same on SQLite,
PostgreSQL and MariaDB. Expiry compares the callers' clocks, so hosts
sharing a lease need synchronised clocks (NTP) and a time to live well
above their skew.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.errors import DecnetError
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import Lease
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

LEASES = cast(sa.Table, Lease.__table__)  # type: ignore[attr-defined]


class LeaseHeldError(DecnetError):
    """Another process holds the lease this one needs."""

    exit_code = 6


def default_holder() -> str:
    """Return a holder id naming this host and process, unique per call."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DatabaseLease:
    """The lease called `name`, held as `holder` for `ttl` seconds per renewal."""

    def __init__(
        self,
        engine: AsyncEngine,
        name: str,
        *,
        holder: str | None = None,
        ttl: float = 30.0,
    ) -> None:
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = ttl
        self._sessions = session_factory(engine)
        self.held = False

    async def acquire(self) -> bool:
        """Take or renew the lease; return whether this holder now holds it."""
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl)
        table = LEASES
        renew = (
            sa.update(table)
            .where(table.c.name == self.name, table.c.holder == self.holder)
            .values(expires_at=expires)
        )
        take_over = (
            sa.update(table)
            .where(table.c.name == self.name, table.c.expires_at < now)
            .values(holder=self.holder, acquired_at=now, expires_at=expires)
        )
        exists = sa.select(table.c.name).where(table.c.name == self.name)
        async with transaction(self._sessions) as session:
            held = _rowcount(await session.execute(renew)) == 1
            if not held:
                held = _rowcount(await session.execute(take_over)) == 1
            missing = not held and (await session.execute(exists)).first() is None
        if missing:
            # Two processes may both find the row missing; the primary key
            # lets one insert win and the other gets IntegrityError.
            held = await self._insert(now, expires)
        self._note_change(held)
        return held

    async def _insert(self, now: datetime, expires: datetime) -> bool:
        row = {
            "name": self.name,
            "holder": self.holder,
            "acquired_at": now,
            "expires_at": expires,
        }
        try:
            async with transaction(self._sessions) as session:
                await session.execute(sa.insert(LEASES).values(**row))
        except IntegrityError:
            return False
        return True

    def _note_change(self, held: bool) -> None:
        if held and not self.held:
            log.info("lease taken", extra={"lease": self.name, "holder": self.holder})
        elif self.held and not held:
            log.warning("lease lost", extra={"lease": self.name, "holder": self.holder})
        self.held = held

    async def release(self) -> None:
        """Give the lease up if this holder holds it, so a standby takes over now."""
        table = LEASES
        async with transaction(self._sessions) as session:
            await session.execute(
                sa.delete(table).where(
                    table.c.name == self.name, table.c.holder == self.holder
                )
            )
        if self.held:
            log.info(
                "lease released", extra={"lease": self.name, "holder": self.holder}
            )
        self.held = False

    async def current_holder(self) -> str | None:
        """Return the holder of an unexpired lease, or None."""
        current = await self.current()
        return None if current is None else current[0]

    async def current(self) -> tuple[str, datetime] | None:
        """Return the holder of an unexpired lease and when it expires, or
        None."""
        table = LEASES
        async with self._sessions() as session:
            row = (
                await session.execute(
                    sa.select(table.c.holder, table.c.expires_at).where(
                        table.c.name == self.name
                    )
                )
            ).first()
        if row is None or row.expires_at < utcnow():
            return None
        return str(row.holder), row.expires_at


def _rowcount(result: Any) -> int:
    return int(cast(sa.CursorResult[Any], result).rowcount)

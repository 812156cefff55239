"""Server-Sent Events from the outbox table: per-user limits and the tail reader.

A stream reads `outbox_events` by sequence number rather than listening on
the in-process bus, so it works the same on every API replica and resumes
from `Last-Event-ID` without loss.

Sequence numbers are allocated at insert time, and on PostgreSQL or MariaDB
two transactions can commit out of order: seq 11 can become visible before
seq 10. The tail therefore remembers the numbers it skipped ("gaps") and
keeps looking for them for `gap_timeout_s` seconds; a gap that never fills
was a rolled-back transaction. Events are delivered at least once and may
arrive out of sequence order when a gap fills, so clients deduplicate by id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.web.api.errors import TooManyStreamsError
from decnet.web.db.models import OutboxEvent

# How far below the starting sequence number the tail looks for rows that
# have not committed yet.
PRIME_WINDOW = 1000
MAX_GAPS = 1000
BATCH = 500


class StreamRegistry:
    """Count open streams per user and reject those over the limit.

    NOTE: counts live in one process; each API replica enforces its own limit.
    """

    def __init__(self, max_per_user: int) -> None:
        self.max_per_user = max_per_user
        self._open: dict[str, int] = {}

    def acquire(self, username: str) -> StreamLease:
        """Reserve one stream for `username`, or raise TooManyStreamsError."""
        count = self._open.get(username, 0)
        if count >= self.max_per_user:
            raise TooManyStreamsError(
                f"user {username!r} already has {count} open event streams "
                f"(limit {self.max_per_user}); close one and retry",
                retry_after_s=5,
            )
        self._open[username] = count + 1
        return StreamLease(self, username)

    def release(self, username: str) -> None:
        count = self._open.get(username, 0) - 1
        if count > 0:
            self._open[username] = count
        else:
            self._open.pop(username, None)

    def open_count(self, username: str) -> int:
        """Return the number of streams `username` has open."""
        return self._open.get(username, 0)


@dataclass
class StreamLease:
    """One reserved stream; `release` is idempotent."""

    registry: StreamRegistry
    username: str
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.registry.release(self.username)


async def latest_seq(session: AsyncSession) -> int:
    """Return the highest outbox sequence number, 0 when the outbox is empty."""
    value = await session.scalar(sa.select(sa.func.max(OutboxEvent.seq)))
    return int(value or 0)


@dataclass
class OutboxTail:
    """Read outbox events whose subject starts with `prefix`, after `cursor`.

    `cursor` is the highest sequence number already accounted for; `gaps`
    maps skipped numbers to the monotonic time after which they are given up.
    """

    prefix: str
    cursor: int
    gap_timeout_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    gaps: dict[int, float] = field(default_factory=dict)

    async def prime(self, session: AsyncSession) -> None:
        """Note the numbers just below `cursor` that are not visible yet."""
        low = max(0, self.cursor - PRIME_WINDOW)
        result = await session.execute(
            sa.select(OutboxEvent.seq).where(
                OutboxEvent.seq > low, OutboxEvent.seq <= self.cursor
            )
        )
        present = set(result.scalars())
        deadline = self.clock() + self.gap_timeout_s
        for seq in range(low + 1, self.cursor + 1):
            if seq not in present and len(self.gaps) < MAX_GAPS:
                self.gaps[seq] = deadline

    async def poll(self, session: AsyncSession) -> tuple[list[OutboxEvent], bool]:
        """Return the next matching events and whether more are waiting."""
        now = self.clock()
        self.gaps = {seq: end for seq, end in self.gaps.items() if end > now}

        result = await session.execute(
            sa.select(OutboxEvent.seq)
            .where(OutboxEvent.seq > self.cursor)
            .order_by(OutboxEvent.seq)
            .limit(BATCH)
        )
        fresh = list(result.scalars())
        filled: list[int] = []
        if self.gaps:
            result = await session.execute(
                sa.select(OutboxEvent.seq).where(OutboxEvent.seq.in_(list(self.gaps)))
            )
            filled = list(result.scalars())
        for seq in filled:
            self.gaps.pop(seq, None)

        expected = self.cursor + 1
        deadline = now + self.gap_timeout_s
        for seq in fresh:
            for missing in range(expected, seq):
                if len(self.gaps) >= MAX_GAPS:
                    break
                self.gaps[missing] = deadline
            expected = seq + 1
        if fresh:
            self.cursor = fresh[-1]

        wanted = filled + fresh
        if not wanted:
            return [], False
        rows = await session.execute(
            sa.select(OutboxEvent)
            .where(
                OutboxEvent.seq.in_(wanted),
                OutboxEvent.subject.startswith(self.prefix, autoescape=True),
            )
            .order_by(OutboxEvent.seq)
        )
        return list(rows.scalars()), len(fresh) == BATCH

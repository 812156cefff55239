"""The outbox relay: publish committed outbox rows to the bus in seq order.

Guarantees:

- At least once. A row is marked published (`published_at`) only after
  the bus has accepted it. When the bus fails, the relay marks the rows
  sent so far, stops at the failed row, backs off and retries from that
  row, so nothing is skipped. A crash between publishing and marking
  sends the row again; NATS drops the repeat by its `Nats-Msg-Id` (the
  seq) within the stream's duplicate window.
- Seq order. Rows are published in ascending seq. Sequence numbers are
  taken at insert time, so on PostgreSQL and MariaDB a transaction can
  commit seq 11 while seq 10 is still open. The relay stops before such a
  gap until the missing row commits or `gap_timeout` seconds have passed
  since the row after the gap was written. A gap older than that is taken
  to be a rolled-back transaction.
- One active relay. Relays take turns through the `outbox-relay` lease in
  the `leases` table; a standby takes over when the holder stops renewing.
  `SELECT ... FOR UPDATE SKIP LOCKED` is not used, because two relays
  sharing the rows would publish their batches out of order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus.base import Bus
from decnet.bus.lease import DatabaseLease, LeaseHeldError
from decnet.errors import DecnetError, InvalidSubjectError
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import OutboxEvent
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "outbox-relay"
PRUNE_INTERVAL_S = 3600.0
OUTBOX = cast(sa.Table, OutboxEvent.__table__)  # type: ignore[attr-defined]


class OutboxRelay:
    """Publish unpublished outbox rows of `engine` to `bus`.

    Each step reads up to `batch_size` rows. When nothing is pending the
    relay waits `poll_interval` seconds. After a failure the wait doubles
    from `poll_interval` up to `max_backoff` seconds. With `retention`,
    `run` deletes rows published longer ago than that, once an hour.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        *,
        batch_size: int = 100,
        poll_interval: float = 0.5,
        max_backoff: float = 30.0,
        gap_timeout: float = 10.0,
        lease_ttl: float = 30.0,
        holder: str | None = None,
        retention: timedelta | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.bus = bus
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.gap_timeout = timedelta(seconds=gap_timeout)
        self.lease = DatabaseLease(engine, LEASE_NAME, holder=holder, ttl=lease_ttl)
        self._sessions = session_factory(engine)
        self.retention = retention
        self._last_seq = 0
        self._standing_by = False
        self._next_prune = 0.0

    async def run(self) -> None:
        """Relay until cancelled; bus and database failures are logged and retried.

        Cancellation waits for the current step to finish, so no database
        statement is cut off mid-transaction, and then releases the lease.
        """
        log.info("outbox relay started", extra={"bus": self.bus.url})
        delay = self.poll_interval
        step: asyncio.Task[int] | None = None
        try:
            while True:
                step = asyncio.create_task(self._step_with_lease())
                try:
                    published = await asyncio.shield(step)
                except (SQLAlchemyError, DecnetError) as exc:
                    log.warning(
                        "outbox relay failed; retrying",
                        extra={"error": str(exc), "retry_in_s": delay},
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_backoff)
                    continue
                except Exception:  # keep the worker alive on an unforeseen fault
                    log.exception("outbox relay step crashed; retrying")
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_backoff)
                    continue
                delay = self.poll_interval
                if published == 0:
                    await asyncio.sleep(self.poll_interval)
        finally:
            await asyncio.shield(self._stop(step))

    async def _stop(self, step: asyncio.Task[int] | None) -> None:
        if step is not None:
            await asyncio.wait([step])
            if not step.cancelled() and step.exception() is not None:
                log.warning(
                    "last relay step failed while stopping",
                    extra={"error": str(step.exception())},
                )
        try:
            await self.lease.release()
        except SQLAlchemyError as exc:
            log.warning("failed to release relay lease", extra={"error": str(exc)})
        log.info("outbox relay stopped", extra={"bus": self.bus.url})

    async def _step_with_lease(self) -> int:
        if not await self.lease.acquire():
            if not self._standing_by:
                log.info(
                    "outbox relay is on standby: another relay has the lease",
                    extra={"holder": await self.lease.current_holder()},
                )
            self._standing_by = True
            return 0
        self._standing_by = False
        published, _waiting = await self.step()
        if self.retention is not None and time.monotonic() >= self._next_prune:
            await self.prune(self.retention)
            self._next_prune = time.monotonic() + PRUNE_INTERVAL_S
        return published

    async def drain(self) -> int:
        """Publish every committed unpublished row and return how many were sent.

        Waits out gaps younger than `gap_timeout`. Raises LeaseHeldError when
        another relay holds the lease and BusUnavailableError when the bus
        fails (rows sent before the failure stay marked).
        """
        if not await self.lease.acquire():
            holder = await self.lease.current_holder()
            raise LeaseHeldError(
                f"relay {holder} has the outbox lease and is publishing; stop "
                "it or wait for its lease to expire"
            )
        total = 0
        try:
            while True:
                published, waiting = await self.step()
                total += published
                if not waiting and published < self.batch_size:
                    return total
                if published == 0:
                    await asyncio.sleep(min(self.poll_interval, 0.1))
                if not await self.lease.acquire():
                    raise LeaseHeldError(
                        f"relay {self.lease.holder} lost the outbox lease while "
                        "draining; another relay continues from where it stopped"
                    )
        finally:
            await self.lease.release()

    async def step(self) -> tuple[int, bool]:
        """Publish one batch; return the count sent and whether a gap held rows back.

        The caller must hold the lease.
        """
        rows, previous = await self._read_batch()
        ready = self._ready(rows, previous)
        sent: list[int] = []
        try:
            for row in ready:
                await self._publish(row)
                sent.append(row.seq)  # type: ignore[arg-type]
        finally:
            if sent:
                await self._mark_published(sent)
        return len(sent), len(ready) < len(rows)

    async def _read_batch(self) -> tuple[Sequence[OutboxEvent], int | None]:
        """Return the next unpublished rows and the highest seq below the first."""
        pending = (
            sa.select(OutboxEvent)
            .where(OUTBOX.c.published_at.is_(None))
            .order_by(OUTBOX.c.seq)
            .limit(self.batch_size)
        )
        async with self._sessions() as session:
            rows = (await session.execute(pending)).scalars().all()
            if not rows:
                return rows, None
            below = sa.select(sa.func.max(OUTBOX.c.seq)).where(
                OUTBOX.c.seq < rows[0].seq
            )
            previous = (await session.execute(below)).scalar()
        return rows, previous

    def _ready(
        self, rows: Sequence[OutboxEvent], previous: int | None
    ) -> list[OutboxEvent]:
        """Return the leading rows that no young seq gap holds back."""
        now = utcnow()
        expected = 1 if previous is None else previous + 1
        ready: list[OutboxEvent] = []
        for row in rows:
            seq = row.seq or 0
            if seq != expected:
                if now - row.created_at < self.gap_timeout:
                    break
                log.debug(
                    "outbox gap taken as rolled back",
                    extra={"missing_from": expected, "missing_to": seq - 1},
                )
            ready.append(row)
            expected = seq + 1
        return ready

    async def _publish(self, row: OutboxEvent) -> None:
        if row.seq is not None and row.seq < self._last_seq:
            # NOTE: a transaction open longer than gap_timeout lands here;
            # consumers that resume by "seq > last seen" miss this event.
            log.warning(
                "publishing outbox event after a higher seq",
                extra={"seq": row.seq, "after_seq": self._last_seq},
            )
        try:
            await self.bus.publish(row.subject, row.payload, seq=row.seq)
        except InvalidSubjectError as exc:
            log.error(
                "outbox event has an unknown subject; marked published unsent",
                extra={"seq": row.seq, "subject": row.subject, "error": str(exc)},
            )
        self._last_seq = max(self._last_seq, row.seq or 0)

    async def prune(self, retention: timedelta) -> int:
        """Delete rows published more than `retention` ago; return the count.

        The highest published row is kept, so the gap check still knows
        where the published prefix ends. Consumers that resume from a seq
        older than the retention miss the deleted events.
        """
        published = OUTBOX.c.published_at.is_not(None)
        async with transaction(self._sessions) as session:
            newest = (
                await session.execute(
                    sa.select(sa.func.max(OUTBOX.c.seq)).where(published)
                )
            ).scalar()
            if newest is None:
                return 0
            result = await session.execute(
                sa.delete(OUTBOX).where(
                    published,
                    OUTBOX.c.published_at < utcnow() - retention,
                    OUTBOX.c.seq < newest,
                )
            )
        count = int(cast(sa.CursorResult[Any], result).rowcount)
        if count:
            log.info("pruned published outbox events", extra={"count": count})
        return count

    async def _mark_published(self, seqs: list[int]) -> None:
        async with transaction(self._sessions) as session:
            await session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.seq.in_(seqs), OUTBOX.c.published_at.is_(None))
                .values(published_at=utcnow())
            )

"""The clusterer process: lease, passes, wake-ups and retries.

`cluster_once` runs one pass in one database transaction, so a failed pass
leaves nothing half-written. Only the holder of the `identity-clusterer`
lease writes; a second worker waits as a hot standby and takes over when the
lease expires. The worker wakes on `attacker.observed` events (when a bus is
given) and on a timer, runs incremental passes, and a full pass every
`full_every` seconds to refresh frequencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from decnet.bus.lease import DatabaseLease, LeaseHeldError
from decnet.clustering.params import ModelParams
from decnet.clustering.passes import PassProgress, PassReport, run_pass
from decnet.web.db.models import AnalystDecision, Lease
from decnet.web.db.types import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "identity-clusterer"
# A failed pass logs this many of its observation uuids, and the count.
LOGGED_UUIDS = 20
# Upper bound of the SQLite page cache of a pass, in KiB, against SQLite's
# default of 2,000 KiB. A pass writes all its rows in one transaction, and
# once its dirty pages outgrow the cache SQLite spills them to the WAL, where
# each later page read searches a WAL index that keeps growing. A full pass
# at 100,000 observations spent 4.7 s of system CPU on page reads and writes
# with the default and 1.9 s with 128 MiB. At 1,000,000 observations the
# first full pass took 196 s with 128 MiB and 177 s with 512 MiB, and
# peaked at 3.0 GB and 3.4 GB (bench/cluster_scale.py fleet, 2 cores, one
# run each). SQLite allocates pages only as a pass needs them.
SQLITE_PASS_CACHE_KIB = 524_288
leases = Lease.__table__


def clusterer_lease(
    engine: AsyncEngine, *, holder: str | None = None, ttl_s: float = 600.0
) -> DatabaseLease:
    """Return the write lease of the identity clusterer."""
    return DatabaseLease(engine, LEASE_NAME, holder=holder, ttl=ttl_s)


async def cluster_once(
    engine: AsyncEngine,
    *,
    full: bool = True,
    params: ModelParams | None = None,
    holder: str | None = None,
    lease_ttl_s: float = 600.0,
    progress: PassProgress | None = None,
) -> PassReport:
    """Run one clusterer pass and return its report.

    Without `holder`, the pass takes the lease for its own duration and
    raises LeaseHeldError (from `decnet.bus.lease`) when a worker holds it.
    With `holder`, the caller (the worker) holds the lease; it is renewed
    first and kept afterwards. `progress` receives the stage and the
    observations of the pass, so that a caller can log them on failure.
    """
    params = params or ModelParams()
    own = holder is None
    lease = clusterer_lease(engine, holder=holder, ttl_s=lease_ttl_s)
    holder = lease.holder
    if not await lease.acquire():
        current = await lease.current()
        other_holder, until = current or ("another process", None)
        expiry = f" until {until:%Y-%m-%d %H:%M:%S} UTC" if until else ""
        raise LeaseHeldError(
            f"the write lease {LEASE_NAME!r} is held by clusterer "
            f"{other_holder}{expiry}; "
            "stop it, or wait for the lease to expire if that process has died"
        )
    try:
        async with engine.begin() as conn, _sqlite_page_cache(conn):
            report = await conn.run_sync(run_pass, params, full=full, progress=progress)
            # Commit only while still holding the lease: a pass that outlived
            # it may race a standby that took over, so it rolls back.
            renewed = await conn.execute(
                sa.update(leases)
                .where(leases.c.name == LEASE_NAME, leases.c.holder == holder)
                .values(expires_at=utcnow() + timedelta(seconds=lease_ttl_s))
            )
            if not renewed.rowcount:
                raise LeaseHeldError(
                    f"clusterer {holder} lost the write lease during a pass; "
                    "the pass was rolled back and will be retried"
                )
    finally:
        if own:
            await lease.release()
    log.info("clusterer pass finished", extra=report.as_dict())
    return report


@contextlib.asynccontextmanager
async def _sqlite_page_cache(conn: AsyncConnection) -> AsyncIterator[None]:
    """Enlarge SQLite's page cache for one pass and restore it afterwards.
    Other databases are left alone."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = (await conn.exec_driver_sql("PRAGMA cache_size")).scalar_one()
    await conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_PASS_CACHE_KIB}")
    try:
        yield
    finally:
        # A failed restore only leaves the larger cache on this connection,
        # so it must not hide the error of the pass.
        with contextlib.suppress(sa.exc.DBAPIError):
            await conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


class Worker:
    """The `decnet clusterer` loop.

    `interval_s` is the timer between incremental passes, `full_every_s` the
    time between full passes, `lease_ttl_s` how long the lease lasts without
    renewal (a standby takes over after that), `debounce_s` how long a wake-up
    waits for more events before the pass starts. After a failed pass the
    worker waits `backoff_s`, doubled after each further failure up to
    `max_backoff_s`, then retries.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        params: ModelParams | None = None,
        interval_s: float = 30.0,
        full_every_s: float = 3600.0,
        lease_ttl_s: float = 60.0,
        debounce_s: float = 0.2,
        backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
    ) -> None:
        if not 0 < backoff_s <= max_backoff_s:
            raise ValueError(
                f"invalid back-off {backoff_s} s: it must be positive and at most "
                f"max_backoff_s ({max_backoff_s} s)"
            )
        self.engine = engine
        self.params = params or ModelParams()
        self.interval_s = interval_s
        self.full_every_s = full_every_s
        self.lease_ttl_s = lease_ttl_s
        self.debounce_s = debounce_s
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.lease = clusterer_lease(engine, ttl_s=lease_ttl_s)
        self.holder = self.lease.holder
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.passes = 0
        self.failures = 0
        self.last_full: float | None = None
        self.decisions_seen: tuple[int, int | None, int] | None = None
        self.on_pass: Callable[[PassReport], Awaitable[None] | None] | None = None

    async def _decisions_marker(self) -> tuple[int, int | None, int]:
        """Return (count, newest id, revoked count) of the analyst decisions."""
        table = AnalystDecision.__table__
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(
                        sa.func.count(),
                        sa.func.max(table.c.id),
                        sa.func.count(table.c.revoked_at),
                    )
                )
            ).one()
        return int(row[0]), row[1], int(row[2])

    def notify(self, *_args: Any) -> None:
        """Wake the loop for an incremental pass (an `attacker.observed` handler)."""
        self.wake.set()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    async def run(self) -> None:
        """Hold the lease and run passes until `stop`; a standby waits here."""
        log.info("clusterer started", extra={"holder": self.holder})
        backoff = self.backoff_s
        loop = asyncio.get_running_loop()
        try:
            while not self.stopping.is_set():
                full = self.last_full is None or (
                    loop.time() - self.last_full >= self.full_every_s
                )
                progress = PassProgress(full=full, stage="take lease")
                # A database error while taking the lease is retried like a
                # failed pass, so an outage does not end the worker.
                try:
                    if not await self.lease.acquire():
                        await self._sleep(self.lease_ttl_s / 3)
                        continue
                    decisions = await self._decisions_marker()
                    # An analyst split, cannot-link or revocation changes no
                    # observation, so an incremental pass would not see it;
                    # a full pass applies it.
                    if decisions != self.decisions_seen:
                        full = progress.full = True
                    report = await cluster_once(
                        self.engine,
                        full=full,
                        params=self.params,
                        holder=self.holder,
                        lease_ttl_s=self.lease_ttl_s,
                        progress=progress,
                    )
                except Exception as exc:  # the loop must survive any failed pass
                    self.failures += 1
                    self._log_failure(exc, progress, backoff)
                    await self._back_off(backoff)
                    backoff = min(backoff * 2, self.max_backoff_s)
                    continue
                backoff = self.backoff_s
                self.passes += 1
                self.decisions_seen = decisions
                if report.full:
                    self.last_full = loop.time()
                if self.on_pass is not None:
                    maybe = self.on_pass(report)
                    if maybe is not None:
                        await maybe
                await self._sleep(self.interval_s)
                if self.wake.is_set() and not self.stopping.is_set():
                    await asyncio.sleep(self.debounce_s)
        finally:
            await self.lease.release()
            log.info(
                "clusterer stopped",
                extra={"holder": self.holder, "passes": self.passes},
            )

    def _log_failure(
        self, exc: Exception, progress: PassProgress, retry_in_s: float
    ) -> None:
        uuids = progress.observation_uuids
        log.error(
            "clusterer pass failed and was rolled back; retrying after back-off",
            extra={
                "holder": self.holder,
                "full": progress.full,
                "stage": progress.stage,
                "observation_count": len(uuids),
                "observation_uuids": uuids[:LOGGED_UUIDS],
                "error": f"{type(exc).__name__}: {exc}",
                "retry_in_s": retry_in_s,
                "failures": self.failures,
            },
            exc_info=log.isEnabledFor(logging.DEBUG),
        )

    async def _back_off(self, seconds: float) -> None:
        """Sleep until `seconds` pass or the worker stops. Wake-ups do not cut
        a back-off short, so a stream of events cannot hammer a failing
        database."""
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _sleep(self, seconds: float) -> None:
        """Sleep until `seconds` pass, a wake-up arrives or the worker stops."""
        try:
            await asyncio.wait_for(self.wake.wait(), timeout=seconds)
        except TimeoutError:
            pass
        self.wake.clear()

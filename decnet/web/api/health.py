"""Health checks: database, outbox backlog towards the bus, clusterer lag."""

from __future__ import annotations

import time
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.web.api.schemas.health import BusHealth, ClustererHealth, DatabaseHealth
from decnet.web.db.engine import redact
from decnet.web.db.models import Attacker, Lease, OutboxEvent
from decnet.web.db.types import utcnow

CLUSTERER_LEASE = "identity-clusterer"  # decnet.clustering.worker.LEASE_NAME


async def check_database(session: AsyncSession) -> DatabaseHealth:
    """Run `SELECT 1` and read the Alembic revisions; never raises."""
    started = time.perf_counter()
    try:
        await session.execute(sa.text("SELECT 1"))
        latency = (time.perf_counter() - started) * 1000
        rows = await session.execute(sa.text("SELECT version_num FROM alembic_version"))
        revisions = sorted(str(r) for r in rows.scalars())
    except Exception as exc:  # every driver raises its own family of errors
        await session.rollback()
        message = str(exc).splitlines()[0] if str(exc) else ""
        return DatabaseHealth(
            ok=False,
            latency_ms=None,
            revisions=[],
            error=f"{type(exc).__name__}: {message}",
        )
    return DatabaseHealth(ok=True, latency_ms=round(latency, 3), revisions=revisions)


async def check_bus(session: AsyncSession, bus_url: str) -> BusHealth:
    """Report the outbox backlog; the bus is healthy when the backlog is draining."""
    unpublished = await session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None))
    )
    oldest: datetime | None = await session.scalar(
        sa.select(sa.func.min(OutboxEvent.created_at)).where(
            OutboxEvent.published_at.is_(None)
        )
    )
    age = _age_s(oldest)
    # NOTE: without a relay in this process the backlog only reflects other
    # processes; an age over five minutes is reported as not ok.
    return BusHealth(
        ok=age is None or age < 300,
        url=redact(bus_url),
        unpublished=unpublished or 0,
        oldest_unpublished_age_s=age,
    )


async def check_clusterer(session: AsyncSession) -> ClustererHealth:
    """Read the clusterer lease and compare the newest observation and identity events.

    Never raises on missing rows: every field is null or false then.
    """
    lease = await session.get(Lease, CLUSTERER_LEASE)
    observed = await _newest_event(session, "attacker.")
    resolved = await _newest_event(session, "identity.")
    lag = None
    if observed is not None and resolved is not None:
        lag = max(0.0, (observed - resolved).total_seconds())
    unresolved = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Attacker)
        .where(Attacker.identity_id.is_(None))
    )
    return ClustererHealth(
        lease_holder=lease.holder if lease else None,
        lease_expires_at=lease.expires_at if lease else None,
        lease_live=bool(lease and lease.expires_at > utcnow()),
        lag_s=lag,
        unresolved_observations=unresolved or 0,
    )


async def _newest_event(session: AsyncSession, prefix: str) -> datetime | None:
    seq = await session.scalar(
        sa.select(sa.func.max(OutboxEvent.seq)).where(
            OutboxEvent.subject.startswith(prefix, autoescape=True)
        )
    )
    if seq is None:
        return None
    return await session.scalar(
        sa.select(OutboxEvent.created_at).where(OutboxEvent.seq == seq)
    )


def _age_s(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return round(max(0.0, (utcnow() - moment).total_seconds()), 3)

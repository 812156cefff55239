"""Health report of the API and the parts it depends on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class DatabaseHealth(BaseModel):
    """Whether the database answered, how fast, and its schema revisions."""

    ok: bool
    latency_ms: float | None
    revisions: list[str]
    error: str | None = None


class BusHealth(BaseModel):
    """The outbox backlog: events not yet acknowledged by the bus."""

    ok: bool
    url: str
    unpublished: int | None
    oldest_unpublished_age_s: float | None


class ClustererHealth(BaseModel):
    """The clusterer's lease and how far it trails ingest.

    `lag_s` is how much newer the newest `attacker.observed` event is than
    the newest `identity.*` event (0 when identities are newer); null when
    either is missing. `unresolved_observations` counts observations with no
    identity.
    """

    lease_holder: str | None
    lease_expires_at: datetime | None
    lease_live: bool
    lag_s: float | None
    unresolved_observations: int | None


class HealthReport(BaseModel):
    """`ok` when the database answers, else `unavailable` (HTTP 503)."""

    status: Literal["ok", "degraded", "unavailable"]
    version: str
    database: DatabaseHealth
    bus: BusHealth
    clusterer: ClustererHealth

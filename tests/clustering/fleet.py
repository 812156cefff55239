"""Write observations and features straight into the tables for clusterer tests.

Addresses come from the documentation ranges; values are made up so that
each test states exactly which evidence its observations share.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.db.models import Attacker, ObservationFeature

BASE_TIME = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def doc_ip(n: int) -> str:
    """Return the n-th address of 198.51.100.0/24 then 203.0.113.0/24, then
    2001:db8:: addresses."""
    if n < 254:
        return f"198.51.100.{n + 1}"
    if n < 508:
        return f"203.0.113.{n - 253}"
    return f"2001:db8::{n:x}"


def make_uuid(n: int) -> str:
    """Return a deterministic uuid for observation `n`, sortable by `n`."""
    return str(uuid.UUID(int=(0xABC << 116) | n))


async def add_observations(
    engine: AsyncEngine,
    fleet: Sequence[Iterable[tuple[str, str]]],
    *,
    start: int = 0,
    flagged: Iterable[int] = (),
    minutes_apart: int = 5,
) -> list[str]:
    """Insert one observation per entry of `fleet` with its (kind, value)
    features and return their uuids."""
    flagged = set(flagged)
    attackers, feats = [], []
    uuids = []
    for offset, features in enumerate(fleet):
        n = start + offset
        obs = make_uuid(n)
        uuids.append(obs)
        seen = BASE_TIME + timedelta(minutes=minutes_apart * n)
        attackers.append(
            {
                "uuid": obs,
                "ip": doc_ip(n),
                "first_seen_at": seen,
                "last_seen_at": seen + timedelta(minutes=1),
                "is_gateway": n in flagged,
                "created_at": seen,
                "updated_at": seen,
            }
        )
        for kind, value in dict.fromkeys(features):
            feats.append(
                {
                    "observation_uuid": obs,
                    "kind": kind,
                    "value": value,
                    "value_key": hashlib.sha256(value.encode()).hexdigest(),
                    "occurrences": 1,
                }
            )
    async with engine.begin() as conn:
        await conn.execute(sa.insert(Attacker.__table__), attackers)
        if feats:
            await conn.execute(sa.insert(ObservationFeature.__table__), feats)
    return uuids

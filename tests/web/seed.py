"""A small populated database: identities, a merge, evidence, sessions, a campaign.

Addresses come from the documentation ranges. Timestamps are fixed so that
ordering assertions do not depend on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.db import repository
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import AttackerSession, Campaign, IdentityLink
from decnet.web.db.types import simhash_from_int

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HASSH = "92674389fa1e47a27ddd8d9b63ecd42b"


@dataclass(frozen=True)
class Seeded:
    """Uuids of the seeded rows."""

    old: str  # canonical, two observations of its own plus the merged one
    new: str  # canonical, newest updated, in the campaign
    merged: str  # merged into `old`
    campaign: str
    obs_old: tuple[str, str]
    obs_new: str
    obs_merged: str
    obs_unresolved: str


async def seed(engine: AsyncEngine) -> Seeded:
    """Insert the rows described in the module docstring and return their uuids."""
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        campaign = Campaign(name="ssh-miner", first_seen_at=T0, last_seen_at=T0)
        session.add(campaign)
        await session.flush()

        old = await repository.create_identity(
            session,
            first_seen_at=T0,
            last_seen_at=T0 + timedelta(days=1),
            updated_at=T0,
            confidence=0.91,
            observation_count=2,
            hassh_hashes=[HASSH],
            c2_endpoints=["198.51.100.200:4444"],
        )
        new = await repository.create_identity(
            session,
            first_seen_at=T0,
            updated_at=T0 + timedelta(hours=5),
            campaign_id=campaign.uuid,
            kd_digraph_simhash=simhash_from_int(0x0123456789ABCDEF),
            ja3_hashes=["e7d705a3286e19ea42f587b344ee6865"],
            observation_count=1,
        )
        merged = await repository.create_identity(session, updated_at=T0)

        observations = []
        for index, ip in enumerate(
            ["192.0.2.10", "192.0.2.11", "198.51.100.7", "203.0.113.5", "2001:db8::5"]
        ):
            row = await repository.upsert_observation(
                session,
                ip,
                first_seen_at=T0 + timedelta(hours=index),
                last_seen_at=T0 + timedelta(hours=index + 1),
                session_count=1,
                hassh_hashes=[HASSH],
            )
            observations.append(row.uuid)
        a, b, c, d, unresolved = observations
        await repository.link_observation(session, a, old.uuid)
        await repository.link_observation(session, b, old.uuid)
        await repository.link_observation(session, c, new.uuid)
        await repository.link_observation(session, d, merged.uuid)
        await repository.merge_identities(session, old.uuid, merged.uuid)
        # The merge bumps `old`; restore the fixed ordering timestamp.
        old.updated_at = T0
        await session.flush()

        first, second = sorted((a, b))
        session.add(
            IdentityLink(
                identity_uuid=old.uuid,
                observation_a=first,
                observation_b=second,
                weight_bits=14.2,
                posterior=0.999,
                features=[
                    {"kind": "hassh", "value": HASSH, "frequency": 2, "weight": 2.6},
                    {
                        "kind": "c2_endpoint",
                        "value": "198.51.100.200:4444",
                        "frequency": 2,
                        "weight": 11.6,
                    },
                ],
            )
        )
        repository.record_history(
            session,
            a,
            "linked",
            "shared C2 endpoint",
            identity_uuid=old.uuid,
            confidence=0.9,
        )
        repository.record_history(
            session,
            a,
            "relinked",
            "merged identities",
            identity_uuid=old.uuid,
            previous_identity_uuid=merged.uuid,
        )
        session.add(
            AttackerSession(
                observation_uuid=a,
                sensor="sensor-1",
                session_id="a1b2c3d4e5f6",
                connect_key="k1",
                protocol="ssh",
                started_at=T0,
                hassh=HASSH,
                commands=[{"input": "uname -a", "failed": False, "truncated": False}],
                kd_digraph_simhash=simhash_from_int(1),
            )
        )
    return Seeded(
        old=old.uuid,
        new=new.uuid,
        merged=merged.uuid,
        campaign=campaign.uuid,
        obs_old=(a, b),
        obs_new=c,
        obs_merged=d,
        obs_unresolved=unresolved,
    )

"""Read which identity and campaign each observation belongs to.

An assignment is `{ip, observation_uuid, identity_uuid, campaign_uuid}`,
with the identity and campaign resolved to their canonical rows. A
merged-out row points at its winner, and one hop suffices because the
storage layer compresses merge chains. Unresolved observations have
`identity_uuid` null.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO, TypedDict

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from decnet.web.db.models import Attacker, AttackerIdentity, Campaign


class Assignment(TypedDict):
    """One observation's place in the identity and campaign hierarchy."""

    ip: str
    observation_uuid: str
    identity_uuid: str | None
    campaign_uuid: str | None


def _query() -> sa.Select[tuple[str, str, str | None, str | None]]:
    linked = aliased(AttackerIdentity)
    canonical = aliased(AttackerIdentity)
    campaign = aliased(Campaign)
    identity_uuid = sa.func.coalesce(linked.merged_into_uuid, linked.uuid)
    campaign_uuid = sa.func.coalesce(campaign.merged_into_uuid, campaign.uuid)
    return (
        sa.select(Attacker.ip, Attacker.uuid, identity_uuid, campaign_uuid)
        .select_from(Attacker)
        .outerjoin(linked, linked.uuid == Attacker.identity_id)
        .outerjoin(canonical, canonical.uuid == identity_uuid)
        .outerjoin(campaign, campaign.uuid == canonical.campaign_id)
        .order_by(Attacker.ip)
    )


async def iter_assignments(engine: AsyncEngine) -> AsyncIterator[Assignment]:
    """Yield every observation's assignment, ordered by IP.

    Rows stream from the database in batches, so the table never sits in
    memory at once.
    """
    async with engine.connect() as connection:
        result = await connection.stream(_query().execution_options(yield_per=5000))
        async for ip, observation, identity, campaign in result:
            yield Assignment(
                ip=ip,
                observation_uuid=observation,
                identity_uuid=identity,
                campaign_uuid=campaign,
            )


async def write_assignments(engine: AsyncEngine, stream: IO[bytes]) -> int:
    """Write assignments as JSON lines to `stream`; return how many were written."""
    count = 0
    async for assignment in iter_assignments(engine):
        stream.write(orjson.dumps(assignment) + b"\n")
        count += 1
    return count

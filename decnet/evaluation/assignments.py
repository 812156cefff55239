"""Read which identity and campaign each observation belongs to.

An assignment is `{ip, observation_uuid, identity_uuid, campaign_uuid}`,
with the identity and campaign resolved to their canonical rows. A
merged-out row points at its winner, and one hop suffices because the
storage layer compresses merge chains. Unresolved observations have
`identity_uuid` null.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO, Any, TypedDict

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from decnet.web.db.models import Attacker, AttackerIdentity, Campaign


class Assignment(TypedDict):
    """One observation's place in the identity and campaign hierarchy."""

    ip: str
    observation_uuid: str
    identity_uuid: str | None
    campaign_uuid: str | None


def _query() -> sa.Select[Any]:
    # Core tables rather than the SQLModel classes, so columns are typed.
    tables = SQLModel.metadata.tables
    observations = tables[Attacker.__tablename__]
    linked = tables[AttackerIdentity.__tablename__].alias("linked")
    canonical = tables[AttackerIdentity.__tablename__].alias("canonical")
    campaign = tables[Campaign.__tablename__].alias("campaign")
    identity_uuid = sa.func.coalesce(linked.c.merged_into_uuid, linked.c.uuid)
    campaign_uuid = sa.func.coalesce(campaign.c.merged_into_uuid, campaign.c.uuid)
    return (
        sa.select(observations.c.ip, observations.c.uuid, identity_uuid, campaign_uuid)
        .select_from(observations)
        .outerjoin(linked, linked.c.uuid == observations.c.identity_id)
        .outerjoin(canonical, canonical.c.uuid == identity_uuid)
        .outerjoin(campaign, campaign.c.uuid == canonical.c.campaign_id)
        .order_by(observations.c.ip)
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

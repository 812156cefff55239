"""Assemble response models that need more than one query."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from decnet.web.api import queries
from decnet.web.api.actions import require_identity
from decnet.web.api.schemas.identity import IdentityDetail, IdentityPublic
from decnet.web.api.schemas.observation import (
    AttackerDetail,
    AttackerPublic,
    SessionPublic,
)
from decnet.web.db import repository
from decnet.web.db.models import Attacker

SESSIONS_LIMIT = 100


async def identity_detail(session: AsyncSession, uuid: str) -> IdentityDetail:
    """Return the canonical identity of `uuid` with its live count and merged uuids."""
    identity = await require_identity(session, uuid)
    members = await repository.member_uuids(session, identity.uuid)
    live = await repository.live_observation_count(session, identity.uuid)
    public = IdentityPublic.model_validate(identity)
    return IdentityDetail(
        **public.model_dump(),
        observation_count_live=live,
        resolved_from=uuid if uuid != identity.uuid else None,
        merged_uuids=members[1:],
    )


async def attacker_detail(session: AsyncSession, attacker: Attacker) -> AttackerDetail:
    """Return an observation with its canonical identity and newest sessions."""
    canonical = None
    if attacker.identity_id is not None:
        identity = await repository.resolve_identity(session, attacker.identity_id)
        canonical = identity.uuid if identity else None
    total, sessions = await queries.list_sessions(
        session, attacker.uuid, limit=SESSIONS_LIMIT
    )
    public = AttackerPublic.model_validate(attacker)
    return AttackerDetail(
        **public.model_dump(),
        canonical_identity_id=canonical,
        session_total=total,
        sessions_limit=SESSIONS_LIMIT,
        sessions=[SessionPublic.model_validate(s) for s in sessions],
    )

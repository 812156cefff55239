"""Identities: create, update, link observations, soft-merge and resolve.

Merge chains are kept one hop long (chain compression): when an identity
loses a merge, every identity that had been merged into it is repointed at
the new winner in the same transaction. The schema enforces this (see
`decnet.web.db.models.identity`), so a cycle cannot be stored.

A merge moves no observation: an observation linked to a loser still names
the loser in `identity_id`, and every query for a canonical identity counts
the observations of the identities merged into it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.errors import IntegrityViolationError, NotFoundError
from decnet.web.db.models import (
    CANONICAL,
    MERGED,
    Attacker,
    AttackerIdentity,
    IdentityHistory,
)
from decnet.web.db.repository.pages import Page, check_window, fetch_page
from decnet.web.db.types import utcnow

_PROTECTED = frozenset(
    {"uuid", "merged_into_uuid", "merge_state", "merge_target_state", "created_at"}
)
# Chains are compressed to one hop; the bound only stops a corrupt database
# from looping forever.
_MAX_HOPS = 64


async def create_identity(session: AsyncSession, **fields: Any) -> AttackerIdentity:
    """Insert a canonical identity with a fresh uuid4 (unless `uuid` is given)."""
    merge_fields = {"merged_into_uuid", "merge_state", "merge_target_state"} & set(
        fields
    )
    if merge_fields:
        raise IntegrityViolationError(
            "a new identity cannot start merged; use merge_identities"
        )
    identity = AttackerIdentity(**fields)
    session.add(identity)
    await session.flush()
    return identity


async def update_identity(
    session: AsyncSession, uuid: str, **fields: Any
) -> AttackerIdentity:
    """Set `fields` (not the merge columns) on identity `uuid`; bump updated_at."""
    forbidden = set(fields) & _PROTECTED
    if forbidden:
        raise IntegrityViolationError(
            f"cannot set {', '.join(sorted(forbidden))} through update_identity"
        )
    identity = await _require(session, uuid)
    for name, value in fields.items():
        setattr(identity, name, value)
    identity.updated_at = utcnow()
    await session.flush()
    return identity


async def get_identity(session: AsyncSession, uuid: str) -> AttackerIdentity | None:
    """Return the identity row `uuid` as stored, merged or not."""
    return await session.get(AttackerIdentity, uuid)


async def resolve_identity(session: AsyncSession, uuid: str) -> AttackerIdentity | None:
    """Return the canonical identity for `uuid`, following `merged_into_uuid`."""
    identity = await session.get(AttackerIdentity, uuid)
    hops = 0
    while identity is not None and identity.merged_into_uuid is not None:
        hops += 1
        if hops > _MAX_HOPS:
            raise IntegrityViolationError(
                f"merge chain from identity {uuid} does not end"
            )
        identity = await session.get(AttackerIdentity, identity.merged_into_uuid)
    return identity


async def member_uuids(session: AsyncSession, canonical_uuid: str) -> list[str]:
    """Return `canonical_uuid` and the uuids of every identity merged into it."""
    result = await session.execute(
        sa.select(AttackerIdentity.uuid).where(
            AttackerIdentity.merged_into_uuid == canonical_uuid
        )
    )
    return [canonical_uuid, *sorted(result.scalars())]


async def link_observation(
    session: AsyncSession,
    observation_uuid: str,
    identity_uuid: str | None,
) -> Attacker:
    """Point an observation at an identity (its canonical winner), or at none."""
    observation = await session.get(Attacker, observation_uuid)
    if observation is None:
        raise NotFoundError(f"observation {observation_uuid} not found")
    if identity_uuid is None:
        observation.identity_id = None
    else:
        identity = await resolve_identity(session, identity_uuid)
        if identity is None:
            raise NotFoundError(f"identity {identity_uuid} not found")
        observation.identity_id = identity.uuid
    await session.flush()
    return observation


async def merge_identities(
    session: AsyncSession, winner_uuid: str, loser_uuid: str
) -> list[str]:
    """Merge identity `loser_uuid` into `winner_uuid`; return moved observations.

    Both uuids are first resolved to their canonical identities. The loser
    row stays, pointing at the winner; identities that had been merged into
    the loser are repointed at the winner. Returns the uuids of the
    observations that now count towards the winner through the loser.

    Raises NotFoundError for an unknown uuid and IntegrityViolationError when
    both resolve to the same identity (a merge into itself or into one of
    its own losers).
    """
    if winner_uuid == loser_uuid:
        raise IntegrityViolationError(
            f"cannot merge identity {winner_uuid} into itself"
        )
    winner = await resolve_identity(session, winner_uuid)
    loser = await resolve_identity(session, loser_uuid)
    if winner is None:
        raise NotFoundError(f"identity {winner_uuid} not found")
    if loser is None:
        raise NotFoundError(f"identity {loser_uuid} not found")
    if winner.uuid == loser.uuid:
        raise IntegrityViolationError(
            f"identities {winner_uuid} and {loser_uuid} are already one identity "
            f"({winner.uuid}); nothing to merge"
        )

    moved_members = await member_uuids(session, loser.uuid)
    # Repoint the loser's own losers first: the schema rejects merging a row
    # that other rows still reference as canonical.
    await session.execute(
        sa.update(AttackerIdentity)
        .where(AttackerIdentity.merged_into_uuid == loser.uuid)
        .values(merged_into_uuid=winner.uuid, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        sa.update(AttackerIdentity)
        .where(AttackerIdentity.uuid == loser.uuid)
        .values(merged_into_uuid=winner.uuid, merge_state=MERGED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    observations = await _observations_of(session, moved_members)
    winner.observation_count = await live_observation_count(session, winner.uuid)
    winner.updated_at = utcnow()
    await session.flush()
    await _refresh(session, loser.uuid, *moved_members)
    return observations


async def unmerge_identity(session: AsyncSession, loser_uuid: str) -> str:
    """Make a merged-away identity canonical again; return its former winner."""
    loser = await _require(session, loser_uuid)
    if loser.merged_into_uuid is None:
        raise IntegrityViolationError(
            f"identity {loser_uuid} is not merged into another"
        )
    former = loser.merged_into_uuid
    await session.execute(
        sa.update(AttackerIdentity)
        .where(AttackerIdentity.uuid == loser_uuid)
        .values(merged_into_uuid=None, merge_state=CANONICAL, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await _refresh(session, loser_uuid)
    for uuid in (loser_uuid, former):
        identity = await _require(session, uuid)
        identity.observation_count = await live_observation_count(session, uuid)
    await session.flush()
    return former


async def list_identities(
    session: AsyncSession, *, limit: int = 50, offset: int = 0
) -> Page[AttackerIdentity]:
    """Return canonical identities, newest-updated first, without merged-out rows."""
    check_window(limit, offset)
    canonical = AttackerIdentity.merged_into_uuid.is_(None)
    return await fetch_page(
        session,
        AttackerIdentity,
        [canonical],
        [AttackerIdentity.updated_at.desc(), AttackerIdentity.uuid],
        limit=limit,
        offset=offset,
    )


async def live_observation_count(session: AsyncSession, uuid: str) -> int:
    """Count the observations of `uuid`'s canonical identity and its losers."""
    identity = await resolve_identity(session, uuid)
    if identity is None:
        raise NotFoundError(f"identity {uuid} not found")
    members = await member_uuids(session, identity.uuid)
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Attacker)
        .where(Attacker.identity_id.in_(members))
    )
    return count or 0


async def list_identity_observations(
    session: AsyncSession, uuid: str, *, limit: int = 50, offset: int = 0
) -> Page[Attacker]:
    """Return the observations of `uuid`'s canonical identity and its losers."""
    from decnet.web.db.repository.observations import list_observations

    identity = await resolve_identity(session, uuid)
    if identity is None:
        raise NotFoundError(f"identity {uuid} not found")
    members = await member_uuids(session, identity.uuid)
    return await list_observations(
        session, limit=limit, offset=offset, identity_uuids=members
    )


def record_history(
    session: AsyncSession,
    observation_uuid: str,
    action: str,
    reason: str,
    *,
    identity_uuid: str | None,
    previous_identity_uuid: str | None = None,
    confidence: float | None = None,
    actor: str = "clusterer",
) -> IdentityHistory:
    """Stage one identity-history row for an observation in the session."""
    entry = IdentityHistory(
        observation_uuid=observation_uuid,
        identity_uuid=identity_uuid,
        previous_identity_uuid=previous_identity_uuid,
        action=action,
        reason=reason,
        confidence=confidence,
        actor=actor,
    )
    session.add(entry)
    return entry


async def _observations_of(
    session: AsyncSession, identity_uuids: list[str]
) -> list[str]:
    result = await session.execute(
        sa.select(Attacker.uuid)
        .where(Attacker.identity_id.in_(identity_uuids))
        .order_by(Attacker.uuid)
    )
    return list(result.scalars())


async def _require(session: AsyncSession, uuid: str) -> AttackerIdentity:
    identity = await session.get(AttackerIdentity, uuid)
    if identity is None:
        raise NotFoundError(f"identity {uuid} not found")
    return identity


async def _refresh(session: AsyncSession, *uuids: str) -> None:
    # Bulk UPDATEs bypass the identity map; reload the rows a caller may hold.
    for uuid in uuids:
        identity = await session.get(AttackerIdentity, uuid)
        if identity is not None:
            await session.refresh(identity)

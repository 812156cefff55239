"""Analyst actions: notes, merges, splits and cannot-link rulings.

Each action stores an `analyst_decisions` row with the user and the time.
Notes and merges change identities at once (a merge also writes identity
history and an `identity.merged` outbox event in the same transaction).
Splits and cannot-link rulings are only recorded: the clusterer reads the
decisions that are not revoked and honours them on every later pass.

Every function commits on success; on error nothing has been written
because the caller's session is discarded without a commit.

Decision kinds: `note`, `merge` (subject_a winner, subject_b loser),
`split` (subject_a identity, `detail.observation_uuids`), `cannot_link`
(subject_type identity or observation, subject_a and subject_b).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from decnet.bus import topics
from decnet.bus.outbox import append_event
from decnet.bus.payloads import IdentityMerged
from decnet.errors import InputError, IntegrityViolationError, NotFoundError
from decnet.web.db.models import AnalystDecision, Attacker, AttackerIdentity
from decnet.web.db.repository import (
    get_identity,
    get_observation,
    member_uuids,
    merge_identities,
    record_history,
    resolve_identity,
    update_identity,
)
from decnet.web.db.types import utcnow

IDENTITY_NOT_FOUND = "Identity not found"
_REVOCABLE = frozenset({"split", "cannot_link", "must_link"})


async def require_identity(session: AsyncSession, uuid: str) -> AttackerIdentity:
    """Return the canonical identity of `uuid`, or raise NotFoundError."""
    identity = await resolve_identity(session, uuid)
    if identity is None:
        raise NotFoundError(IDENTITY_NOT_FOUND)
    return identity


async def set_notes(
    session: AsyncSession, uuid: str, notes: str | None, username: str
) -> AttackerIdentity:
    """Replace the notes of the canonical identity of `uuid`; empty clears them."""
    identity = await require_identity(session, uuid)
    value = notes if notes else None
    await update_identity(session, identity.uuid, notes=value)
    _decide(
        session,
        "note",
        "identity",
        identity.uuid,
        None,
        {"notes": value},
        username,
    )
    await session.commit()
    return identity


async def merge(
    session: AsyncSession, winner_uuid: str, loser_uuid: str, username: str, reason: str
) -> tuple[AnalystDecision, AttackerIdentity, list[str]]:
    """Merge `loser_uuid` into `winner_uuid` now.

    Returns the decision, the winner and the observations it gained.

    Both must be canonical identities. Raises NotFoundError for an unknown
    uuid and IntegrityViolationError for a merge into itself, into one of
    its own losers, or of an already merged identity.
    """
    if winner_uuid == loser_uuid:
        raise IntegrityViolationError(
            f"cannot merge identity {winner_uuid} into itself"
        )
    winner = await get_identity(session, winner_uuid)
    if winner is None:
        raise NotFoundError(IDENTITY_NOT_FOUND)
    loser = await get_identity(session, loser_uuid)
    if loser is None:
        raise NotFoundError(f"identity {loser_uuid} (loser_uuid) not found")
    if winner.merged_into_uuid is not None:
        relation = (
            "one of the losers of"
            if winner.merged_into_uuid == loser_uuid
            else "merged into"
        )
        raise IntegrityViolationError(
            f"cannot merge into identity {winner_uuid}: it is {relation} "
            f"{winner.merged_into_uuid}; merge into {winner.merged_into_uuid} instead"
        )
    if loser.merged_into_uuid is not None:
        raise IntegrityViolationError(
            f"identity {loser_uuid} is already merged into {loser.merged_into_uuid}"
        )
    ruling = await _active_cannot_link(session, "identity", winner_uuid, loser_uuid)
    if ruling is not None:
        raise IntegrityViolationError(
            f"identities {winner_uuid} and {loser_uuid} are marked cannot-link "
            f"(decision {ruling}); revoke it first with DELETE "
            f"/api/v1/decisions/{ruling}"
        )

    previous = await _identity_of_observations(
        session, await member_uuids(session, loser_uuid)
    )
    observations = await merge_identities(session, winner_uuid, loser_uuid)
    winner = await require_identity(session, winner_uuid)
    text = reason or f"merged by {username}"
    for observation_uuid in observations:
        record_history(
            session,
            observation_uuid,
            "merged",
            text,
            identity_uuid=winner.uuid,
            previous_identity_uuid=previous.get(observation_uuid),
            confidence=winner.confidence,
            actor=username,
        )
    append_event(
        session,
        topics.identity(topics.IDENTITY_MERGED),
        IdentityMerged(
            winner_uuid=winner.uuid,
            loser_uuid=loser_uuid,
            observation_uuids=observations,
            confidence_after=winner.confidence,
        ),
    )
    detail = {"reason": reason, "observation_count": len(observations)}
    decision = _decide(
        session, "merge", "identity", winner.uuid, loser_uuid, detail, username
    )
    await session.commit()
    return decision, winner, observations


async def split(
    session: AsyncSession,
    uuid: str,
    observation_uuids: list[str],
    username: str,
    reason: str,
) -> AnalystDecision:
    """Record that `observation_uuids` must leave the identity `uuid`.

    Raises InputError when an observation is unknown or does not belong to
    the identity (or to an identity merged into it), and when the split
    would leave the identity empty.
    """
    identity = await require_identity(session, uuid)
    members = set(await member_uuids(session, identity.uuid))
    requested = list(dict.fromkeys(observation_uuids))
    owners = await _identity_of_observations_by_uuid(session, requested)
    foreign = [o for o in requested if owners.get(o, "") not in members]
    if foreign:
        listed = ", ".join(foreign[:5])
        raise InputError(
            f"observation(s) {listed} do not belong to identity {identity.uuid}; "
            f"list its observations at /api/v1/identities/{identity.uuid}/observations"
        )
    remaining = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Attacker)
        .where(Attacker.identity_id.in_(members), Attacker.uuid.not_in(requested))
    )
    if not remaining:
        raise InputError(
            f"splitting every observation out of identity {identity.uuid} leaves it "
            "empty; keep at least one observation"
        )
    detail = {"observation_uuids": requested, "reason": reason}
    decision = _decide(
        session, "split", "identity", identity.uuid, None, detail, username
    )
    await session.commit()
    return decision


async def cannot_link(
    session: AsyncSession,
    subject_type: str,
    a: str,
    b: str,
    username: str,
    reason: str,
) -> AnalystDecision:
    """Record that `a` and `b` (identities or observations) must stay apart.

    The pair is stored in sorted order. Raises NotFoundError for an unknown
    subject and IntegrityViolationError when the same ruling is active.
    """
    first, second = sorted((a, b))
    canonical: list[str] = []
    for subject in (first, second):
        if subject_type == "identity":
            found: object = await get_identity(session, subject)
            if isinstance(found, AttackerIdentity):
                canonical.append(found.merged_into_uuid or found.uuid)
        else:
            found = await get_observation(session, subject)
        if found is None:
            raise NotFoundError(f"{subject_type} {subject} not found")
    # Identities joined by a merge are one identity: keeping "them" apart
    # would contradict the merge, and the clusterer could honour only one.
    if len(canonical) == 2 and canonical[0] == canonical[1]:
        raise IntegrityViolationError(
            f"identities {first} and {second} are one identity ({canonical[0]}) "
            "after a merge; split observations out of it instead"
        )
    existing = await _active_cannot_link(session, subject_type, first, second)
    if existing is not None:
        raise IntegrityViolationError(
            f"{subject_type}s {first} and {second} are already marked cannot-link "
            f"(decision {existing})"
        )
    decision = _decide(
        session,
        "cannot_link",
        subject_type,
        first,
        second,
        {"reason": reason},
        username,
    )
    await session.commit()
    return decision


async def revoke(
    session: AsyncSession, decision_id: int, username: str
) -> AnalystDecision:
    """Revoke a split or cannot-link decision so later passes ignore it."""
    decision = await session.get(AnalystDecision, decision_id)
    if decision is None:
        raise NotFoundError(f"decision {decision_id} not found")
    if decision.kind not in _REVOCABLE:
        raise IntegrityViolationError(
            f"decision {decision_id} is a {decision.kind}, which cannot be revoked; "
            f"only {', '.join(sorted(_REVOCABLE))} decisions can"
        )
    if decision.revoked_at is not None:
        raise IntegrityViolationError(
            f"decision {decision_id} was already revoked at "
            f"{decision.revoked_at.isoformat()}"
        )
    decision.revoked_at = utcnow()
    detail = dict(decision.detail or {})
    detail["revoked_by"] = username
    decision.detail = detail
    await session.commit()
    return decision


def _decide(
    session: AsyncSession,
    kind: str,
    subject_type: str,
    subject_a: str,
    subject_b: str | None,
    detail: dict[str, Any],
    username: str,
) -> AnalystDecision:
    decision = AnalystDecision(
        kind=kind,
        subject_type=subject_type,
        subject_a=subject_a,
        subject_b=subject_b,
        detail=detail,
        username=username,
        created_at=utcnow(),
    )
    session.add(decision)
    return decision


async def _active_cannot_link(
    session: AsyncSession, subject_type: str, a: str, b: str
) -> int | None:
    """Return the id of the unrevoked cannot-link between `a` and `b`, if any."""
    first, second = sorted((a, b))
    return await session.scalar(
        sa.select(AnalystDecision.id).where(
            AnalystDecision.kind == "cannot_link",
            AnalystDecision.subject_type == subject_type,
            AnalystDecision.subject_a == first,
            AnalystDecision.subject_b == second,
            AnalystDecision.revoked_at.is_(None),
        )
    )


async def _identity_of_observations(
    session: AsyncSession, identity_uuids: list[str]
) -> dict[str, str | None]:
    rows = await session.execute(
        sa.select(Attacker.uuid, Attacker.identity_id).where(
            Attacker.identity_id.in_(identity_uuids)
        )
    )
    return {uuid: identity for uuid, identity in rows.all()}


async def _identity_of_observations_by_uuid(
    session: AsyncSession, observation_uuids: list[str]
) -> dict[str, str | None]:
    rows = await session.execute(
        sa.select(Attacker.uuid, Attacker.identity_id).where(
            Attacker.uuid.in_(observation_uuids)
        )
    )
    return {uuid: identity for uuid, identity in rows.all()}

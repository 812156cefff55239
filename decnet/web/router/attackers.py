"""Observations (`attackers`): list with filters, detail, identity history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from decnet.errors import NotFoundError
from decnet.netaddr import normalise_ip
from decnet.web.api import queries
from decnet.web.api.deps import AttackerUuid, Limit, Offset, Session, ViewerUser
from decnet.web.api.schemas.common import Message
from decnet.web.api.schemas.evidence import HistoryPage
from decnet.web.api.schemas.observation import AttackerDetail, AttackerPage
from decnet.web.api.views import attacker_detail
from decnet.web.db import repository

router = APIRouter(prefix="/attackers", tags=["attackers"])

ATTACKER_NOT_FOUND = "Attacker not found"
_NOT_FOUND = {404: {"model": Message, "description": ATTACKER_NOT_FOUND}}


@router.get("")
async def list_attackers(
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
    ip: Annotated[
        str | None, Query(max_length=64, description="Exact address, any spelling.")
    ] = None,
    identity: Annotated[
        UUID | None,
        Query(description="Identity uuid; merged-in identities are included."),
    ] = None,
    resolved: Annotated[
        bool | None, Query(description="true: with an identity; false: without.")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="Active at or after (ISO 8601).")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="Active at or before (ISO 8601).")
    ] = None,
) -> AttackerPage:
    """List observations newest-updated first, filtered by the given values."""
    page = await repository.list_observations(
        session,
        limit=limit,
        offset=offset,
        ip=normalise_ip(ip) if ip is not None else None,
        identity_uuid=str(identity) if identity else None,
        resolved=resolved,
        since=since,
        until=until,
    )
    return AttackerPage.model_validate(page)


@router.get("/{uuid}", responses=_NOT_FOUND)
async def get_attacker(
    uuid: AttackerUuid, session: Session, user: ViewerUser
) -> AttackerDetail:
    """Return an observation with `identity_id`, its canonical identity and sessions."""
    attacker = await repository.get_observation(session, str(uuid))
    if attacker is None:
        raise NotFoundError(ATTACKER_NOT_FOUND)
    return await attacker_detail(session, attacker)


@router.get("/{uuid}/identity-history", responses=_NOT_FOUND)
async def get_identity_history(
    uuid: AttackerUuid,
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HistoryPage:
    """List the identity changes of an observation, oldest first."""
    if await repository.get_observation(session, str(uuid)) is None:
        raise NotFoundError(ATTACKER_NOT_FOUND)
    page = await queries.list_history(session, str(uuid), limit=limit, offset=offset)
    return HistoryPage.model_validate(page)

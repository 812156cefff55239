"""Identities: list, detail, observations and evidence."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from decnet.web.api import queries
from decnet.web.api.actions import require_identity
from decnet.web.api.deps import IdentityUuid, Limit, Offset, Session, ViewerUser
from decnet.web.api.schemas.common import Message
from decnet.web.api.schemas.evidence import (
    EvidencePublic,
    FeatureEvidence,
    LinkPublic,
)
from decnet.web.api.schemas.identity import IdentityDetail, IdentityPage
from decnet.web.api.schemas.observation import AttackerPage
from decnet.web.api.views import identity_detail
from decnet.web.db import repository

router = APIRouter(prefix="/identities", tags=["identities"])

_NOT_FOUND = {404: {"model": Message, "description": "Identity not found"}}


@router.get("")
async def list_identities(
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
    search: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=512,
            description=(
                "IP address (any spelling), or a JA3, JA4 or HASSH fingerprint,"
                " or a C2 endpoint (host or host:port), matched exactly."
            ),
        ),
    ] = None,
    sort: Annotated[
        Literal["updated", "last_seen", "first_seen", "observations", "confidence"],
        Query(description="Order, largest or newest first; nulls last."),
    ] = "updated",
) -> IdentityPage:
    """List canonical identities; merged-out rows are left out."""
    page = await queries.list_identities(
        session, limit=limit, offset=offset, search=search, sort=sort
    )
    return IdentityPage.model_validate(page)


@router.get("/{uuid}", responses=_NOT_FOUND)
async def get_identity(
    uuid: IdentityUuid, session: Session, user: ViewerUser
) -> IdentityDetail:
    """Return the canonical identity (following merges) with its live count."""
    return await identity_detail(session, str(uuid))


@router.get("/{uuid}/observations", responses=_NOT_FOUND)
async def list_identity_observations(
    uuid: IdentityUuid,
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AttackerPage:
    """List the observations of the canonical identity, merged-in ones included."""
    identity = await require_identity(session, str(uuid))
    page = await repository.list_identity_observations(
        session, identity.uuid, limit=limit, offset=offset
    )
    return AttackerPage.model_validate(page)


@router.get("/{uuid}/evidence", responses=_NOT_FOUND)
async def get_evidence(
    uuid: IdentityUuid,
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EvidencePublic:
    """Return the links that hold the identity together and their features.

    Links are paginated, strongest first; `features` summarises every link.
    """
    identity = await require_identity(session, str(uuid))
    members = await repository.member_uuids(session, identity.uuid)
    links = await queries.list_links(session, members, limit=limit, offset=offset)
    features = await queries.summarise_features(session, members)
    return EvidencePublic(
        identity_uuid=identity.uuid,
        total=links.total,
        limit=links.limit,
        offset=links.offset,
        data=[LinkPublic.model_validate(link) for link in links.data],
        features=[FeatureEvidence.model_validate(f) for f in features],
    )

"""Campaigns: list, detail and member identities."""

from __future__ import annotations

from fastapi import APIRouter

from decnet.errors import NotFoundError
from decnet.web.api import queries
from decnet.web.api.deps import CampaignUuid, Limit, Offset, Session, ViewerUser
from decnet.web.api.schemas.campaign import CampaignPage, CampaignPublic
from decnet.web.api.schemas.common import Message
from decnet.web.api.schemas.identity import IdentityPage

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

CAMPAIGN_NOT_FOUND = "Campaign not found"
_NOT_FOUND = {404: {"model": Message, "description": CAMPAIGN_NOT_FOUND}}


@router.get("")
async def list_campaigns(
    session: Session, user: ViewerUser, limit: Limit = 50, offset: Offset = 0
) -> CampaignPage:
    """List campaigns not merged into another, newest-updated first."""
    page = await queries.list_campaigns(session, limit=limit, offset=offset)
    data = [
        CampaignPublic.model_validate(
            {**campaign.model_dump(), "identity_count": count}
        )
        for campaign, count in page.data
    ]
    return CampaignPage(
        total=page.total, limit=page.limit, offset=page.offset, data=data
    )


@router.get("/{uuid}", responses=_NOT_FOUND)
async def get_campaign(
    uuid: CampaignUuid, session: Session, user: ViewerUser
) -> CampaignPublic:
    """Return the campaign (following merges) with its identity count."""
    campaign = await queries.resolve_campaign(session, str(uuid))
    if campaign is None:
        raise NotFoundError(CAMPAIGN_NOT_FOUND)
    counts = await queries.identity_counts(session, [campaign.uuid])
    return CampaignPublic.model_validate(
        {**campaign.model_dump(), "identity_count": counts.get(campaign.uuid, 0)}
    )


@router.get("/{uuid}/identities", responses=_NOT_FOUND)
async def list_campaign_identities(
    uuid: CampaignUuid,
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> IdentityPage:
    """List the canonical identities of the campaign, newest-updated first."""
    campaign = await queries.resolve_campaign(session, str(uuid))
    if campaign is None:
        raise NotFoundError(CAMPAIGN_NOT_FOUND)
    page = await queries.list_campaign_identities(
        session, campaign.uuid, limit=limit, offset=offset
    )
    return IdentityPage.model_validate(page)

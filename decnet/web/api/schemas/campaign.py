"""Campaigns: identities acting together."""

from __future__ import annotations

from datetime import datetime

from decnet.web.api.schemas.common import ApiModel, PageBase


class CampaignPublic(ApiModel):
    """A campaign row with the number of canonical identities assigned to it."""

    uuid: str
    name: str | None
    created_at: datetime
    updated_at: datetime
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    confidence: float | None
    notes: str | None
    merged_into_uuid: str | None
    identity_count: int


class CampaignPage(PageBase):
    """A page of campaigns that are not merged into another, newest-updated first."""

    data: list[CampaignPublic]
